//! NeroPay's JSON as sent on the wire (providers.md §N2–§N5). Kept apart from the domain types:
//! everything optional or loosely typed here is validated in `mod.rs`.

use crate::providers::common::ErrorBody;
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

/// `{"success": bool, "data": …}` or `{"success": false, "error": {…}}` (§N2).
#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub success: bool,
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub error: Option<ErrorBody>,
}

/// §N3 create body. `amount` is a JSON number written from minor units, never from a float.
#[derive(Debug, Serialize)]
pub struct CreateLink<'a> {
    pub identifier: &'a str,
    pub amount: Number,
    pub currency: &'a str,
    pub details: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    pub ipn_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<&'a str>,
}

/// A payment link in either documented shape (Perfex guide or vendor module, §N3).
#[derive(Debug, Deserialize)]
pub struct Link {
    pub id: Value,
    #[serde(default)]
    pub identifier: Option<String>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub amount: Option<Value>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub checkout_url: Option<String>,
    #[serde(default)]
    pub payment_link: Option<String>,
    /// The latest payment attempt, once there is one (sandbox and vendor module).
    #[serde(default)]
    pub transaction: Option<Transaction>,
}

/// §N4 transaction (also the `transaction` object inside an IPN).
#[derive(Debug, Deserialize)]
pub struct Transaction {
    #[serde(default)]
    pub id: Option<Value>,
    #[serde(default)]
    pub trx: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub amount: Option<Value>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub payment_link_id: Option<Value>,
    /// [ours] refunded so far, a decimal like `amount`.
    #[serde(default)]
    pub refunded_amount: Option<Value>,
    /// [ours] the transaction's refunds (docs/providers-refunds.md "NeroPay").
    #[serde(default)]
    pub refunds: Vec<Refund>,
}

/// §N4 refund body `{"amount"?: decimal, "reason"?: string}`; the amount is a JSON number
/// written from minor units, as in §N3.
#[derive(Debug, Serialize)]
pub struct CreateRefund<'a> {
    pub amount: Number,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}

/// [ours] a refund: `{id: int, amount: "5.00", currency, status: pending|succeeded|failed}`,
/// listed under the transaction's `refunds` and answered as `refund` by the refund call.
#[derive(Debug, Deserialize)]
pub struct Refund {
    pub id: Value,
    #[serde(default)]
    pub amount: Option<Value>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// [ours] the refund call's `data`: the transaction after the refund, with the new `refund`.
#[derive(Debug, Deserialize)]
pub struct RefundAnswer {
    pub refund: Refund,
}

/// §N5 IPN body.
#[derive(Debug, Deserialize)]
pub struct Ipn {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub event_type: String,
    #[serde(default)]
    pub transaction: Option<Transaction>,
}
