use super::*;

fn signed_request(ts: &str, sig: &str, body: &str) -> Request {
    Request {
        method: "POST".into(),
        path: "/neropay/v2/payment-links".into(),
        query: String::new(),
        headers: vec![
            ("X-NeroPay-Timestamp".into(), ts.into()),
            ("X-NeroPay-Signature".into(), sig.into()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

const BODY: &str = r#"{"identifier":"PERFEX_CRM-1001","amount":12.50,"currency":"GBP"}"#;
/// `printf '%s' '1700000000.<BODY>' | openssl dgst -sha256 -hmac sk_test_neropay`
const OPENSSL_SIG: &str = "11746b2991c96d55ca9c04b16b3ff8c458bced872f94919904d7f775352ce34f";

#[test]
fn accepts_the_signature_computed_by_openssl() {
    let req = signed_request("1700000000", OPENSSL_SIG, BODY);
    assert_eq!(
        check_signature("sk_test_neropay", &req, 1_700_000_100),
        Ok(())
    );
}

#[test]
fn rejects_a_signature_made_with_another_key() {
    let req = signed_request("1700000000", OPENSSL_SIG, BODY);
    assert!(check_signature("sk_other", &req, 1_700_000_000).is_err());
}

#[test]
fn rejects_a_body_changed_after_signing() {
    let changed = BODY.replace("12.50", "12.5");
    let req = signed_request("1700000000", OPENSSL_SIG, &changed);
    assert!(check_signature("sk_test_neropay", &req, 1_700_000_000).is_err());
}

#[test]
fn rejects_uppercase_hex_signatures() {
    let req = signed_request("1700000000", &OPENSSL_SIG.to_uppercase(), BODY);
    assert!(check_signature("sk_test_neropay", &req, 1_700_000_000).is_err());
}

#[test]
fn rejects_timestamps_outside_300_seconds() {
    let req = signed_request("1700000000", OPENSSL_SIG, BODY);
    assert!(check_signature("sk_test_neropay", &req, 1_700_000_301).is_err());
    assert!(check_signature("sk_test_neropay", &req, 1_699_999_699).is_err());
    assert!(check_signature("sk_test_neropay", &req, 1_700_000_300).is_ok());
}

#[test]
fn rejects_missing_signature_headers() {
    let mut req = signed_request("1700000000", OPENSSL_SIG, BODY);
    req.headers.clear();
    assert!(check_signature("sk_test_neropay", &req, 1_700_000_000).is_err());
}

#[test]
fn reads_amounts_from_the_exact_json_text() {
    let amount = |body: &str| raw_amount(body.as_bytes());
    assert_eq!(amount(r#"{"amount":12.50}"#), Ok(Some(1250)));
    assert_eq!(amount(r#"{"amount":"12.50"}"#), Ok(Some(1250)));
    assert_eq!(amount(r#"{"amount":12}"#), Ok(Some(1200)));
    assert_eq!(amount(r#"{"amount":0.75}"#), Ok(Some(75)));
    assert_eq!(amount(r#"{"amount":null}"#), Ok(None));
    assert_eq!(amount(r#"{"other":1}"#), Ok(None));
    // A float would round 0.1 + 0.2 style values; the exact text never does.
    assert_eq!(
        amount(r#"{"amount":1234567890123.45}"#),
        Ok(Some(123_456_789_012_345))
    );
}

#[test]
fn refuses_amounts_a_float_would_silently_accept() {
    let amount = |body: &str| raw_amount(body.as_bytes());
    assert!(amount(r#"{"amount":12.505}"#).is_err());
    assert!(amount(r#"{"amount":1.25e1}"#).is_err());
    assert!(amount(r#"{"amount":-12.50}"#).is_err());
    assert!(amount(r#"{"amount":" 12.50"}"#).is_err());
    assert!(amount(r#"{"amount":"12,50"}"#).is_err());
    assert!(amount(r#"{"amount":"12."}"#).is_err());
    assert!(amount(r#"{"amount":true}"#).is_err());
    assert!(amount(r#"{"amount":99999999999999999999}"#).is_err());
}

#[test]
fn accepts_only_account_ids_shaped_like_np_accounts() {
    assert!(valid_account("NPEE4E742AB2_6165"));
    assert!(valid_account("NPX_1"));
    assert!(!valid_account("NP_1"));
    assert!(!valid_account("NPab_1"));
    assert!(!valid_account("NPAB_"));
    assert!(!valid_account("XXAB_12"));
    assert!(!valid_account("NPAB_12x"));
}
