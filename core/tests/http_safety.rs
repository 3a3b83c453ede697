//! What the HTTP client does with hostile or broken provider answers, over real loopback HTTP to
//! a tiny fixture server (issue 9 items 6 and 10, contracts 3 and 4): redirects are never
//! followed (credentials never reach another host), answers over 4 MiB are refused, and a Payrexx
//! create whose outcome is unknown is sent exactly once.

use paybridge_core::money::{Currency, Money};
use paybridge_core::providers::{self, Config, PaymentRequest, Provider};
use paybridge_core::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
enum Answer {
    /// 302 to `location`.
    Redirect(String),
    /// 200 with this many bytes; with or without a Content-Length (close-delimited otherwise).
    Large { bytes: usize, announced: bool },
    /// Reads the whole request, then says nothing for this long and closes.
    Silence(Duration),
    /// 200 with this JSON.
    Json(String),
}

/// One loopback server; every request it received (head and body) is kept, in order.
struct Fixture {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Fixture {
    fn start(answer: Answer) -> Fixture {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (answer, log) = (answer.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &answer, &log));
            }
        });
        Fixture { url, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some(head + &String::from_utf8_lossy(&body))
}

fn serve(mut stream: TcpStream, answer: &Answer, log: &Mutex<Vec<String>>) {
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    log.lock().unwrap().push(request);
    let _ = match answer {
        Answer::Redirect(location) => write!(
            stream,
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Answer::Json(body) => write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
        Answer::Large { bytes, announced } => {
            let length = if *announced {
                format!("Content-Length: {bytes}\r\n")
            } else {
                String::new()
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}Connection: close\r\n\r\n"
            );
            // A JSON string padded with spaces: the old client read all of it.
            let chunk = vec![b' '; 64 * 1024];
            let mut left = *bytes;
            while left > 0 {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).is_err() {
                    break;
                }
                left -= n;
            }
            Ok(())
        }
        Answer::Silence(d) => {
            std::thread::sleep(*d);
            Ok(())
        }
    };
}

fn config(provider: &str, base: &str) -> Config {
    let c = match provider {
        "neropay" => Config::new()
            .with("secret_key", "sk_test_neropay_fixture")
            .with("base_url", &format!("{base}/neropay/v2")),
        "payrexx" => Config::new()
            .with("instance", "demo")
            .with("secret_key", "px_test_secret_fixture")
            .with("base_url", &format!("{base}/payrexx/v1.14")),
        "noxipay" => Config::new()
            .with("secret_key", "nx_test_secret_fixture")
            .with("base_url", &format!("{base}/noxipay/v1")),
        other => panic!("{other}"),
    };
    c.with_int("timeout_ms", 3000)
        .with_int("connect_timeout_ms", 1000)
}

fn provider(name: &str, config: &Config) -> Box<dyn Provider> {
    providers::build(name, config).unwrap()
}

fn request() -> PaymentRequest {
    PaymentRequest {
        money: Money::parse_payment("12.50", Currency::from_code("EUR").unwrap()).unwrap(),
        reference: "INV-REDIRECT-1".into(),
        description: "Invoice INV-REDIRECT-1".into(),
        success_url: "http://127.0.0.1:9/ok".into(),
        cancel_url: "http://127.0.0.1:9/cancel".into(),
        notify_url: Some("http://127.0.0.1:9/ipn".into()),
        metadata: vec![],
        customer_name: None,
        customer_email: None,
        idempotency_key: None,
    }
}

fn http_status(e: &Error) -> Option<u16> {
    match e {
        Error::InvalidResponse { http_status, .. } => Some(*http_status),
        _ => None,
    }
}

#[test]
fn redirect_is_never_followed_and_credentials_never_reach_the_target() {
    for name in providers::PROVIDERS {
        let target = Fixture::start(Answer::Json("{}".into()));
        let origin = Fixture::start(Answer::Redirect(format!("{}/steal", target.url)));
        let p = provider(name, &config(name, &origin.url));
        let create = p.create_payment(&request()).unwrap_err();
        let read = p.retrieve_payment("abc123").unwrap_err();
        for e in [create, read] {
            assert_eq!(e.code(), "invalid_response", "{name}: {e}");
            assert_eq!(http_status(&e), Some(302), "{name}: {e}");
        }
        assert_eq!(origin.requests().len(), 2, "{name}: no retry of a redirect");
        assert!(
            target.requests().is_empty(),
            "{name}: the redirect target received {:?}",
            target.requests()
        );
    }
}

