//! One conformance suite run against every provider through the sandbox over real loopback HTTP
//! (style.md: arrow-rs object_store's `conformance::*`): create, retrieve, webhook confirm,
//! retries with one idempotency key, error mapping, and zero/three-decimal currencies.

mod common;

use common::Sandbox;
use paybridge_core::money::{Currency, Money};
use paybridge_core::providers::{self, Config, Hint, PaymentRequest, Provider};
use paybridge_core::webhook::{system_now, Headers, Mode, PaymentStatus, Verified};
use serde_json::{json, Value};

struct Case {
    name: &'static str,
    paid_event: &'static str,
    currency: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "neropay",
        paid_event: "transaction.succeeded",
        currency: "EUR",
    },
    Case {
        name: "payrexx",
        paid_event: "confirmed",
        currency: "CHF",
    },
    Case {
        name: "noxipay",
        paid_event: "payment.completed",
        currency: "EUR",
    },
];

const SANDBOX_ARGS: &[&str] = &[
    "--payrexx-webhook-key",
    "pxwh_sbx",
    "--noxipay-webhook-secret",
    "nxwh_sbx",
];

fn config(sb: &Sandbox, provider: &str, secret: Option<&str>) -> Config {
    match provider {
        "neropay" => Config::new()
            .with("secret_key", secret.unwrap_or("sk_test_neropay"))
            .with("base_url", &format!("{}/neropay/v2", sb.url)),
        "payrexx" => Config::new()
            .with("instance", "demo")
            .with("secret_key", secret.unwrap_or("px_test_secret"))
            .with("webhook_secret", "pxwh_sbx")
            .with("base_url", &format!("{}/payrexx/v1.14", sb.url)),
        "noxipay" => Config::new()
            .with("secret_key", secret.unwrap_or("nx_test_secret"))
            .with("webhook_secret", "nxwh_sbx")
            .with("base_url", &format!("{}/noxipay/v1", sb.url)),
        other => panic!("{other}"),
    }
}

fn gateway(sb: &Sandbox, provider: &str) -> Box<dyn Provider> {
    providers::build(provider, &config(sb, provider, None)).unwrap()
}

fn request(reference: &str, amount: &str, currency: &str) -> PaymentRequest {
    PaymentRequest {
        money: Money::parse_payment(amount, Currency::from_code(currency).unwrap()).unwrap(),
        reference: reference.into(),
        description: format!("Invoice {reference}"),
        success_url: "http://127.0.0.1:9/ok".into(),
        cancel_url: "http://127.0.0.1:9/cancel".into(),
        notify_url: Some("http://127.0.0.1:9/ipn".into()),
        metadata: vec![],
        customer_name: None,
        customer_email: Some("jane@example.test".into()),
        idempotency_key: None,
    }
}

fn posts(sb: &Sandbox, provider: &str) -> Vec<Value> {
    let all = sb.control("GET", "/requests", None);
    all.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["provider"] == provider && r["method"] == "POST")
        .cloned()
        .collect()
}

fn sandbox_webhook(sb: &Sandbox, provider: &str, id: &str, event: &str) -> (Vec<u8>, Headers) {
    let w = sb.control(
        "GET",
        &format!("/{provider}/payments/{id}/webhook?type={event}"),
        None,
    );
    let mut h = Headers::new();
    for (k, v) in w["headers"].as_object().unwrap_or(&serde_json::Map::new()) {
        h.push(k, v.as_str().unwrap()).unwrap();
    }
    if let Some(ct) = w["content_type"].as_str() {
        h.push("Content-Type", ct).unwrap();
    }
    (
        w["body"].as_str().unwrap_or_default().as_bytes().to_vec(),
        h,
    )
}

