//! paybridge: the PHP extension. Only the binding lives in this crate (the `PayBridge\Gateway`
//! class, the exceptions, PHP value conversion, `php --ri`); everything it calls is
//! `paybridge_core`, which has no PHP in its dependency tree.
//!
//! Same no-panic lints as the core (style.md): the binding runs inside PHP, where a panic
//! would take the request down.
#![cfg_attr(
    not(test),
    deny(
        clippy::string_slice,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod php;
