//! The blocking HTTP client. ext-php-rs-notes.md: php-fpm runs module start-up in the master and
//! then forks, and a client built before a fork hangs in the child. So the client is built lazily
//! on first use, remembered with the creating process id, and rebuilt (the old one forgotten,
//! never dropped: its runtime thread does not exist in the child) when the pid changes.

use super::retry::{parse_retry_after, Decision, Outcome, RetryPolicy};
use crate::error::{Error, Result};
use rand::RngCore;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
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
}

impl HttpSettings {
    /// Defaults of providers.md §0: connect 5 s, total 20 s, 2 retries.
    pub fn new(base_url: &str) -> Result<HttpSettings> {
        Ok(HttpSettings {
            base_url: validate_base_url(base_url)?,
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
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

struct Cache {
    pid: u32,
    clients: Vec<(Duration, reqwest::blocking::Client)>,
}

static CLIENTS: Mutex<Option<Cache>> = Mutex::new(None);

fn shared_client(connect_timeout: Duration) -> Result<reqwest::blocking::Client> {
    let mut guard = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
    let pid = std::process::id();
    if guard.as_ref().is_some_and(|c| c.pid != pid) {
        std::mem::forget(guard.take());
    }
    let cache = guard.get_or_insert_with(|| Cache {
        pid,
        clients: Vec::new(),
    });
    if let Some((_, c)) = cache.clients.iter().find(|(t, _)| *t == connect_timeout) {
        return Ok(c.clone());
    }
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(None)
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("paybridge/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|_| Error::ConnectionFailed {
            retry_safe: true,
            message: "could not initialise the HTTP client".into(),
        })?;
    cache.clients.push((connect_timeout, client.clone()));
    Ok(client)
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
        let client = shared_client(self.settings.connect_timeout)?;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let req = build();
            let (outcome, result) = match self.send_once(&client, req) {
                Ok(resp) => {
                    let outcome = Outcome::Status {
                        code: resp.0.status,
                        retry_after: resp.1.as_deref().and_then(parse_retry_after),
                    };
                    (outcome, Ok(resp.0))
                }
                Err((outcome, err)) => (outcome, Err(err)),
            };
            match self
                .settings
                .retry
                .decide(attempt, outcome, rand::rngs::OsRng.next_u64())
            {
                Decision::Retry(wait) => std::thread::sleep(wait),
                Decision::GiveUp => return result,
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn send_once(
        &self,
        client: &reqwest::blocking::Client,
        req: Request,
    ) -> std::result::Result<(Response, Option<String>), (Outcome, Error)> {
        let mut rb = match req.method {
            Method::Get => client.get(&req.url),
            Method::Post => client.post(&req.url),
            Method::Delete => client.delete(&req.url),
        };
        rb = rb.timeout(self.settings.timeout);
        for (k, v) in &req.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if let Some(body) = req.body {
            rb = rb.body(body);
        }
        let resp = rb.send().map_err(classify)?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let request_id = header("x-request-id");
        let retry_after = header("retry-after");
        let body = resp.bytes().map_err(classify)?.to_vec();
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

/// Every request paybridge sends is a read or carries an idempotency key, so all transport
/// failures are safe to retry; messages never include the URL (it may hold an instance name).
fn classify(e: reqwest::Error) -> (Outcome, Error) {
    if e.is_timeout() {
        (Outcome::NoResponse, Error::Timeout { retry_safe: true })
    } else if e.is_connect() {
        let err = Error::ConnectionFailed {
            retry_safe: true,
            message: "could not connect".into(),
        };
        (Outcome::ConnectFailed, err)
    } else {
        let err = Error::ConnectionFailed {
            retry_safe: true,
            message: "connection closed before a complete response".into(),
        };
        (Outcome::NoResponse, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
