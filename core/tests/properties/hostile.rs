//! Arbitrary Unicode in every field of every provider's webhooks, payment requests and ids: a
//! typed error or a result, never a panic.

use super::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "(?s).{0,24}",
        any::<String>(),
        "[0-9]{1,6}\\.[0-9]{0,4}(?s).{0,3}",
        "(?s).{0,3}[0-9]{1,4}\\.(?s).{0,4}",
        prop::sample::select(vec![
            "1.1é",
            "12.5€",
            "1.€",
            "15.99\u{200B}",
            "1.00\u{202E}",
            "\u{202E}12.50",
            "1.😀",
            "😀",
            "1.1\u{0301}",
            "١.٢٣",
            "1.00\0",
            "\0",
            "\u{1}\u{7f}",
            "\u{FEFF}12.50",
            "",
            "EUR",
            "eur",
            "€UR",
            "12.50",
            "1250",
            "confirmed",
            "succeeded",
        ])
        .prop_map(str::to_string),
    ]
}

/// A field's value: the hostile text as a string, or the same text where a number could be.
fn field(t: &str, as_number: bool) -> Value {
    match (as_number, t.parse::<i64>()) {
        (true, Ok(n)) => json!(n),
        _ => json!(t),
    }
}

/// Real event shapes of all three providers with every string field replaced, when its `mask`
/// bit is set, by arbitrary text (otherwise a valid value, so parsing gets past the field).
fn provider_bodies(f: &[String], mask: u32) -> [(&'static str, Vec<u8>); 4] {
    let pick = |i: usize, valid: &str| -> String {
        if mask & (1 << i) != 0 {
            f[i % f.len()].clone()
        } else {
            valid.to_string()
        }
    };
    let nero = json!({
        "id": pick(0, "evt_1"), "type": pick(1, "transaction.succeeded"),
        "created_at": pick(2, "2026-04-22T03:40:15+01:00"), "account_id": pick(3, "NP1"),
        "transaction": {"id": field(&pick(4, "6636598"), true), "trx": pick(5, "NP-1"),
            "status": pick(6, "succeeded"), "amount": pick(7, "15.99"), "currency": pick(8, "GBP"),
            "link_id": pick(9, "lnk_1")},
        "payment_link": {"id": pick(10, "lnk_1"), "status": pick(11, "paid")},
    });
    let nox = json!({
        "id": pick(0, "evt_1"), "type": pick(1, "payment.completed"),
        "created": pick(2, "2026-04-22T02:40:00Z"),
        "data": {"id": pick(3, "pay_1"), "payment_id": pick(4, "pay_1"), "status": pick(5, "completed"),
            "amount": field(&pick(6, "1000"), mask & (1 << 12) == 0), "currency": pick(7, "JPY"),
            "metadata": {"reference": pick(8, "INV-1")}},
    });
    let px = json!({"transaction": {
        "id": field(&pick(0, "7"), true), "uuid": pick(1, "u7"), "status": pick(2, "confirmed"),
        "amount": field(&pick(3, "1250"), mask & (1 << 12) == 0), "mode": pick(4, "LIVE"),
        "referenceId": pick(5, "INV-1"),
        "invoice": {"currency": pick(6, "CHF"), "referenceId": pick(7, "INV-1"),
            "paymentRequestId": field(&pick(8, "42"), true), "totalAmount": pick(9, "1250")},
    }});
    let form: Vec<(String, String)> = [
        ("transaction[id]", pick(0, "7")),
        ("transaction[status]", pick(2, "confirmed")),
        ("transaction[amount]", pick(3, "1250")),
        ("transaction[mode]", pick(4, "LIVE")),
        ("transaction[invoice][currency]", pick(6, "CHF")),
        ("transaction[invoice][paymentRequestId]", pick(8, "42")),
        // a hostile key as well as hostile values
        (
            &*format!("transaction[{}]", pick(10, "referenceId")),
            pick(5, "INV-1"),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let form = form
        .iter()
        .fold(
            form_urlencoded::Serializer::new(String::new()),
            |mut s, (k, v)| {
                s.append_pair(k, v);
                s
            },
        )
        .finish();
    [
        ("neropay", nero.to_string().into_bytes()),
        ("noxipay", nox.to_string().into_bytes()),
        ("payrexx", px.to_string().into_bytes()),
        ("payrexx-form", form.into_bytes()),
    ]
}

/// Gateways whose API is a closed loopback port: a confirm that reaches its re-read fails with
/// `connection_failed` instead of waiting.
fn offline_providers() -> Vec<(&'static str, Box<dyn Provider>)> {
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let base = |p: &str| format!("{dead}/{p}");
    vec![
        (
            "neropay",
            providers::build(
                "neropay",
                &Config::new()
                    .with("secret_key", "sk")
                    .with("base_url", &base("v2"))
                    .with_int("max_retries", 0),
            )
            .unwrap(),
        ),
        (
            "noxipay",
            providers::build(
                "noxipay",
                &Config::new()
                    .with("secret_key", "sk")
                    .with("webhook_secret", "whsec")
                    .with("base_url", &base("v1"))
                    .with_int("max_retries", 0),
            )
            .unwrap(),
        ),
        (
            "payrexx",
            providers::build(
                "payrexx",
                &Config::new()
                    .with("instance", "demo")
                    .with("secret_key", "sk")
                    .with("base_url", &base("v1"))
                    .with_int("max_retries", 0),
            )
            .unwrap(),
        ),
    ]
}

fn closed_port() -> u16 {
    // Bound and dropped: nothing listens there afterwards.
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Typed errors only: every code a parser, confirm or create may give for hostile input.
const EXPECTED_CODES: &[&str] = &[
    "invalid_payload",
    "invalid_amount",
    "unsupported_currency",
    "invalid_request",
    "missing_header",
    "malformed_signature",
    "signature_mismatch",
    "timestamp_out_of_tolerance",
    "connection_failed",
    "timeout",
    "config",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn unicode_in_any_webhook_field_of_any_provider_is_a_typed_error_never_a_panic(
        f in proptest::collection::vec(text(), 13),
        mask in any::<u32>(),
        header_pairs in proptest::collection::vec((text(), text()), 0..4),
        now in 1_776_825_000i64..1_776_826_000,
    ) {
        let gateways = offline_providers();
        for (kind, body) in provider_bodies(&f, mask) {
            let name = kind.trim_end_matches("-form");
            let Some((_, p)) = gateways.iter().find(|(n, _)| *n == name) else { continue };
            let mut h = Headers::new();
            for (k, v) in &header_pairs {
                let _ = h.push(k, v.as_str());
            }
            if kind == "payrexx-form" {
                let _ = h.push("Content-Type", "application/x-www-form-urlencoded");
            }
            if name == "noxipay" {
                // Signed, so the hostile fields reach the parser behind the signature check.
                let sig = format!("sha256={}", sign(b"whsec", &[&body], Encoding::Hex));
                let _ = h.push("X-Noxipay-Signature", sig);
            }
            for r in [
                p.parse_webhook(&body, &h, now),
                p.confirm_webhook(&body, &h, &Hint::default(), now),
            ] {
                if let Err(e) = r {
                    prop_assert!(EXPECTED_CODES.contains(&e.code()), "{kind}: {} {e}", e.code());
                }
            }
            let hint = Hint { payment_id: Some(f[0].clone()) };
            if let Err(e) = p.confirm_webhook(&body, &h, &hint, now) {
                prop_assert!(EXPECTED_CODES.contains(&e.code()), "{kind}: {} {e}", e.code());
            }
        }
    }

    #[test]
    fn unicode_in_any_header_name_or_value_never_panics(
        pairs in proptest::collection::vec((text(), text()), 0..8),
        lookup in text(),
    ) {
        let mut h = Headers::new();
        for (k, v) in &pairs {
            if let Err(e) = h.push(k, v.as_str()) {
                prop_assert!(EXPECTED_CODES.contains(&e.code()), "{}", e.code());
            }
        }
        let _ = h.get(&lookup);
        for (k, _) in &pairs {
            let _ = h.get(k);
        }
    }

    #[test]
    fn provider_decimals_with_any_unicode_are_invalid_amounts_never_panics(
        s in text(),
        idx in 0usize..200,
    ) {
        let all = currencies();
        let c = all[idx % all.len()];
        match Money::parse_provider(&s, c) {
            Ok(m) => prop_assert!(s.bytes().all(|b| b.is_ascii_digit() || b == b'.') && m.minor() >= 0),
            Err(e) => prop_assert_eq!(e.code(), "invalid_amount"),
        }
        if let Err(e) = Money::parse_payment(&s, c) {
            prop_assert_eq!(e.code(), "invalid_amount");
        }
        if let Err(e) = Currency::from_code(&s) {
            prop_assert_eq!(e.code(), "unsupported_currency");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every string of a payment request (the fields `createPayment`'s array becomes) and every
    /// payment id, through each provider's request building and validation to a closed port.
    #[test]
    fn unicode_in_any_request_field_or_payment_id_is_a_typed_error_never_a_panic(
        f in proptest::collection::vec(text(), 11),
        amount in text(),
    ) {
        let money = Money::parse_payment(&amount, Currency::from_code("EUR").unwrap())
            .unwrap_or_else(|_| Money::from_minor(1250, Currency::from_code("EUR").unwrap()));
        let req = PaymentRequest {
            money,
            reference: f[0].clone(),
            description: f[1].clone(),
            success_url: f[2].clone(),
            cancel_url: f[3].clone(),
            notify_url: Some(f[4].clone()),
            metadata: vec![(f[5].clone(), f[6].clone())],
            customer_name: Some(f[7].clone()),
            customer_email: Some(f[8].clone()),
            idempotency_key: Some(f[9].clone()),
        };
        for (name, p) in offline_providers() {
            for r in [p.create_payment(&req), p.retrieve_payment(&f[10])] {
                if let Err(e) = r {
                    prop_assert!(EXPECTED_CODES.contains(&e.code()), "{name}: {} {e}", e.code());
                }
            }
        }
    }
}
