//! YooKassa's API v3 protocol (being written).