#[test]
fn answer_over_four_mib_is_an_invalid_response_with_or_without_content_length() {
    for name in providers::PROVIDERS {
        for announced in [true, false] {
            let big = Fixture::start(Answer::Large {
                bytes: 5 * 1024 * 1024,
                announced,
            });
            let e = provider(name, &config(name, &big.url))
                .retrieve_payment("abc123")
                .unwrap_err();
            assert_eq!(e.code(), "invalid_response", "{name}: {e}");
            assert!(e.to_string().contains("4 MiB"), "{name} {announced}: {e}");
            assert_eq!(big.requests().len(), 1, "{name}: never retried");
        }
    }
}

#[test]
fn answer_just_under_four_mib_is_still_read() {
    // The cap refuses only what is over it: a padded body under 4 MiB reaches the JSON parser
    // (and fails there for its shape, not its size).
    let ok = Fixture::start(Answer::Large {
        bytes: 4 * 1024 * 1024 - 1,
        announced: false,
    });
    let e = provider("noxipay", &config("noxipay", &ok.url))
        .retrieve_payment("abc123")
        .unwrap_err();
    assert_eq!(e.code(), "invalid_response");
    assert!(!e.to_string().contains("4 MiB"), "{e}");
}

fn silent_create(name: &str, extra: Option<&str>) -> (usize, Error) {
    silent_create_with(name, extra, request())
}

fn silent_create_with(name: &str, extra: Option<&str>, req: PaymentRequest) -> (usize, Error) {
    let silent = Fixture::start(Answer::Silence(Duration::from_millis(1500)));
    let mut c = config(name, &silent.url)
        .with_int("timeout_ms", 400)
        .with_int("max_retries", 2);
    if let Some(mode) = extra {
        c = c.with("retry", mode);
    }
    let e = provider(name, &c).create_payment(&req).unwrap_err();
    (silent.requests().len(), e)
}

#[test]
fn payrexx_create_with_unknown_outcome_is_sent_exactly_once() {
    // providers.md §P1/§P3: no idempotency key, so a create that timed out after sending may
    // exist at Payrexx; sending it again could make a second gateway (issue 9 item 10).
    let (count, e) = silent_create("payrexx", None);
    assert_eq!(count, 1, "requests that reached the server");
    assert_eq!(e.code(), "timeout");
    assert!(
        matches!(e, Error::Timeout { retry_safe: false }),
        "a Payrexx create after sending is not safe to retry: {e:?}"
    );
}

#[test]
fn idempotent_create_is_retried_after_a_timeout_with_the_same_key_unless_retry_is_unsent() {
    for name in ["neropay", "noxipay"] {
        let (count, _) = silent_create(name, None);
        assert_eq!(count, 3, "{name}: first try and two retries");
        let (count, _) = silent_create(name, Some("unsent"));
        assert_eq!(
            count, 1,
            "{name}: retry=unsent repeats nothing already sent"
        );
    }
}

#[test]
fn retried_create_reuses_one_idempotency_key() {
    let silent = Fixture::start(Answer::Silence(Duration::from_millis(1500)));
    let c = config("neropay", &silent.url).with_int("timeout_ms", 400);
    let _ = provider("neropay", &c).create_payment(&request());
    let keys: Vec<String> = silent
        .requests()
        .iter()
        .filter_map(|r| {
            r.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("idempotency-key:"))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().all(|k| k == &keys[0]), "{keys:?}");
}

#[test]
fn a_timed_out_create_is_retry_safe_only_with_the_callers_own_idempotency_key() {
    // Retries inside the call reuse whichever key it has. A new call from the caller only sends the
    // same key again if the caller chose it; a key made up for the call dies with it, and a new
    // one would make the provider create a second payment.
    for name in ["neropay", "noxipay"] {
        let own_key = PaymentRequest {
            idempotency_key: Some("order-1001-attempt-1".into()),
            ..request()
        };
        let (count, e) = silent_create_with(name, None, own_key);
        assert_eq!(count, 3, "{name}: first try and two retries");
        assert!(
            matches!(e, Error::Timeout { retry_safe: true }),
            "{name}: {e:?}"
        );
        let (count, e) = silent_create(name, None);
        assert_eq!(count, 3, "{name}: retried with the key it made");
        assert!(
            matches!(e, Error::Timeout { retry_safe: false }),
            "{name}: without the caller's key a new call could pay twice: {e:?}"
        );
    }
}
