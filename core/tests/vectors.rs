//! Runs every shared JSON vector under tests/vectors/ through the core (PHPUnit runs the same
//! files through the extension). Create-response vectors are served over real loopback HTTP.

mod common;

use common::{config_from_json, vectors};
use paybridge_core::money::{Currency, Money};
use paybridge_core::providers::{self, PaymentRequest};
use paybridge_core::webhook::{Event, Headers};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;

fn headers(v: &Value) -> Headers {
    let mut h = Headers::new();
    for (k, val) in v.as_object().unwrap() {
        h.push(k, val.as_str().unwrap()).unwrap();
    }
    h
}

fn event_json(e: &Event) -> Value {
    serde_json::json!({
        "id": e.id, "type": e.event_type, "status": e.status.as_str(), "payment_id": e.payment_id,
        "reference": e.reference, "amount": e.money.map(|m| m.to_decimal()),
        "amount_minor": e.money.map(|m| m.minor()), "currency": e.money.map(|m| m.currency().code()),
        "mode": e.mode.map(|m| m.as_str()), "verified": e.verified.as_str(),
    })
}

/// The vector's top-level `secret` (style.md vector shape) is the secret the provider verifies
/// with: one of the configured webhook secrets, or null exactly when none is configured.
fn check_secret(file: &str, v: &Value) {
    let configured: Vec<&str> = match &v["config"]["webhook_secret"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    match &v["secret"] {
        Value::Null => assert!(
            configured.is_empty() && v.get("secret").is_some(),
            "{file}: secret missing, or null while a webhook_secret is configured"
        ),
        Value::String(s) => assert!(
            configured.contains(&s.as_str()),
            "{file}: the vector's secret is not a configured webhook_secret"
        ),
        other => panic!("{file}: secret must be a string or null, not {other}"),
    }
}

fn check_webhook(file: &str, v: &Value) {
    check_secret(file, v);
    let provider = providers::build(
        v["provider"].as_str().unwrap_or("neropay"),
        &config_from_json(&v["config"]),
    )
    .unwrap();
    let body = v["body"].as_str().unwrap().as_bytes();
    let got = provider.parse_webhook(body, &headers(&v["headers"]), v["now"].as_i64().unwrap());
    match (&v["expect"]["event"], &v["expect"]["error"]) {
        (Value::Object(want), _) => {
            let got = event_json(&got.unwrap_or_else(|e| panic!("{file}: {e}")));
            for (k, w) in want {
                assert_eq!(&got[k], w, "{file}: field {k}");
            }
        }
        (_, Value::String(code)) => {
            let err = got.expect_err(file);
            assert_eq!(err.code(), code, "{file}");
            if let Some(part) = v["expect"]["message_contains"].as_str() {
                assert!(err.to_string().contains(part), "{file}: {err}");
            }
        }
        _ => panic!("{file}: vector has no expectation"),
    }
}

/// A one-shot HTTP server answering any request with `status` and `body`.
fn serve_once(status: u16, body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 65536];
        let _ = s.read(&mut buf);
        let resp = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(resp.as_bytes()).unwrap();
    });
    format!("http://{addr}")
}

fn check_create_response(file: &str, v: &Value) {
    let base = serve_once(
        v["response_status"].as_u64().unwrap() as u16,
        v["response_body"].as_str().unwrap().into(),
    );
    let mut config = config_from_json(&v["config"]);
    config.set("base_url", providers::ConfigValue::Str(base));
    config.set("max_retries", providers::ConfigValue::Int(0));
    let provider = providers::build("neropay", &config).unwrap();
    let r = &v["request"];
    let currency = Currency::from_code(r["currency"].as_str().unwrap()).unwrap();
    let req = PaymentRequest {
        money: Money::parse_payment(r["amount"].as_str().unwrap(), currency).unwrap(),
        reference: r["reference"].as_str().unwrap().into(),
        description: r["description"].as_str().unwrap().into(),
        success_url: r["success_url"].as_str().unwrap().into(),
        cancel_url: r["cancel_url"].as_str().unwrap().into(),
        notify_url: r["notify_url"].as_str().map(String::from),
        metadata: vec![],
        customer_name: None,
        customer_email: None,
        idempotency_key: None,
    };
    let p = provider
        .create_payment(&req)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let got = serde_json::json!({
        "id": p.id, "reference": p.reference, "status": p.status.as_str(), "checkout_url": p.checkout_url,
        "amount": p.money.to_decimal(), "amount_minor": p.money.minor(), "currency": p.money.currency().code(),
        "provider": p.provider,
    });
    for (k, w) in v["expect"]["payment"].as_object().unwrap() {
        assert_eq!(&got[k], w, "{file}: field {k}");
    }
}