#[test]
fn conformance_create_then_retrieve_reports_pending_then_paid() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES {
        let gw = gateway(&sb, c.name);
        let p = gw
            .create_payment(&request(&format!("CONF-{}-1", c.name), "12.50", c.currency))
            .unwrap();
        assert!(
            p.checkout_url.as_deref().unwrap_or("").starts_with(&sb.url),
            "{}: {:?}",
            c.name,
            p.checkout_url
        );
        assert_eq!(
            (p.status, p.money.minor(), p.money.currency().code()),
            (PaymentStatus::Pending, 1250, c.currency),
            "{}",
            c.name
        );
        assert_eq!(
            gw.retrieve_payment(&p.id).unwrap().status,
            PaymentStatus::Pending,
            "{}",
            c.name
        );
        sb.control(
            "POST",
            &format!("/{}/payments/{}/pay", c.name, p.id),
            Some(json!({"deliver": false})),
        );
        let again = gw.retrieve_payment(&p.id).unwrap();
        assert_eq!(
            (again.status, again.money.minor()),
            (PaymentStatus::Paid, 1250),
            "{}",
            c.name
        );
    }
}

#[test]
fn conformance_confirm_webhook_returns_the_apis_facts() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES {
        let gw = gateway(&sb, c.name);
        let p = gw
            .create_payment(&request(&format!("CONF-{}-2", c.name), "30.00", c.currency))
            .unwrap();
        let hint = Hint {
            payment_id: Some(p.id.clone()),
            reference: None,
        };
        sb.control(
            "POST",
            &format!("/{}/payments/{}/pay", c.name, p.id),
            Some(json!({"deliver": false})),
        );
        let (body, headers) = sandbox_webhook(&sb, c.name, &p.id, c.paid_event);
        let e = gw
            .confirm_webhook(&body, &headers, &hint, system_now())
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(
            (e.status, e.verified, e.money.unwrap().minor()),
            (PaymentStatus::Paid, Verified::Api, 3000),
            "{}",
            c.name
        );
        assert_eq!(e.payment_id.as_deref(), Some(p.id.as_str()), "{}", c.name);
        assert!(!e.id.is_empty());
    }
}

#[test]
fn conformance_signed_webhooks_reject_tampering() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES.iter().filter(|c| c.name != "neropay") {
        let gw = gateway(&sb, c.name);
        let p = gw
            .create_payment(&request(&format!("CONF-{}-3", c.name), "5.00", c.currency))
            .unwrap();
        let (mut body, headers) = sandbox_webhook(&sb, c.name, &p.id, c.paid_event);
        assert!(
            gw.parse_webhook(&body, &headers, system_now()).is_ok(),
            "{}",
            c.name
        );
        let last = body.len() - 2;
        body[last] ^= 1;
        let err = gw.parse_webhook(&body, &headers, system_now()).unwrap_err();
        assert_eq!(err.code(), "signature_mismatch", "{}", c.name);
    }
}

#[test]
fn conformance_retries_reuse_one_idempotency_key() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES {
        if c.name == "payrexx" {
            // providers.md §P1/§P3, contract 3: Payrexx honours no idempotency key, so a create
            // that reached it is never re-sent, not even after a 5xx (issue 9 item 10).
            sb.control(
                "POST",
                "/faults",
                Some(json!({"fail_next": 1, "fail_status": 503, "retry_after": 0, "provider": c.name})),
            );
            let before = posts(&sb, c.name).len();
            let err = gateway(&sb, c.name)
                .create_payment(&request("CONF-payrexx-4", "7.00", c.currency))
                .unwrap_err();
            assert_eq!(err.code(), "provider_rejected", "{err}");
            assert_eq!(posts(&sb, c.name).len(), before + 1, "sent exactly once");
            continue;
        }
        sb.control(
            "POST",
            "/faults",
            Some(json!({"fail_next": 2, "fail_status": 503, "retry_after": 0, "provider": c.name})),
        );
        gateway(&sb, c.name)
            .create_payment(&request(&format!("CONF-{}-4", c.name), "7.00", c.currency))
            .unwrap();
        let log = posts(&sb, c.name);
        let last3: Vec<_> = log[log.len() - 3..].to_vec();
        let statuses: Vec<u64> = last3
            .iter()
            .map(|r| r["status"].as_u64().unwrap())
            .collect();
        assert_eq!(&statuses[..2], &[503, 503], "{}", c.name);
        assert!(
            (200..300).contains(&statuses[2]),
            "{}: {statuses:?}",
            c.name
        );
        assert!(
            last3
                .iter()
                .all(|r| r["idempotency_key"] == last3[0]["idempotency_key"]),
            "{}: {last3:?}",
            c.name
        );
    }
}

