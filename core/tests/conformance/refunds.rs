//! Refunds (issue 13 contracts 1–3) for every provider through the sandbox: partial refunds add
//! up and are listed with their ids, refusals send nothing, keys are sent as given where the
//! provider takes them, and an asynchronously failing refund ends failed.

use crate::common::Sandbox;
use crate::support::*;
use paybridge_core::providers::Provider;
use paybridge_core::refund::{RefundRequest, RefundStatus};
use paybridge_core::request::AmountInput;
use paybridge_core::webhook::PaymentStatus;
use serde_json::json;

fn paid(sb: &Sandbox, gw: &dyn Provider, c: &Case, tag: &str, amount: &str) -> String {
    let p = gw
        .create_payment(&request(
            &format!("CONF-{}-{tag}", c.name),
            amount,
            c.currency,
        ))
        .unwrap();
    act(sb, c.name, &p.id, "pay", json!({}));
    p.id
}

fn amount(a: &str) -> RefundRequest {
    RefundRequest {
        amount: Some(AmountInput::Decimal(a.into())),
        ..RefundRequest::full()
    }
}

fn refund_posts(sb: &Sandbox, c: &Case) -> Vec<serde_json::Value> {
    posts(sb, c.name)
        .into_iter()
        .filter(|r| r["path"].as_str().unwrap_or("").contains("refund"))
        .collect()
}

pub fn partial_refunds_add_up_and_are_listed_with_their_ids(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
    let gw = gateway(&sb, c.name);
    let id = paid(&sb, gw.as_ref(), c, "RA", "20.00");
    let a = gw.refund_payment(&id, &amount("5.00")).unwrap();
    let b = gw.refund_payment(&id, &amount("7.50")).unwrap();
    assert_eq!(
        (a.status, b.status),
        (RefundStatus::Succeeded, RefundStatus::Succeeded),
        "{}",
        c.name
    );
    let p = gw.retrieve_payment(&id).unwrap();
    assert_eq!(p.status, PaymentStatus::PartiallyRefunded, "{}", c.name);
    assert_eq!(p.refunds.refunded.minor(), 1250, "{}", c.name);
    let ids: Vec<_> = p.refunds.refunds.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, vec![a.id, b.id], "{}", c.name);
    let rest = gw.refund_payment(&id, &RefundRequest::full()).unwrap();
    assert_eq!(rest.money.minor(), 750, "{}", c.name);
    assert_eq!(
        gw.retrieve_payment(&id).unwrap().status,
        PaymentStatus::Refunded,
        "{}",
        c.name
    );
}

pub fn refusals_are_typed_and_send_no_refund_request(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
    let gw = gateway(&sb, c.name);
    let open = gw
        .create_payment(&request(&format!("CONF-{}-RU", c.name), "9.00", c.currency))
        .unwrap();
    let id = paid(&sb, gw.as_ref(), c, "RX", "10.00");
    let codes: Vec<&str> = [
        gw.refund_payment(&open.id, &RefundRequest::full()),
        gw.refund_payment(&id, &amount("10.01")),
        gw.refund_payment(
            &id,
            &RefundRequest {
                currency: Some(paybridge_core::money::Currency::from_code("JPY").unwrap()),
                ..RefundRequest::full()
            },
        ),
    ]
    .iter()
    .map(|r| r.as_ref().unwrap_err().code())
    .collect();
    assert_eq!(
        codes,
        [
            "payment_not_refundable",
            "refund_exceeds_refundable",
            "currency_mismatch"
        ],
        "{}",
        c.name
    );
    assert!(refund_posts(&sb, c).is_empty(), "{}", c.name);
}

pub fn the_callers_refund_key_is_sent_as_given_and_replays_one_refund(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
    let gw = gateway(&sb, c.name);
    let id = paid(&sb, gw.as_ref(), c, "RK", "20.00");
    let req = RefundRequest {
        idempotency_key: Some("conformance-refund-key-1".into()),
        ..amount("2.00")
    };
    let a = gw.refund_payment(&id, &req).unwrap();
    let b = gw.refund_payment(&id, &req).unwrap();
    assert_eq!(a.id, b.id, "{}", c.name);
    assert_eq!(
        gw.retrieve_payment(&id).unwrap().refunds.refunds.len(),
        1,
        "{}",
        c.name
    );
    let keys: Vec<_> = refund_posts(&sb, c)
        .iter()
        .map(|r| r["idempotency_key"].clone())
        .collect();
    assert_eq!(
        keys,
        vec![json!("conformance-refund-key-1"); 2],
        "{}",
        c.name
    );
}

/// Payrexx honours no key (providers.md §P1/§P3): none is sent for a refund either.
pub fn no_idempotency_key_is_sent_with_a_refund(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
    let gw = gateway(&sb, c.name);
    let id = paid(&sb, gw.as_ref(), c, "RN", "20.00");
    let req = RefundRequest {
        idempotency_key: Some("conformance-refund-key-2".into()),
        ..amount("2.00")
    };
    gw.refund_payment(&id, &req).unwrap();
    let sent = refund_posts(&sb, c);
    assert_eq!(sent.len(), 1, "{}", c.name);
    assert!(sent[0]["idempotency_key"].is_null(), "{}", c.name);
}

pub fn a_refund_failing_asynchronously_ends_failed(c: &Case) {
    let sb = Sandbox::start(SANDBOX_ARGS);
    let gw = gateway(&sb, c.name);
    let id = paid(&sb, gw.as_ref(), c, "RF", "20.00");
    sb.control("POST", "/faults", Some(json!({"refund_fails_async": true})));
    let r = gw.refund_payment(&id, &amount("4.00")).unwrap();
    assert_eq!(r.status, RefundStatus::Pending, "{}", c.name);
    let mut last = RefundStatus::Pending;
    for _ in 0..50 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let p = gw.retrieve_payment(&id).unwrap();
        last = p.refunds.refunds[0].status;
        if last != RefundStatus::Pending {
            assert_eq!(p.refunds.refunded.minor(), 0, "{}", c.name);
            assert_eq!(p.status, PaymentStatus::Paid, "{}", c.name);
            break;
        }
    }
    assert_eq!(last, RefundStatus::Failed, "{}", c.name);
}
