//! The HTTP client, blocking for its callers. ext-php-rs-notes.md: php-fpm runs module start-up in
//! the master and then forks, and a client built before a fork hangs in the child. So the client
//! is built lazily on first use, remembered with the creating process id, and rebuilt (the old one
//! forgotten, never dropped) when the pid changes (`cache.rs`). It runs on a current-thread Tokio
//! runtime driven by the calling (PHP) thread: `reqwest::blocking` would hand every call to a
//! background thread and back; on the calling thread a call costs what PHP curl with a reused
//! handle costs (BENCHMARKS.md §2).

use super::cache::{with_client, ClientKey};
use super::idempotency::OperationKey;
use super::retry::{parse_retry_after, Decision, Outcome, RetryMode, RetryPolicy};
use super::tls::{self, CaFile};
use crate::error::{Error, Result};
use rand::RngCore;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

#[derive(Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// Credentials travel in headers (`Authorization`, `X-API-KEY`) and signatures in others: `Debug`
/// prints header names only, and the body's length, never its bytes.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    pub base_url: String,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    /// Extra trusted roots (`ca_file`, README "TLS"), already read and validated.
    pub ca_file: Option<CaFile>,
}

impl HttpSettings {
    /// Defaults of providers.md §0: connect 5 s, total 20 s, 2 retries.
    pub fn new(base_url: &str) -> Result<HttpSettings> {
        Ok(HttpSettings {
            base_url: validate_base_url(base_url)?,
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            ca_file: None,
        })
    }
}

/// `https://` always; plain `http://` only to a loopback host (the sandbox), so a typo can never
/// send a secret key in clear over a network.
pub fn validate_base_url(raw: &str) -> Result<String> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|_| Error::config("base_url is not an absolute URL"))?;
    let loopback = matches!(
        url.host_str(),
        Some("127.0.0.1") | Some("localhost") | Some("[::1]") | Some("::1")
    );
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(Error::config(
                "base_url must use https (http only for loopback)",
            ))
        }
        _ => return Err(Error::config("base_url must be an http(s) URL")),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(Error::config(
            "base_url must not carry a query, fragment or credentials",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[derive(Debug, Clone)]
pub struct HttpClient {
    pub settings: HttpSettings,
}

impl HttpClient {
    pub fn new(settings: HttpSettings) -> HttpClient {
        HttpClient { settings }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.settings.base_url, path)
    }

    /// Sends `build()` and retries per the policy. `build` is called once per attempt so a
    /// provider can re-sign with a fresh timestamp; it must reuse the same idempotency key and
    /// body, which is why the key is made by the caller before this loop starts.
    pub fn execute(&self, build: &dyn Fn() -> Request) -> Result<Response> {
        self.run(build, self.settings.retry, true)
    }

    /// `execute` for a request sent with `key` (`None`: a read). Retried as the config says, always
    /// with that key; but when this crate made the key up (the caller passed none), a failure
    /// after sending is reported as not safe to retry: the caller's retry would carry a new key,
    /// and a provider that did act on the first request would take it for a second payment.
    pub fn execute_keyed(
        &self,
        build: &dyn Fn() -> Request,
        key: Option<&OperationKey>,
    ) -> Result<Response> {
        let safe_after_sending = key.is_none_or(OperationKey::from_caller);
        self.run(build, self.settings.retry, safe_after_sending)
    }

    /// For a request the provider cannot deduplicate (a Payrexx create, providers.md §P1/§P3):
    /// whatever the config says, it is repeated only when no byte of it was sent, and a failure
    /// after sending is reported as not safe to retry (README "Retries and idempotency").
    pub fn execute_not_idempotent(&self, build: &dyn Fn() -> Request) -> Result<Response> {
        let policy = RetryPolicy {
            mode: RetryMode::Unsent,
            ..self.settings.retry
        };
        self.run(build, policy, false)
    }

    fn run(
        &self,
        build: &dyn Fn() -> Request,
        policy: RetryPolicy,
        idempotent: bool,
    ) -> Result<Response> {
        let key: ClientKey = (self.settings.connect_timeout, self.settings.ca_file.clone());
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let req = build();
            let sent = with_client(&key, |rt, client| {
                rt.block_on(self.send_once(client, req, idempotent))
            })?;
            let (outcome, result) = match sent {
                Ok(resp) => {
                    let outcome = Outcome::Status {
                        code: resp.0.status,
                        retry_after: resp.1.as_deref().and_then(parse_retry_after),
                    };
                    (outcome, Ok(resp.0))
                }
                Err((outcome, err)) => (outcome, Err(err)),
            };
            // Backoff jitter needs spread, not secrecy: the thread's userspace generator (reseeded
            // from the OS, and after a fork) saves a getrandom syscall on every call.
            match policy.decide(attempt, outcome, rand::thread_rng().next_u64()) {
                Decision::Retry(wait) => std::thread::sleep(wait),
                Decision::GiveUp => return result,
            }
        }
    }

    #[allow(clippy::type_complexity)]
    async fn send_once(
        &self,
        client: &reqwest::Client,
        req: Request,
        idempotent: bool,
    ) -> std::result::Result<(Response, Option<String>), (Outcome, Error)> {
        let mut rb = match req.method {
            Method::Get => client.get(&req.url),
            Method::Post => client.post(&req.url),
        };
        rb = rb.timeout(self.settings.timeout);
        for (k, v) in &req.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if let Some(body) = req.body {
            rb = rb.body(body);
        }
        let mut resp = rb.send().await.map_err(|e| classify(e, idempotent))?;
        let status = resp.status().as_u16();
        // README "HTTP safety": a redirect is an answer we refuse, with its status, not one we
        // follow.
        if (300..=399).contains(&status) {
            let err = Error::InvalidResponse {
                http_status: status,
                message: format!("provider answered with a redirect (HTTP {status}); not followed"),
            };
            return Err((Outcome::Unusable, err));
        }
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let request_id = header("x-request-id");
        let retry_after = header("retry-after");
        let too_large = || {
            let err = Error::InvalidResponse {
                http_status: status,
                message: "provider answer is larger than 4 MiB".into(),
            };
            (Outcome::Unusable, err)
        };
        // README "HTTP safety": at most MAX_RESPONSE_BYTES are ever held; the body is read chunk
        // by chunk and refused as soon as it (or its announced length) passes the cap.
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| classify(e, idempotent))? {
            if body.len().saturating_add(chunk.len()) > MAX_RESPONSE_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((
            Response {
                status,
                request_id,
                body,
            },
            retry_after,
        ))
    }
}

