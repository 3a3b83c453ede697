//! The per-thread cache behind `HttpClient`: one current-thread Tokio runtime and one
//! `reqwest::Client` per (connect timeout, trusted roots), built on first use and rebuilt after a
//! fork. Kept apart from the request loop in `client.rs` because it is the one place that knows
//! about processes, and the one place a client is configured (ext-php-rs-notes.md: a client built
//! before php-fpm forks hangs in the child).

use super::tls::{self, CaFile};
use crate::error::{Error, Result};
use std::cell::RefCell;
use std::time::Duration;

/// One current-thread Tokio runtime and its clients per thread (a PHP process has one): the
/// request runs on the calling thread, with no hand-off to a background thread per call.
struct Cache {
    pid: u32,
    runtime: tokio::runtime::Runtime,
    clients: Vec<(ClientKey, reqwest::Client)>,
}

thread_local! {
    static CACHE: RefCell<Option<Cache>> = const { RefCell::new(None) };
}

fn init_failed() -> Error {
    Error::ConnectionFailed {
        retry_safe: true,
        message: "could not initialise the HTTP client".into(),
    }
}

/// Clients differ only by connect timeout and trusted roots; everything else is per request.
pub(super) type ClientKey = (Duration, Option<CaFile>);

/// Runs `f` with this process's runtime and the client for `key`, building them on first use and
/// again after a fork (the pid changed: the old ones are forgotten, not dropped). The client, and
/// with it its keep-alive pool and TLS session cache, lives as long as the php-fpm worker
/// (README "TLS"): the next request of the same worker reuses its connections, and a
/// connection that must be reopened resumes its TLS session instead of a full handshake.
pub(super) fn with_client<T>(
    key: &ClientKey,
    f: impl FnOnce(&tokio::runtime::Runtime, &reqwest::Client) -> T,
) -> Result<T> {
    CACHE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let pid = std::process::id();
        if slot.as_ref().is_some_and(|c| c.pid != pid) {
            std::mem::forget(slot.take());
        }
        if slot.is_none() {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|_| init_failed())?;
            *slot = Some(Cache {
                pid,
                runtime,
                clients: Vec::new(),
            });
        }
        let cache = slot.as_mut().unwrap_or_else(|| unreachable!());
        if !cache.clients.iter().any(|(k, _)| k == key) {
            // README "HTTP safety": never follow a redirect. reqwest would resend
            // X-API-KEY, signatures and Idempotency-Key to any target (it drops only
            // Authorization/Cookie on a host change); a 3xx becomes `invalid_response` instead.
            let mut builder = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(key.0)
                .pool_idle_timeout(POOL_IDLE_TIMEOUT)
                .tcp_nodelay(true)
                .user_agent(concat!("paybridge/", env!("CARGO_PKG_VERSION")));
            if let Some(ca) = &key.1 {
                for cert in tls::certificates(ca) {
                    builder = builder.add_root_certificate(cert);
                }
            }
            let client = builder.build().map_err(|_| init_failed())?;
            cache.clients.push((key.clone(), client));
        }
        let client = cache
            .clients
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| unreachable!());
        Ok(f(&cache.runtime, &client))
    })
}

/// How long an unused keep-alive connection is kept (providers close theirs after ~60-120 s; a
/// php-fpm worker that idles longer reconnects and resumes its TLS session).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(55);
