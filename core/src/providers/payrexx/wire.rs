//! Payrexx JSON on the wire (providers.md §P2–§P4). Ids and amounts arrive as numbers or
//! numeric strings (form webhooks are all strings), so they stay loose `Value`s here.

use serde::Deserialize;
use serde_json::Value;

/// `{"status": "success", "data": [ … ]}` or `{"status": "error", "message": "…"}` (§P2).
#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// §P3 Gateway (hosted payment page).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gateway {
    pub id: Value,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub reference_id: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub amount: Option<Value>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub invoices: Vec<GatewayInvoice>,
}

#[derive(Debug, Deserialize)]
pub struct GatewayInvoice {
    #[serde(default)]
    pub transactions: Vec<Transaction>,
}

/// A transaction inside a gateway, a `Transaction/{id}` answer or a webhook (§P3, §P4).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    #[serde(default)]
    pub id: Option<Value>,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub amount: Option<Value>,
    #[serde(default)]
    pub reference_id: Option<String>,
    /// `TEST` or `LIVE` (§P3 `Transaction/{id}`, §P4 webhook).
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub invoice: Option<Invoice>,
    /// §P4 [doc]: a refund transaction names the transaction it refunds.
    #[serde(default)]
    pub original_transaction_id: Option<Value>,
    /// [ours, sandbox] the transaction's refunds (docs/providers-refunds.md "Payrexx"); the public
    /// reference documents none, so a real answer without it reads as an empty list.
    #[serde(default)]
    pub refunds: Vec<Refund>,
}

/// [ours, sandbox] one refund of a transaction: `{id, amount (minor units), currency, status}`.
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

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    #[serde(default)]
    pub reference_id: Option<String>,
    #[serde(default)]
    pub payment_request_id: Option<Value>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub currency_alpha3: Option<String>,
    #[serde(default)]
    pub total_amount: Option<Value>,
    /// §P4 [doc] `refundedAmount`, minor units.
    #[serde(default)]
    pub refunded_amount: Option<Value>,
}