fn check_payrexx_signature(file: &str, v: &Value) {
    let params = v["params"].as_object().unwrap();
    assert_eq!(
        paybridge_core::providers::payrexx::http_build_query(params),
        v["query"].as_str().unwrap(),
        "{file}: query"
    );
    let sig = paybridge_core::providers::payrexx::api_signature(
        v["secret"].as_str().unwrap().as_bytes(),
        params,
    );
    assert_eq!(sig, v["signature"].as_str().unwrap(), "{file}: signature");
}

/// A NeroPay refund request (§N4): the body the core writes for the request, and the §N1
/// signature of `timestamp.body`, both compared with what the vector's `source` produced.
fn check_neropay_refund_request(file: &str, v: &Value) {
    let r = &v["request"];
    let currency = Currency::from_code(r["currency"].as_str().unwrap()).unwrap();
    let money = Money::parse_payment(r["amount"].as_str().unwrap(), currency).unwrap();
    let body = paybridge_core::providers::neropay::refund_body(&money, r["reason"].as_str())
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        v["body"].as_str().unwrap(),
        "{file}: body"
    );
    let ts = v["timestamp"].as_i64().unwrap().to_string();
    let sig = paybridge_core::providers::neropay::write_signature(
        v["secret"].as_str().unwrap().as_bytes(),
        &ts,
        &body,
    );
    assert_eq!(sig, v["signature"].as_str().unwrap(), "{file}: signature");
}

fn run_all(provider: &str, at_least: usize) {
    let all = vectors(provider);
    assert!(all.len() >= at_least, "{provider}: vectors missing");
    for (file, v) in &all {
        match v["kind"].as_str() {
            Some("webhook") => check_webhook(file, v),
            Some("create_response") => check_create_response(file, v),
            Some("payrexx_signature") => check_payrexx_signature(file, v),
            Some("neropay_refund_request") => check_neropay_refund_request(file, v),
            other => panic!("{file}: unknown kind {other:?}"),
        }
    }
}

#[test]
fn every_neropay_vector_gives_its_expected_result() {
    run_all("neropay", 20);
}

#[test]
fn every_payrexx_vector_gives_its_expected_result_including_the_five_signature_answers() {
    run_all("payrexx", 18);
    let sigs = vectors("payrexx")
        .into_iter()
        .filter(|(_, v)| v["kind"] == "payrexx_signature")
        .count();
    assert_eq!(sigs, 5);
}

#[test]
fn both_neropay_refund_request_vectors_match_the_body_and_signature_openssl_made() {
    let n = vectors("neropay")
        .into_iter()
        .filter(|(_, v)| v["kind"] == "neropay_refund_request")
        .inspect(|(file, v)| check_neropay_refund_request(file, v))
        .count();
    assert_eq!(n, 2);
}

#[test]
fn every_noxipay_vector_gives_its_expected_result() {
    run_all("noxipay", 12);
}

#[test]
fn the_openssl_vector_is_present_and_verifies() {
    let all = vectors("neropay");
    let (file, v) = all
        .iter()
        .find(|(_, v)| v["source"].as_str().unwrap_or("").contains("openssl dgst"))
        .expect("openssl vector");
    check_webhook(file, v);
}
