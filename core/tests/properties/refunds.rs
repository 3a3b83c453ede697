//! Refund properties (issue 13): whatever sequence of refund requests a caller makes, what
//! `refund::judge` lets through never exceeds the captured total, partials add up to it exactly,
//! and arbitrary Unicode in a provider's refund answer or refund list is a typed result, never a
//! panic.

use super::*;
use paybridge_core::providers::Payment;
use paybridge_core::refund::{
    judge, refundable, RefundEntry, RefundFacts, RefundRequest, RefundStatus,
};
use paybridge_core::request::AmountInput;
use paybridge_core::webhook::PaymentStatus;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;

fn payment(captured: i64, currency: Currency, refunds: Vec<RefundEntry>) -> Payment {
    let facts = RefundFacts::from_parts(currency, None, refunds, vec![]);
    let status = if facts.refunded.minor() >= captured {
        PaymentStatus::Refunded
    } else if facts.refunded.minor() > 0 {
        PaymentStatus::PartiallyRefunded
    } else {
        PaymentStatus::Paid
    };
    Payment {
        id: "p".into(),
        reference: "R".into(),
        status,
        checkout_url: None,
        money: Money::from_minor(captured, currency),
        mode: None,
        provider: "model",
        raw: Value::Null,
        refunds: facts,
        transaction_id: None,
    }
}

fn status() -> impl Strategy<Value = RefundStatus> {
    prop_oneof![
        Just(RefundStatus::Succeeded),
        Just(RefundStatus::Pending),
        Just(RefundStatus::Failed),
    ]
}

/// One refund request, decided against what is refundable at that moment: everything left,
/// any number of minor units (zero and negatives included), or just around the boundary.
#[derive(Debug, Clone, Copy)]
enum Ask {
    All,
    Minor(i64),
    NearLeft(i64),
}

fn ask() -> impl Strategy<Value = Ask> {
    prop_oneof![
        Just(Ask::All),
        (-5i64..2_000_000).prop_map(Ask::Minor),
        (-3i64..=3).prop_map(Ask::NearLeft),
    ]
}

fn amount_of(a: Ask, left: i64) -> Option<i64> {
    match a {
        Ask::All => None,
        Ask::Minor(m) => Some(m),
        Ask::NearLeft(d) => Some(left + d),
    }
}

fn request(a: Option<i64>) -> RefundRequest {
    RefundRequest {
        amount: a.map(AmountInput::Minor),
        ..RefundRequest::full()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A provider that answers every allowed refund with `status` (failed ones hold nothing):
    /// the succeeded and pending refunds never add up to more than was captured, and each
    /// allowed refund is positive and at most what was refundable before it.
    #[test]
    fn refunds_never_exceed_the_captured_total(
        captured in 1i64..1_000_000,
        exp in prop::sample::select(vec!["JPY", "EUR", "KWD"]),
        steps in proptest::collection::vec((ask(), status()), 1..24),
    ) {
        let currency = Currency::from_code(exp).unwrap();
        let mut entries: Vec<RefundEntry> = Vec::new();
        for (i, (a, st)) in steps.into_iter().enumerate() {
            let p = payment(captured, currency, entries.clone());
            let before = refundable(&p);
            match judge(&p, &request(amount_of(a, before))) {
                Ok(order) => {
                    prop_assert!(order.money.minor() > 0 && order.money.minor() <= before);
                    prop_assert_eq!(order.money.currency(), currency);
                    entries.push(RefundEntry { id: format!("r{i}"), status: st, money: order.money });
                }
                Err(e) => prop_assert!(
                    ["refund_exceeds_refundable", "payment_not_refundable", "invalid_amount"]
                        .contains(&e.code()),
                    "{}", e.code()
                ),
            }
            let held: i64 = entries
                .iter()
                .filter(|r| r.status != RefundStatus::Failed)
                .map(|r| r.money.minor())
                .sum();
            prop_assert!(held <= captured, "{held} > {captured}");
        }
    }

    /// Partial refunds that all succeed add up to the captured total exactly once the default
    /// (everything left) is asked for; after that nothing more is refundable.
    #[test]
    fn partial_refunds_plus_the_default_add_up_to_the_captured_total(
        captured in 1i64..1_000_000,
        parts in proptest::collection::vec(1i64..200_000, 0..10),
    ) {
        let currency = Currency::from_code("EUR").unwrap();
        let mut entries: Vec<RefundEntry> = Vec::new();
        let take = |entries: &mut Vec<RefundEntry>, a: Option<i64>| {
            let p = payment(captured, currency, entries.clone());
            if let Ok(order) = judge(&p, &request(a)) {
                entries.push(RefundEntry {
                    id: format!("r{}", entries.len()),
                    status: RefundStatus::Succeeded,
                    money: order.money,
                });
            }
        };
        for part in parts {
            take(&mut entries, Some(part));
        }
        take(&mut entries, None);
        let p = payment(captured, currency, entries.clone());
        prop_assert_eq!(p.refunds.refunded.minor(), captured);
        prop_assert_eq!(refundable(&p), 0);
        prop_assert_eq!(p.status, PaymentStatus::Refunded);
        prop_assert_eq!(
            judge(&p, &RefundRequest::full()).unwrap_err().code(),
            "payment_not_refundable"
        );
    }
}

/// A loopback server answering each request by its method and path: GETs with a paid payment of
/// the provider (its refund list and refunded total carrying `list_field`, or empty without it),
/// POSTs with `refund_body`.
fn serve(provider: &'static str, list_field: Option<String>, refund_body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut s) = stream else { continue };
            let mut reader = BufReader::new(s.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; len];
            let _ = reader.read_exact(&mut body);
            let entry = match &list_field {
                Some(f) => json!([{"id": f, "amount": f, "currency": f, "status": f}]),
                None => json!([]),
            };
            let answer = if line.starts_with("POST") {
                refund_body.clone()
            } else {
                match provider {
                    "noxipay" => json!({"id": "pay_1", "status": "completed", "amount": 1000,
                        "currency": "EUR", "refunds": entry, "amount_refunded": list_field}).to_string(),
                    "neropay" if line.contains("/transactions/") => json!({"success": true, "data": {
                        "id": 77, "trx": "NP-1", "status": "succeeded", "amount": "10.00",
                        "currency": "EUR", "payment_link_id": 1, "refunds": entry}}).to_string(),
                    "neropay" => json!({"success": true, "data": {"id": 1, "reference": "NP-1",
                        "amount": "10.00", "currency": "EUR", "status": "paid",
                        "transaction": {"id": 77}}}).to_string(),
                    _ if line.contains("/Transaction/") => json!({"status": "success", "data": [{
                        "id": 77, "uuid": "u1", "status": "confirmed", "mode": "LIVE",
                        "invoice": {"currencyAlpha3": "CHF", "totalAmount": 1000, "paymentRequestId": 1,
                            "refundedAmount": list_field}, "refunds": entry}]}).to_string(),
                    _ => json!({"status": "success", "data": [{"id": 1, "status": "confirmed",
                        "amount": 1000, "currency": "CHF",
                        "invoices": [{"transactions": [{"id": 77, "uuid": "u1", "status": "confirmed"}]}]}]})
                        .to_string(),
                }
            };
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = s.write_all(resp.as_bytes());
        }
    });
    url
}

