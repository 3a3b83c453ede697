//! Noxipay JSON on the wire (providers.md §X1 [doc], §X2 [ours: no public API contract]).

use crate::providers::common::ErrorBody;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// §X2 [ours] create body; amounts are integer minor units.
#[derive(Debug, Serialize)]
pub struct CreatePayment<'a> {
    pub amount: i64,
    pub currency: &'a str,
    pub description: &'a str,
    pub reference: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
}

/// §X2 [ours] payment object.
#[derive(Debug, Deserialize)]
pub struct Payment {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    pub amount: Value,
    pub currency: String,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub checkout_url: Option<String>,
    /// [ours] refunded so far, minor units.
    #[serde(default)]
    pub amount_refunded: Option<Value>,
    /// [ours] the payment's refunds (docs/providers-refunds.md "Noxipay").
    #[serde(default)]
    pub refunds: Vec<Refund>,
    /// [ours] the payment's chargebacks.
    #[serde(default)]
    pub chargebacks: Vec<Chargeback>,
}

/// [ours] `POST /payments/{id}/refunds` body (docs/providers-refunds.md "Noxipay").
#[derive(Debug, Serialize)]
pub struct CreateRefund<'a> {
    pub amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}

/// [ours] refund object: `{id: "re_…", payment_id, amount, currency, status, reason}`.
#[derive(Debug, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: Value,
    pub currency: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub payment_id: Option<String>,
}

/// [ours] chargeback object, as in the §X1 `chargeback.created` data.
#[derive(Debug, Deserialize)]
pub struct Chargeback {
    pub id: String,
    pub amount: Value,
    pub currency: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// §X2 [ours] error body.
#[derive(Debug, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

/// §X1 [doc] webhook body.
#[derive(Debug, Deserialize)]
pub struct Webhook {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub created: String,
    pub data: Map<String, Value>,
}
