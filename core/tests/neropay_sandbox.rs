//! NeroPay through the core against the sandbox over real loopback HTTP (providers.md §N1–§N5).

mod common;

use common::Sandbox;
use paybridge_core::money::{Currency, Money};
use paybridge_core::providers::{self, Config, Hint, PaymentRequest, Provider};
use paybridge_core::webhook::{system_now, Headers, PaymentStatus, Verified};
use serde_json::{json, Value};

const KEY: &str = "sk_test_neropay";

fn gateway(sb: &Sandbox, extra: &[(&str, i64)]) -> Box<dyn Provider> {
    let mut c = Config::new()
        .with("secret_key", KEY)
        .with("base_url", &sb.neropay_base());
    for (k, v) in extra {
        c = c.with_int(k, *v);
    }
    providers::build("neropay", &c).unwrap()
}

fn request(reference: &str, key: Option<&str>) -> PaymentRequest {
    PaymentRequest {
        money: Money::parse_payment("12.50", Currency::from_code("EUR").unwrap()).unwrap(),
        reference: reference.into(),
        description: "Invoice".into(),
        success_url: "http://127.0.0.1:9/ok".into(),
        cancel_url: "http://127.0.0.1:9/cancel".into(),
        notify_url: Some("http://127.0.0.1:9/ipn".into()),
        metadata: vec![("invoice_id".into(), "7".into())],
        customer_name: Some("Zoë Müller".into()),
        customer_email: Some("zoe@example.test".into()),
        idempotency_key: key.map(String::from),
    }
}

fn posts(sb: &Sandbox) -> Vec<Value> {
    sb.control("GET", "/requests", None)
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST" && r["provider"] == "neropay")
        .cloned()
        .collect()
}

#[test]
fn creates_a_payment_link_with_a_signature_the_sandbox_accepts() {
    let sb = Sandbox::start(&[]);
    let p = gateway(&sb, &[])
        .create_payment(&request("PERFEX_CRM-1", None))
        .unwrap();
    assert!(p.checkout_url.as_deref().unwrap().starts_with(&sb.url));
    assert_eq!(
        (p.status, p.money.minor(), p.reference.as_str()),
        (PaymentStatus::Pending, 1250, "PERFEX_CRM-1")
    );
    let log = posts(&sb);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["signature_valid"], true);
    assert_eq!(log[0]["status"], 201);
    assert_eq!(log[0]["idempotency_key"].as_str().unwrap().len(), 32);
}