#[test]
fn conformance_errors_map_to_provider_rejected_with_status() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES {
        let bad = providers::build(c.name, &config(&sb, c.name, Some("wrong-secret"))).unwrap();
        match bad
            .create_payment(&request("CONF-ERR", "1.00", c.currency))
            .unwrap_err()
        {
            paybridge_core::Error::ProviderRejected { http_status, .. } => assert!(
                matches!(http_status, 401 | 403),
                "{}: {http_status}",
                c.name
            ),
            other => panic!("{}: {other:?}", c.name),
        }
        match gateway(&sb, c.name).retrieve_payment("999999").unwrap_err() {
            paybridge_core::Error::ProviderRejected {
                http_status: 404, ..
            } => {}
            other => panic!("{}: {other:?}", c.name),
        }
    }
}

#[test]
fn conformance_zero_and_three_decimal_currencies_round_trip_exactly() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for name in ["payrexx", "noxipay"] {
        let gw = gateway(&sb, name);
        let jpy = gw
            .create_payment(&request(&format!("CONF-{name}-JPY"), "1000", "JPY"))
            .unwrap();
        assert_eq!(
            (jpy.money.minor(), jpy.money.to_decimal().as_str()),
            (1000, "1000"),
            "{name}"
        );
        let kwd = gw
            .create_payment(&request(&format!("CONF-{name}-KWD"), "1.250", "KWD"))
            .unwrap();
        assert_eq!(
            (kwd.money.minor(), kwd.money.to_decimal().as_str()),
            (1250, "1.250"),
            "{name}"
        );
        assert_eq!(
            gw.retrieve_payment(&kwd.id).unwrap().money,
            kwd.money,
            "{name}"
        );
    }
}

#[test]
fn conformance_a_paid_payment_reports_what_was_settled_not_what_was_asked() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES {
        let gw = gateway(&sb, c.name);
        let p = gw
            .create_payment(&request(
                &format!("CONF-{}-SETTLE", c.name),
                "12.50",
                c.currency,
            ))
            .unwrap();
        sb.control(
            "POST",
            &format!("/{}/payments/{}/pay", c.name, p.id),
            Some(json!({"amount": "10.00", "currency": "GBP", "deliver": false})),
        );
        let got = gw.retrieve_payment(&p.id).unwrap();
        assert_eq!(got.status, PaymentStatus::Paid, "{}", c.name);
        assert_eq!(
            (got.money.minor(), got.money.currency().code()),
            (1000, "GBP"),
            "{}",
            c.name
        );
        let (body, headers) = sandbox_webhook(&sb, c.name, &p.id, c.paid_event);
        let hint = Hint {
            payment_id: Some(p.id.clone()),
            reference: None,
        };
        let e = gw
            .confirm_webhook(&body, &headers, &hint, system_now())
            .unwrap();
        assert_eq!(
            (e.money.unwrap().minor(), e.money.unwrap().currency().code()),
            (1000, "GBP"),
            "{}",
            c.name
        );
    }
}

// Issue 9, contract 2: a payment reports its current state from its settled transaction, so
// "paid, then refunded, webhook missed" never reads as paid on a return URL or re-check.

fn act(sb: &Sandbox, provider: &str, id: &str, action: &str, body: Value) -> Value {
    let mut body = body;
    body["deliver"] = json!(false);
    sb.control(
        "POST",
        &format!("/{provider}/payments/{id}/{action}"),
        Some(body),
    )
}

fn hint(id: &str) -> Hint {
    Hint {
        payment_id: Some(id.into()),
        reference: None,
    }
}