/// README "HTTP safety": the largest provider answer read (4 MiB); real answers are a few KiB.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Messages never include the URL (it may hold an instance name). A connect error (including a
/// connect timeout) means no byte of the request was sent; anything later may have reached the
/// provider, which is only safe to repeat for an `idempotent` request.
fn classify(e: reqwest::Error, idempotent: bool) -> (Outcome, Error) {
    if tls::is_tls_failure(&e) {
        // The handshake comes before the request: nothing was sent. Not retried by the policy
        // (`Unusable`): an untrusted certificate stays untrusted.
        (Outcome::Unusable, Error::Tls)
    } else if e.is_connect() {
        let err = if e.is_timeout() {
            Error::Timeout { retry_safe: true }
        } else {
            Error::ConnectionFailed {
                retry_safe: true,
                message: "could not connect".into(),
            }
        };
        (Outcome::NotSent, err)
    } else if e.is_timeout() {
        let err = Error::Timeout {
            retry_safe: idempotent,
        };
        (Outcome::NoResponse, err)
    } else {
        let err = Error::ConnectionFailed {
            retry_safe: idempotent,
            message: "connection closed before a complete response".into(),
        };
        (Outcome::NoResponse, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_a_request_shows_no_credentials() {
        let r = Request {
            method: Method::Post,
            url: "https://h/x".into(),
            headers: vec![("Authorization".into(), "Bearer sk_live_secret".into())],
            body: Some(b"{\"k\":\"sk_live_secret\"}".to_vec()),
        };
        let shown = format!("{r:?}");
        assert!(
            shown.contains("Authorization") && !shown.contains("sk_live_secret"),
            "{shown}"
        );
    }

    #[test]
    fn base_url_must_be_https_unless_loopback() {
        assert_eq!(
            validate_base_url("https://eu.neropay.app/v2/").unwrap(),
            "https://eu.neropay.app/v2"
        );
        assert!(validate_base_url("http://127.0.0.1:8080/neropay/v2").is_ok());
        assert!(validate_base_url("http://localhost/x").is_ok());
        for bad in [
            "http://eu.neropay.app/v2",
            "ftp://x",
            "not a url",
            "https://u:p@h/",
            "https://h/?a=1",
        ] {
            assert_eq!(
                validate_base_url(bad).unwrap_err().code(),
                "config",
                "{bad}"
            );
        }
    }
}
