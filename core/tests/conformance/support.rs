//! What every conformance test shares: the three providers as `Case`s, their sandbox config,
//! requests, the sandbox's request log and webhooks.

use crate::common::Sandbox;
use paybridge_core::money::{Currency, Money};
use paybridge_core::providers::{self, Config, Hint, PaymentRequest, Provider};
use paybridge_core::webhook::{system_now, Headers};
use serde_json::{json, Value};

pub struct Case {
    pub name: &'static str,
    pub paid_event: &'static str,
    pub currency: &'static str,
}

pub const NEROPAY: Case = Case {
    name: "neropay",
    paid_event: "transaction.succeeded",
    currency: "EUR",
};
pub const PAYREXX: Case = Case {
    name: "payrexx",
    paid_event: "confirmed",
    currency: "CHF",
};
pub const NOXIPAY: Case = Case {
    name: "noxipay",
    paid_event: "payment.completed",
    currency: "EUR",
};

pub const SANDBOX_ARGS: &[&str] = &[
    "--payrexx-webhook-key",
    "pxwh_sbx",
    "--noxipay-webhook-secret",
    "nxwh_sbx",
];

pub fn config(sb: &Sandbox, provider: &str, secret: Option<&str>) -> Config {
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

pub fn gateway(sb: &Sandbox, provider: &str) -> Box<dyn Provider> {
    providers::build(provider, &config(sb, provider, None)).unwrap()
}

pub fn request(reference: &str, amount: &str, currency: &str) -> PaymentRequest {
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

pub fn posts(sb: &Sandbox, provider: &str) -> Vec<Value> {
    let all = sb.control("GET", "/requests", None);
    all.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["provider"] == provider && r["method"] == "POST")
        .cloned()
        .collect()
}

pub fn sandbox_webhook(sb: &Sandbox, provider: &str, id: &str, event: &str) -> (Vec<u8>, Headers) {
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

pub fn act(sb: &Sandbox, provider: &str, id: &str, action: &str, body: Value) -> Value {
    let mut body = body;
    body["deliver"] = json!(false);
    sb.control(
        "POST",
        &format!("/{provider}/payments/{id}/{action}"),
        Some(body),
    )
}

pub fn hint(id: &str) -> Hint {
    Hint {
        payment_id: Some(id.into()),
    }
}

/// The webhook the sandbox would send for a successful payment, replayed after the state moved
/// on: its body still claims success.
pub fn stale_paid_claim(
    sb: &Sandbox,
    gw: &dyn Provider,
    c: &Case,
    id: &str,
) -> paybridge_core::webhook::Event {
    let (body, headers) = sandbox_webhook(sb, c.name, id, c.paid_event);
    gw.confirm_webhook(&body, &headers, &hint(id), system_now())
        .unwrap_or_else(|e| panic!("{}: {e}", c.name))
}