/// The webhook the sandbox would send for a successful payment, replayed after the state moved
/// on: its body still claims success.
fn stale_paid_claim(
    sb: &Sandbox,
    gw: &dyn Provider,
    c: &Case,
    id: &str,
) -> paybridge_core::webhook::Event {
    let (body, headers) = sandbox_webhook(sb, c.name, id, c.paid_event);
    gw.confirm_webhook(&body, &headers, &hint(id), system_now())
        .unwrap_or_else(|e| panic!("{}: {e}", c.name))
}

#[test]
fn conformance_refunded_payment_is_never_reported_paid() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES {
        let gw = gateway(&sb, c.name);
        let p = gw
            .create_payment(&request(
                &format!("CONF-{}-RF", c.name),
                "20.00",
                c.currency,
            ))
            .unwrap();
        act(&sb, c.name, &p.id, "pay", json!({}));
        assert_eq!(
            gw.retrieve_payment(&p.id).unwrap().status,
            PaymentStatus::Paid
        );
        act(&sb, c.name, &p.id, "refund", json!({}));
        let got = gw.retrieve_payment(&p.id).unwrap();
        assert_eq!(
            (got.status, got.money.minor(), got.money.currency().code()),
            (PaymentStatus::Refunded, 2000, c.currency),
            "{}",
            c.name
        );
        let e = stale_paid_claim(&sb, gw.as_ref(), c, &p.id);
        assert_eq!(
            (e.status, e.verified),
            (PaymentStatus::Refunded, Verified::Api),
            "{}: a body claiming success does not make a refunded payment paid",
            c.name
        );
    }
}

#[test]
fn conformance_partially_refunded_payment_reports_partially_refunded() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES {
        let gw = gateway(&sb, c.name);
        let p = gw
            .create_payment(&request(
                &format!("CONF-{}-PR", c.name),
                "20.00",
                c.currency,
            ))
            .unwrap();
        act(&sb, c.name, &p.id, "pay", json!({}));
        act(
            &sb,
            c.name,
            &p.id,
            "partial_refund",
            json!({"amount": "5.00"}),
        );
        let got = gw.retrieve_payment(&p.id).unwrap();
        assert_eq!(
            (got.status, got.money.minor()),
            (PaymentStatus::PartiallyRefunded, 2000),
            "{}: the state is partially refunded, the money is what the transaction settled",
            c.name
        );
        let e = stale_paid_claim(&sb, gw.as_ref(), c, &p.id);
        assert_eq!(e.status, PaymentStatus::PartiallyRefunded, "{}", c.name);
    }
}

#[test]
fn conformance_charged_back_payment_reports_chargeback() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES {
        let gw = gateway(&sb, c.name);
        let p = gw
            .create_payment(&request(
                &format!("CONF-{}-CB", c.name),
                "20.00",
                c.currency,
            ))
            .unwrap();
        act(&sb, c.name, &p.id, "pay", json!({}));
        let answer = act(&sb, c.name, &p.id, "chargeback", json!({}));
        if c.name == "neropay" {
            // providers.md §N4 knows no chargeback state: the sandbox refuses to invent one.
            assert!(
                answer["error"]
                    .as_str()
                    .unwrap_or("")
                    .contains("only simulated"),
                "{answer}"
            );
            continue;
        }
        let got = gw.retrieve_payment(&p.id).unwrap();
        assert_eq!(
            (got.status, got.money.minor()),
            (PaymentStatus::Chargeback, 2000),
            "{}",
            c.name
        );
        let e = stale_paid_claim(&sb, gw.as_ref(), c, &p.id);
        assert_eq!(e.status, PaymentStatus::Chargeback, "{}", c.name);
    }
}

#[test]
fn conformance_refunded_payment_reports_the_settled_amount_of_its_transaction() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES {
        let gw = gateway(&sb, c.name);
        let p = gw
            .create_payment(&request(
                &format!("CONF-{}-RS", c.name),
                "12.50",
                c.currency,
            ))
            .unwrap();
        act(
            &sb,
            c.name,
            &p.id,
            "pay",
            json!({"amount": "10.00", "currency": "GBP"}),
        );
        act(&sb, c.name, &p.id, "refund", json!({}));
        let got = gw.retrieve_payment(&p.id).unwrap();
        assert_eq!(
            (got.status, got.money.minor(), got.money.currency().code()),
            (PaymentStatus::Refunded, 1000, "GBP"),
            "{}: never the amount the payment asked for",
            c.name
        );
    }
}

