//! End to end over loopback: start the binary, create a NeroPay link with a correctly signed
//! request, pay it through the control endpoint and receive the signed IPN (providers.md §N1–§N5).

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SECRET: &str = "sk_it_secret";
const WEBHOOK_SECRET: &str = "whsec_it";

/// Headers (lowercased names) and raw body of one received request.
type Received = (Vec<(String, String)>, Vec<u8>);

struct Sandbox {
    child: Child,
    base: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sandbox() -> Sandbox {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paybridge-sandbox"))
        .args(["serve", "--port", "0", "--neropay-secret-key", SECRET])
        .args(["--neropay-webhook-secret", WEBHOOK_SECRET])
        .args(["--retry-schedule-ms", "50,50"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start paybridge-sandbox");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the listening line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_string();
    Sandbox { child, base }
}

/// A one-shot HTTP receiver: answers 200 and hands over (headers, body).
fn ipn_receiver() -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind receiver");
    let url = format!("http://{}/ipn", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut headers = Vec::new();
        loop {
            let mut l = String::new();
            reader.read_line(&mut l).expect("header line");
            let l = l.trim_end().to_string();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map(|(_, v)| v.parse().expect("length"))
            .unwrap_or(0);
        let mut body = vec![0; len];
        reader.read_exact(&mut body).expect("body");
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .expect("answer");
        let _ = tx.send((headers, body));
    });
    (url, rx)
}

fn hex_hmac(key: &str, msg: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("key");
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

fn signed_post(
    client: &reqwest::blocking::Client,
    url: &str,
    body: &str,
    key: &str,
) -> reqwest::blocking::Response {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        .to_string();
    let sig = hex_hmac(SECRET, format!("{ts}.{body}").as_bytes());
    client
        .post(url)
        .header("Authorization", format!("Bearer {SECRET}"))
        .header("Content-Type", "application/json")
        .header("X-NeroPay-Timestamp", ts)
        .header("X-NeroPay-Signature", sig)
        .header("Idempotency-Key", key)
        .body(body.to_string())
        .send()
        .expect("request")
}

#[test]
fn a_signed_link_paid_through_control_delivers_a_signed_ipn() {
    let sandbox = start_sandbox();
    let (ipn_url, ipn_rx) = ipn_receiver();
    let client = reqwest::blocking::Client::new();
    let api = format!("{}/neropay/v2", sandbox.base);
    let body = format!(
        r#"{{"identifier":"PERFEX_CRM-1001","amount":12.50,"currency":"GBP","details":"Invoice 1001","success_url":"http://127.0.0.1/ok","cancel_url":"http://127.0.0.1/cancel","ipn_url":"{ipn_url}"}}"#
    );

    let unsigned = client
        .post(format!("{api}/payment-links"))
        .header("Authorization", format!("Bearer {SECRET}"))
        .header("Idempotency-Key", "k-unsigned")
        .body(body.clone())
        .send()
        .expect("request");
    assert_eq!(unsigned.status().as_u16(), 401);
    let err: Value = unsigned.json().expect("json");
    assert_eq!(err["error"]["code"], "invalid_signature");

    let created = signed_post(&client, &format!("{api}/payment-links"), &body, "k-1001");
    assert_eq!(created.status().as_u16(), 201);
    let first = created.text().expect("text");
    let link: Value = serde_json::from_str(&first).expect("json");
    assert_eq!(link["success"], true);
    assert_eq!(link["data"]["status"], "open");
    assert_eq!(link["data"]["amount"], "12.50");
    let id = link["data"]["id"].as_u64().expect("integer id");
    assert_eq!(link["data"]["checkout_url"], link["data"]["payment_link"]);

    let replay = signed_post(&client, &format!("{api}/payment-links"), &body, "k-1001");
    assert_eq!(replay.status().as_u16(), 201);
    assert_eq!(
        replay.text().expect("text"),
        first,
        "a retry replays the original answer"
    );

    let paid = client
        .post(format!(
            "{}/_control/neropay/payments/{id}/pay",
            sandbox.base
        ))
        .body("{}")
        .send()
        .expect("control pay");
    assert_eq!(paid.status().as_u16(), 200);

    let (headers, ipn) = ipn_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("IPN delivered");
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .expect(name)
    };
    let ts = header("x-neropay-timestamp");
    let mut signed = format!("{ts}.").into_bytes();
    signed.extend_from_slice(&ipn);
    assert_eq!(
        header("x-neropay-signature"),
        hex_hmac(WEBHOOK_SECRET, &signed)
    );
    let event: Value = serde_json::from_slice(&ipn).expect("IPN json");
    assert_eq!(event["type"], "transaction.succeeded");
    assert_eq!(event["transaction"]["status"], "succeeded");
    assert_eq!(event["transaction"]["amount"], "12.50");
    assert!(event["id"].as_str().expect("event id").starts_with("evt_"));

    let reread: Value = client
        .get(format!("{api}/payment-links/{id}"))
        .header("Authorization", format!("Bearer {SECRET}"))
        .send()
        .expect("get link")
        .json()
        .expect("json");
    assert_eq!(reread["data"]["status"], "paid");
    assert_eq!(reread["data"]["transaction"]["status"], "succeeded");

    let requests: Value = client
        .get(format!("{}/_control/requests", sandbox.base))
        .send()
        .expect("requests")
        .json()
        .expect("json");
    let keys: Vec<&Value> = requests
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["idempotency_key"] == "k-1001")
        .collect();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|r| r["signature_valid"] == true));
}
