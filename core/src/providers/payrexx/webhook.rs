//! Payrexx webhooks (providers.md §P4): JSON or PHP-bracket form bodies, an optional signature,
//! transaction and subscription events.

use super::*;

impl Payrexx {
    /// §P4: verify (when a webhook secret is configured), then parse a JSON or PHP-bracket form
    /// body into an event; subscription webhooks are acknowledged as unknown.
    pub(super) fn webhook_event(&self, body: &[u8], headers: &Headers, now: i64) -> Result<Event> {
        crate::webhook::check_body_size(body)?;
        let verified = self.verifier.verify_if_configured_at(headers, body, now)?;
        let is_json = headers
            .get("Content-Type")
            .is_some_and(|c| c.contains("json"))
            || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let raw = if is_json {
            crate::webhook::parse_json_object(body)?
        } else {
            query::parse(body)?
        };
        if raw.get("subscription").is_some() && raw.get("transaction").is_none() {
            let sid = raw
                .get("subscription")
                .and_then(|s| s.get("id"))
                .and_then(id_string)
                .unwrap_or_else(|| "-".into());
            return Ok(Event {
                id: format!("payrexx:subscription:{sid}"),
                event_type: "subscription".into(),
                status: PaymentStatus::Unknown,
                payment_id: None,
                reference: None,
                money: None,
                mode: None,
                provider: NAME,
                verified,
                raw,
                refunds: None,
            });
        }
        let tx: wire::Transaction = raw
            .get("transaction")
            .cloned()
            .and_then(|t| serde_json::from_value(t).ok())
            .ok_or_else(|| Error::payload("not a Payrexx transaction webhook"))?;
        let status_text = tx.status.clone().unwrap_or_default();
        let key = tx
            .uuid
            .clone()
            .or_else(|| tx.id.as_ref().and_then(id_string))
            .ok_or_else(|| Error::payload("transaction without uuid"))?;
        let invoice = tx.invoice.as_ref();
        let money = match (&tx.amount, invoice.and_then(|i| i.currency.as_deref())) {
            (Some(a), Some(c)) => Some(body_minor(a, c)?),
            _ => None,
        };
        Ok(Event {
            id: format!("payrexx:{key}:{status_text}"),
            event_type: format!("transaction.{status_text}"),
            status: transaction_status(&status_text),
            payment_id: invoice
                .and_then(|i| i.payment_request_id.as_ref())
                .and_then(id_string),
            reference: tx
                .reference_id
                .clone()
                .or_else(|| invoice.and_then(|i| i.reference_id.clone())),
            money,
            // §P4 `transaction.mode`; as a claim of the body it is reported, never trusted:
            // confirmWebhook re-reads it from `Transaction/{id}`.
            mode: tx.mode.as_deref().and_then(Mode::from_payrexx),
            provider: NAME,
            verified,
            raw,
            // A body's claims about refunds are not facts: only a re-read says (README "Refunds").
            refunds: None,
        })
    }
}
