//! Current state from the settled transaction (issue 9 contract 2): "paid, then refunded,
//! webhook missed" never reads as paid on a return URL or re-check; and `mode` (contract 1) comes
//! from the provider's API (Payrexx `Transaction/{id}` `mode`), never from a webhook body's claim.

use crate::common::Sandbox;
use crate::support::*;
use paybridge_core::providers::{self, Config};
use paybridge_core::webhook::{system_now, Mode, PaymentStatus, Verified};
use serde_json::json;

pub fn refunded_payment_is_never_reported_paid(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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

pub fn partially_refunded_payment_reports_partially_refunded(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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

pub fn charged_back_payment_reports_chargeback(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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
        return;
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

pub fn refunded_payment_reports_the_settled_amount_of_its_transaction(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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

pub fn reports_no_mode(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
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

#[test]
fn payrexx_test_mode_transaction_reports_mode_test() {
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
fn a_webhook_bodys_mode_claim_is_never_authoritative() {
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