// Issue 9, contract 1: `mode` comes from the provider's API (Payrexx `Transaction/{id}` `mode`),
// never from a webhook body's claim; NeroPay and Noxipay report none.

#[test]
fn conformance_payrexx_test_mode_transaction_reports_mode_test() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    let gw = gateway(&sb, "payrexx");
    let test = gw
        .create_payment(&request("CONF-payrexx-MODE-T", "9.00", "CHF"))
        .unwrap();
    let live = gw
        .create_payment(&request("CONF-payrexx-MODE-L", "9.00", "CHF"))
        .unwrap();
    assert_eq!(test.mode, None, "no transaction yet, no mode");
    act(&sb, "payrexx", &test.id, "pay", json!({"mode": "TEST"}));
    act(&sb, "payrexx", &live.id, "pay", json!({}));

    let got = gw.retrieve_payment(&test.id).unwrap();
    assert_eq!(
        (got.status, got.mode),
        (PaymentStatus::Paid, Some(Mode::Test))
    );
    assert_eq!(
        gw.retrieve_payment(&live.id).unwrap().mode,
        Some(Mode::Live)
    );

    let (body, headers) = sandbox_webhook(&sb, "payrexx", &test.id, "confirmed");
    assert_eq!(
        gw.parse_webhook(&body, &headers, system_now())
            .unwrap()
            .mode,
        Some(Mode::Test),
        "the webhook's transaction.mode"
    );
    let e = gw
        .confirm_webhook(&body, &headers, &hint(&test.id), system_now())
        .unwrap();
    assert_eq!((e.status, e.mode), (PaymentStatus::Paid, Some(Mode::Test)));
}

#[test]
fn conformance_a_webhook_bodys_mode_claim_is_never_authoritative() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    // Without a webhook signing key the Payrexx body is unverified input (§P4).
    let unsigned = providers::build(
        "payrexx",
        &Config::new()
            .with("instance", "demo")
            .with("secret_key", "px_test_secret")
            .with("base_url", &format!("{}/payrexx/v1.14", sb.url)),
    )
    .unwrap();
    let p = unsigned
        .create_payment(&request("CONF-payrexx-MODE-F", "9.00", "CHF"))
        .unwrap();
    act(&sb, "payrexx", &p.id, "pay", json!({"mode": "TEST"}));
    let (body, headers) = sandbox_webhook(&sb, "payrexx", &p.id, "confirmed");
    let forged = String::from_utf8(body)
        .unwrap()
        .replace("\"mode\":\"TEST\"", "\"mode\":\"LIVE\"");
    assert!(forged.contains("\"mode\":\"LIVE\""));
    let e = unsigned
        .confirm_webhook(forged.as_bytes(), &headers, &hint(&p.id), system_now())
        .unwrap();
    assert_eq!(e.mode, Some(Mode::Test), "the API's mode, not the body's");
}

#[test]
fn conformance_neropay_and_noxipay_report_no_mode() {
    let sb = Sandbox::start(SANDBOX_ARGS);
    for c in CASES.iter().filter(|c| c.name != "payrexx") {
        let gw = gateway(&sb, c.name);
        let p = gw
            .create_payment(&request(
                &format!("CONF-{}-NOMODE", c.name),
                "9.00",
                c.currency,
            ))
            .unwrap();
        act(&sb, c.name, &p.id, "pay", json!({}));
        assert_eq!(gw.retrieve_payment(&p.id).unwrap().mode, None, "{}", c.name);
        assert_eq!(
            stale_paid_claim(&sb, gw.as_ref(), c, &p.id).mode,
            None,
            "{}",
            c.name
        );
        let refused = act(&sb, c.name, &p.id, "pay", json!({"mode": "TEST"}));
        assert!(refused["error"].is_string(), "{}: {refused}", c.name);
    }
}