#[test]
fn retries_after_server_errors_reuse_one_idempotency_key() {
    let sb = Sandbox::start(&[]);
    sb.control(
        "POST",
        "/faults",
        Some(json!({"fail_next": 2, "fail_status": 500})),
    );
    let p = gateway(&sb, &[])
        .create_payment(&request("PERFEX_CRM-2", None))
        .unwrap();
    let log = posts(&sb);
    assert_eq!(
        log.iter()
            .map(|r| r["status"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        vec![500, 500, 201]
    );
    assert!(log
        .iter()
        .all(|r| r["idempotency_key"] == log[0]["idempotency_key"]));
    assert!(!p.id.is_empty());
}

#[test]
fn a_timeout_after_the_provider_accepted_gives_one_link_not_two() {
    let sb = Sandbox::start(&[]);
    sb.control(
        "POST",
        "/faults",
        Some(json!({"timeout_after_accept_next": 1})),
    );
    let gw = gateway(&sb, &[("timeout_ms", 700)]);
    let p = gw
        .create_payment(&request("PERFEX_CRM-3", Some("caller-key-0003")))
        .unwrap();
    let log = posts(&sb);
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log.iter()
            .all(|r| r["idempotency_key"] == "caller-key-0003"),
        "caller key used as given"
    );
    let state = sb.control("GET", &format!("/neropay/payments/{}", p.id), None);
    assert_eq!(state["identifier"], "PERFEX_CRM-3");
    let search = reqwest::blocking::Client::new()
        .get(format!(
            "{}/payment-links?q=PERFEX_CRM-3&limit=10",
            sb.neropay_base()
        ))
        .bearer_auth(KEY)
        .send()
        .unwrap()
        .json::<Value>()
        .unwrap();
    assert_eq!(search["data"].as_array().map(Vec::len), Some(1), "{search}");
}

#[test]
fn honours_retry_after_on_429_and_retries_dropped_connections() {
    let sb = Sandbox::start(&[]);
    sb.control(
        "POST",
        "/faults",
        Some(json!({"fail_next": 1, "fail_status": 429, "retry_after": 1})),
    );
    let started = std::time::Instant::now();
    gateway(&sb, &[])
        .create_payment(&request("PERFEX_CRM-4", None))
        .unwrap();
    assert!(
        started.elapsed().as_millis() >= 1000,
        "waited for Retry-After"
    );
    sb.control("POST", "/faults", Some(json!({"drop_next": 1})));
    gateway(&sb, &[])
        .create_payment(&request("PERFEX_CRM-5", None))
        .unwrap();
}

#[test]
fn gives_up_with_a_typed_error_when_retries_run_out() {
    let sb = Sandbox::start(&[]);
    sb.control(
        "POST",
        "/faults",
        Some(json!({"fail_next": 5, "fail_status": 500})),
    );
    let err = gateway(&sb, &[("max_retries", 1)])
        .create_payment(&request("PERFEX_CRM-6", None))
        .unwrap_err();
    assert_eq!(err.code(), "provider_rejected");
    assert_eq!(posts(&sb).len(), 2);
    sb.control("POST", "/faults", Some(json!({"drop_next": 5})));
    let err = gateway(&sb, &[("max_retries", 1)])
        .create_payment(&request("PERFEX_CRM-7", None))
        .unwrap_err();
    assert_eq!(err.code(), "connection_failed");
}

#[test]
fn maps_provider_errors_with_status_code_and_request_id() {
    let sb = Sandbox::start(&[]);
    let bad = providers::build(
        "neropay",
        &Config::new()
            .with("secret_key", "wrong")
            .with("base_url", &sb.neropay_base()),
    )
    .unwrap();
    match bad
        .create_payment(&request("PERFEX_CRM-8", None))
        .unwrap_err()
    {
        paybridge_core::Error::ProviderRejected {
            http_status,
            provider_code,
            request_id,
            ..
        } => {
            assert_eq!(http_status, 401);
            assert_eq!(provider_code.as_deref(), Some("authentication_failed"));
            assert!(request_id.unwrap().starts_with("req_"));
        }
        other => panic!("{other:?}"),
    }
    let mut r = request("PERFEX_CRM-9", None);
    r.money = Money::parse_payment("0.50", Currency::from_code("EUR").unwrap()).unwrap();
    let err = gateway(&sb, &[]).create_payment(&r).unwrap_err();
    assert!(
        matches!(err, paybridge_core::Error::ProviderRejected { http_status: 422, ref provider_code, .. } if provider_code.as_deref() == Some("validation_failed"))
    );
    let err = gateway(&sb, &[]).retrieve_payment("999999").unwrap_err();
    assert!(matches!(
        err,
        paybridge_core::Error::ProviderRejected {
            http_status: 404,
            ..
        }
    ));
}

#[test]
fn confirm_webhook_trusts_the_api_not_a_forged_body() {
    let sb = Sandbox::start(&[]);
    let gw = gateway(&sb, &[]);
    let p = gw.create_payment(&request("PERFEX_CRM-10", None)).unwrap();
    let forged = json!({"id": "evt_forged", "type": "transaction.succeeded",
        "transaction": {"id": 1, "trx": "x", "status": "succeeded", "amount": "12.50", "currency": "EUR"}});
    let hint = Hint {
        payment_id: Some(p.id.clone()),
    };
    let body = serde_json::to_vec(&forged).unwrap();
    let e = gw
        .confirm_webhook(&body, &Headers::new(), &hint, system_now())
        .unwrap();
    assert_eq!(
        (e.status, e.verified),
        (PaymentStatus::Pending, Verified::Api)
    );

    sb.control(
        "POST",
        &format!("/neropay/payments/{}/pay", p.id),
        Some(json!({"deliver": false})),
    );
    let e = gw
        .confirm_webhook(b"", &Headers::new(), &hint, system_now())
        .unwrap();
    assert_eq!(
        e.status,
        PaymentStatus::Paid,
        "an empty IPN with a token still re-reads the link"
    );
    assert_eq!(e.money.unwrap().minor(), 1250);

    let tx = sb.control("GET", &format!("/neropay/payments/{}", p.id), None)["transaction"]["id"]
        .clone();
    sb.control(
        "POST",
        &format!("/neropay/payments/{}/refund", p.id),
        Some(json!({"deliver": false})),
    );
    let refund = json!({"id": "evt_r", "type": "refund.succeeded", "transaction": {"id": tx}});
    let e = gw
        .confirm_webhook(
            &serde_json::to_vec(&refund).unwrap(),
            &Headers::new(),
            &hint,
            system_now(),
        )
        .unwrap();
    assert_eq!(e.status, PaymentStatus::Refunded);
}

#[test]
fn a_configured_webhook_secret_rejects_unsigned_ipns_before_any_api_call() {
    let sb = Sandbox::start(&["--neropay-webhook-secret", "whsec_sbx"]);
    let c = Config::new()
        .with("secret_key", KEY)
        .with("base_url", &sb.neropay_base())
        .with("webhook_secret", "whsec_sbx");
    let gw = providers::build("neropay", &c).unwrap();
    let hint = Hint {
        payment_id: Some("1001".into()),
    };
    let err = gw
        .confirm_webhook(
            br#"{"type":"transaction.succeeded"}"#,
            &Headers::new(),
            &hint,
            system_now(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "missing_header");
    let gets = sb.control("GET", "/requests", None);
    assert_eq!(
        gets.as_array().unwrap().len(),
        0,
        "no API call for a forged IPN"
    );
}

/// A signed §N1 write, as a merchant's back office would send it (not through the client).
fn signed_write(sb: &Sandbox, path: &str, body: &str) -> reqwest::blocking::Response {
    let ts = system_now().to_string();
    let sig = paybridge_core::signing::sign(
        KEY.as_bytes(),
        &[ts.as_bytes(), b".", body.as_bytes()],
        paybridge_core::signing::Encoding::Hex,
    );
    reqwest::blocking::Client::new()
        .post(format!("{}{path}", sb.neropay_base()))
        .bearer_auth(KEY)
        .header("Content-Type", "application/json")
        .header("X-NeroPay-Timestamp", ts)
        .header("X-NeroPay-Signature", sig)
        .header("Idempotency-Key", format!("void-{path}"))
        .body(body.to_string())
        .send()
        .unwrap()
}

#[test]
fn a_voided_transaction_reports_cancelled_while_its_link_still_says_paid() {
    let sb = Sandbox::start(&[]);
    let gw = gateway(&sb, &[]);
    let p = gw.create_payment(&request("PERFEX_CRM-11", None)).unwrap();
    sb.control(
        "POST",
        &format!("/neropay/payments/{}/pay", p.id),
        Some(json!({"deliver": false})),
    );
    let tx = sb.control("GET", &format!("/neropay/payments/{}", p.id), None)["transaction"]["id"]
        .as_u64()
        .unwrap();
    let voided = signed_write(&sb, &format!("/transactions/{tx}/cancel"), "{}");
    assert_eq!(voided.status(), 200);
    let link = sb.control("GET", &format!("/neropay/payments/{}", p.id), None);
    assert_eq!(link["status"], "paid", "§N3: the link keeps saying paid");

    assert_eq!(
        gw.retrieve_payment(&p.id).unwrap().status,
        PaymentStatus::Cancelled
    );
    let hint = Hint {
        payment_id: Some(p.id.clone()),
    };
    let claim = json!({"id": "evt_stale", "type": "transaction.succeeded",
        "transaction": {"id": tx, "status": "succeeded", "amount": "12.50", "currency": "EUR"}});
    let e = gw
        .confirm_webhook(
            &serde_json::to_vec(&claim).unwrap(),
            &Headers::new(),
            &hint,
            system_now(),
        )
        .unwrap();
    assert_eq!(e.status, PaymentStatus::Cancelled);
}
