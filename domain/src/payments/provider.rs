//! Card payment providers: the trait and its types live in the kernel (the shared
//! services hold the configured ones); re-exported here where orders use them.

pub use crate::kernel::card::*;
