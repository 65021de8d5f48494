//! A local server speaking YooKassa's API v3 protocol (being written).
