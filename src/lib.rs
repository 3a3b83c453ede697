//! paybridge: signs payment-provider requests, verifies their webhooks and calls their APIs.
//! The core modules below use no PHP types; `php` is the only binding layer.

pub mod error;
pub mod http;
pub mod money;
pub mod providers;
pub mod signing;
pub mod webhook;

mod php;

pub use error::{Error, Result};
