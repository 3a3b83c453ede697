//! Issue 9, contract 2, for answers the sandbox never gives (its gateway and link always agree with
//! their transaction): a small loopback server answers each path with a fixed provider answer, so
//! the client must read the transaction itself to learn the payment's current state.

use paybridge_core::providers::{self, Config, Hint, Provider};
use paybridge_core::webhook::{system_now, Headers, PaymentStatus};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

/// Serves `routes` (path prefix → JSON body, 200; anything else 404) over real loopback HTTP
/// until the test process ends.
fn serve(routes: Vec<(&'static str, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut reader = BufReader::new(s.try_clone().unwrap());
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let path = first.split(' ').nth(1).unwrap_or("").to_string();
            let (status, body) = match routes.iter().find(|(p, _)| path.starts_with(p)) {
                Some((_, b)) => (200, b.clone()),
                None => (404, r#"{"success":false,"status":"error","message":"not found","error":{"code":"resource_not_found"}}"#.to_string()),
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

fn payrexx(base: &str) -> Box<dyn Provider> {
    providers::build(
        "payrexx",
        &Config::new()
            .with("instance", "demo")
            .with("secret_key", "s")
            .with("base_url", base)
            .with_int("max_retries", 0),
    )
    .unwrap()
}

fn neropay(base: &str) -> Box<dyn Provider> {
    providers::build(
        "neropay",
        &Config::new()
            .with("secret_key", "k")
            .with("base_url", base)
            .with_int("max_retries", 0),
    )
    .unwrap()
}

fn hint(id: &str) -> Hint {
    Hint {
        payment_id: Some(id.into()),
    }
}

const CONFIRMED_GATEWAY: &str = r#"{"status":"success","data":[{"id":5,"status":"confirmed","referenceId":"INV-5","amount":1250,"currency":"CHF","invoices":[{"transactions":[{"id":9,"uuid":"ab12","status":"confirmed","amount":1250}]}]}]}"#;

fn payrexx_transaction(status: &str, gateway: u64, mode: &str) -> String {
    format!(
        r#"{{"status":"success","data":[{{"id":9,"uuid":"ab12","status":"{status}","mode":"{mode}","referenceId":"INV-5","invoice":{{"currencyAlpha3":"CHF","totalAmount":1200,"paymentRequestId":{gateway}}}}}]}}"#
    )
}

#[test]
fn a_confirmed_payrexx_gateway_whose_transaction_was_refunded_reports_refunded() {
    for (status, want) in [
        ("refunded", PaymentStatus::Refunded),
        ("partially-refunded", PaymentStatus::PartiallyRefunded),
        ("chargeback", PaymentStatus::Chargeback),
        ("cancelled", PaymentStatus::Cancelled),
        ("refund_pending", PaymentStatus::Unknown),
    ] {
        let base = serve(vec![
            ("/Gateway/5/", CONFIRMED_GATEWAY.into()),
            ("/Transaction/9/", payrexx_transaction(status, 5, "LIVE")),
        ]);
        let gw = payrexx(&base);
        assert_eq!(gw.retrieve_payment("5").unwrap().status, want, "{status}");
        let e = gw
            .confirm_webhook(b"", &Headers::new(), &hint("5"), system_now())
            .unwrap();
        assert_eq!(e.status, want, "{status}");
    }
}

#[test]
fn a_paid_payrexx_payment_reports_its_transactions_settled_amount_and_mode() {
    let base = serve(vec![
        ("/Gateway/5/", CONFIRMED_GATEWAY.into()),
        (
            "/Transaction/9/",
            payrexx_transaction("confirmed", 5, "TEST"),
        ),
    ]);
    let p = payrexx(&base).retrieve_payment("5").unwrap();
    assert_eq!(
        (p.status, p.money.minor(), p.mode.map(|m| m.as_str())),
        (PaymentStatus::Paid, 1200, Some("test"))
    );
}

#[test]
fn a_payrexx_transaction_of_another_gateway_or_none_at_all_is_never_paid() {
    let foreign = serve(vec![
        ("/Gateway/5/", CONFIRMED_GATEWAY.into()),
        (
            "/Transaction/9/",
            payrexx_transaction("confirmed", 6, "LIVE"),
        ),
    ]);
    assert_eq!(
        payrexx(&foreign).retrieve_payment("5").unwrap().status,
        PaymentStatus::Unknown
    );
    let missing = serve(vec![("/Gateway/5/", CONFIRMED_GATEWAY.into())]);
    assert_eq!(
        payrexx(&missing).retrieve_payment("5").unwrap().status,
        PaymentStatus::Unknown
    );
}

const PAID_LINK: &str = r#"{"success":true,"data":{"id":1001,"identifier":"PERFEX_CRM-1","reference":"NP-1","amount":"12.50","currency":"EUR","status":"paid","transaction":{"id":77,"status":"succeeded","amount":"12.50","currency":"EUR"}}}"#;

#[test]
fn a_paid_neropay_link_whose_transaction_belongs_to_another_link_is_never_paid() {
    let base = serve(vec![
        ("/payment-links/1001", PAID_LINK.into()),
        ("/transactions/77", r#"{"success":true,"data":{"id":77,"payment_link_id":2002,"trx":"NP-2","status":"succeeded","amount":"12.50","currency":"EUR"}}"#.into()),
    ]);
    let gw = neropay(&base);
    assert_eq!(
        gw.retrieve_payment("1001").unwrap().status,
        PaymentStatus::Unknown
    );
    let e = gw
        .confirm_webhook(b"", &Headers::new(), &hint("1001"), system_now())
        .unwrap();
    assert_eq!(e.status, PaymentStatus::Unknown);
}

#[test]
fn a_paid_neropay_link_reports_what_its_own_transaction_says_now() {
    for (status, want) in [
        ("succeeded", PaymentStatus::Paid),
        ("refunded", PaymentStatus::Refunded),
        ("partial_refunded", PaymentStatus::PartiallyRefunded),
        ("cancelled", PaymentStatus::Cancelled),
        ("failed", PaymentStatus::Failed),
        ("disputed", PaymentStatus::Unknown),
    ] {
        let base = serve(vec![
            ("/payment-links/1001", PAID_LINK.into()),
            (
                "/transactions/77",
                format!(
                    r#"{{"success":true,"data":{{"id":77,"trx":"NP-1","status":"{status}","amount":"9.99","currency":"GBP"}}}}"#
                ),
            ),
        ]);
        let p = neropay(&base).retrieve_payment("1001").unwrap();
        assert_eq!(
            (p.status, p.money.minor(), p.money.currency().code()),
            (want, 999, "GBP"),
            "{status}: the transaction's own state and money, matched by its trx"
        );
    }
}
