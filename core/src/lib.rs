//! paybridge-core: signs payment-provider requests, verifies their webhooks and calls their APIs.
//! Nothing here knows PHP; the `paybridge` crate (the extension) is a thin binding over it, and
//! this crate's dependency tree has no ext-php-rs, so the compiler keeps the layering.
//!
//! No input may panic (style.md "no Rust panic on any input"): outside tests the
//! lints below turn every slice, index, unwrap, expect and panic! into a build error of
//! `cargo clippy` (run by scripts/test), so a hostile byte can only ever reach a typed `Error`.
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

pub mod error;
pub mod event;
pub mod http;
pub mod money;
pub mod providers;
pub mod refund;
pub mod request;
pub mod signing;
pub mod webhook;

pub use error::{Error, Result};