fn refund_through(
    provider: &str,
    base: &str,
) -> paybridge_core::Result<paybridge_core::refund::Refund> {
    let mut c = Config::new()
        .with("secret_key", "sk")
        .with("base_url", base);
    c.set("max_retries", ConfigValue::Int(0));
    if provider == "payrexx" {
        c = c.with("instance", "demo");
    }
    let req = RefundRequest {
        amount: Some(AmountInput::Minor(100)),
        ..RefundRequest::full()
    };
    providers::build(provider, &c)
        .unwrap()
        .refund_payment("1", &req)
}

/// The fuzzing below is not vacuous: with well-formed answers the same server and path give a
/// refund for every provider.
#[test]
fn the_fuzzing_server_gives_a_refund_when_the_answers_are_well_formed() {
    for (provider, currency) in [("neropay", "EUR"), ("payrexx", "CHF"), ("noxipay", "EUR")] {
        let amount = if provider == "neropay" {
            json!("1.00")
        } else {
            json!(100)
        };
        let refund = json!({"id": "re_9", "amount": amount, "currency": currency,
            "status": "succeeded", "payment_id": "pay_1", "originalTransactionId": 77});
        let body = match provider {
            "noxipay" => refund.to_string(),
            "neropay" => json!({"success": true, "data": {"refund": refund}}).to_string(),
            _ => json!({"status": "success", "data": [refund]}).to_string(),
        };
        let base = serve(provider, None, body);
        let r = refund_through(provider, &base);
        assert!(r.is_ok(), "{provider}: {r:?}");
    }
}

fn fuzz_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(?s).{0,12}",
        prop::sample::select(vec![
            "",
            "5.00",
            "500",
            "re_1",
            "succeeded",
            "pending",
            "refunded",
            "€",
            "😀",
            "5.0\u{0301}",
            "\u{202E}5.00",
            "\0",
            "١٢",
            "-5",
            "99999999999999999999",
        ])
        .prop_map(str::to_string),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Arbitrary Unicode in a refund answer (id, amount, currency, status) and in the refund
    /// list of the payment read: `refund_payment` gives a refund or a typed error, never panics.
    #[test]
    fn unicode_in_refund_answers_and_lists_never_panics(
        provider in prop::sample::select(vec!["neropay", "payrexx", "noxipay"]),
        f in proptest::collection::vec(fuzz_text(), 5),
        number in any::<bool>(),
        with_list in any::<bool>(),
    ) {
        let v = |s: &String| if number { s.parse::<i64>().map(|n| json!(n)).unwrap_or(json!(s)) } else { json!(s) };
        let refund = json!({"id": v(&f[0]), "amount": v(&f[1]), "currency": f[2], "status": f[3],
            "payment_id": "pay_1", "originalTransactionId": 77});
        let body = match provider {
            "noxipay" => refund.to_string(),
            "neropay" => json!({"success": true, "data": {"refund": refund}}).to_string(),
            _ => json!({"status": "success", "data": [refund]}).to_string(),
        };
        let base = serve(provider, with_list.then(|| f[4].clone()), body);
        match refund_through(provider, &base) {
            Ok(r) => prop_assert!(!r.id.is_empty()),
            Err(e) => prop_assert!(
                ["invalid_response", "refund_exceeds_refundable", "payment_not_refundable",
                 "provider_rejected", "connection_failed", "timeout"].contains(&e.code()),
                "{provider}: {} {e}", e.code()
            ),
        }
    }
}
