//! Outbound HTTP: one lazily built client per process, a pure retry policy and idempotency keys.

mod cache;
pub mod client;
pub mod idempotency;
pub mod retry;
pub mod tls;

pub use client::{HttpClient, HttpSettings, Method, Request, Response};
pub use idempotency::{new_idempotency_key, OperationKey};
pub use retry::{Decision, Outcome, RetryMode, RetryPolicy};
