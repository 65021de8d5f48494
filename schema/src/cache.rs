//! A bounded least-recently-used map shared by an instance's requests (`lru` behind a
//! mutex), off when its capacity is 0. The persisted queries, the parsed documents and the
//! remembered validations are each one of these.

use std::borrow::Borrow;
use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct SharedLru<K: Hash + Eq, V>(Option<Arc<Mutex<lru::LruCache<K, V>>>>);

impl<K: Hash + Eq, V> Clone for SharedLru<K, V> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<K: Hash + Eq, V> std::fmt::Debug for SharedLru<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedLru")
    }
}

impl<K: Hash + Eq, V: Clone> SharedLru<K, V> {
    /// Holds at most `capacity` entries; 0 keeps none.
    pub fn new(capacity: usize) -> Self {
        Self(NonZeroUsize::new(capacity).map(|c| Arc::new(Mutex::new(lru::LruCache::new(c)))))
    }

    /// Whether it keeps nothing (capacity 0).
    pub fn is_off(&self) -> bool {
        self.0.is_none()
    }

    fn lock(&self) -> Option<MutexGuard<'_, lru::LruCache<K, V>>> {
        self.0
            .as_ref()
            .map(|c| c.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A copy of the entry (and marks it recently used).
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock()?.get(key).cloned()
    }

    /// Keeps `value`, forgetting the least recently used entry when full.
    pub fn put(&self, key: K, value: V) {
        if let Some(mut c) = self.lock() {
            c.put(key, value);
        }
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.lock().map_or(0, |c| c.len())
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
