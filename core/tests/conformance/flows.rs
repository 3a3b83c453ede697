//! Create, retrieve, confirm, signatures, retries and idempotency keys, errors, currencies.

use crate::common::Sandbox;
use crate::support::*;
use paybridge_core::providers::{self, Hint};
use paybridge_core::webhook::{system_now, PaymentStatus, Verified};
use serde_json::{json, Value};

pub fn create_then_retrieve_reports_pending_then_paid(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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

pub fn confirm_webhook_returns_the_apis_facts(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
    let gw = gateway(&sb, c.name);
    let p = gw
        .create_payment(&request(&format!("CONF-{}-2", c.name), "30.00", c.currency))
        .unwrap();
    let hint = Hint {
        payment_id: Some(p.id.clone()),
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

pub fn signed_webhooks_reject_tampering(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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

pub fn retries_reuse_one_idempotency_key(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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

pub fn a_create_is_never_re_sent_after_a_5xx(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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
}

pub fn errors_map_to_provider_rejected_with_status(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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

pub fn zero_and_three_decimal_currencies_round_trip_exactly(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
    let name = c.name;
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

pub fn a_paid_payment_reports_what_was_settled_not_what_was_asked(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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

/// providers.md §0: a caller's key is the operation's key, sent as given (not re-made).
pub fn the_callers_idempotency_key_is_sent_as_given(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
    let mut req = request(&format!("CONF-{}-KEY", c.name), "8.00", c.currency);
    req.idempotency_key = Some(format!("order-1001-{}-attempt-1", c.name));
    gateway(&sb, c.name).create_payment(&req).unwrap();
    let log = posts(&sb, c.name);
    let last = log.last().expect("the create was logged");
    assert_eq!(
        last["idempotency_key"].as_str(),
        req.idempotency_key.as_deref(),
        "{}",
        c.name
    );
}

/// providers.md §P1/§P3: Payrexx honours no idempotency key, so none is sent, not even the
/// caller's: a header Payrexx ignores would only pretend to deduplicate (issue 12 item 5).
pub fn no_idempotency_key_is_sent_not_even_the_callers(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
    let mut req = request(&format!("CONF-{}-NOKEY", c.name), "8.00", c.currency);
    req.idempotency_key = Some("order-1001-attempt-1".into());
    gateway(&sb, c.name).create_payment(&req).unwrap();
    let log = posts(&sb, c.name);
    let last = log.last().expect("the create was logged");
    assert_eq!(last["idempotency_key"], Value::Null, "{last:?}");
}
