//! The `Provider` impl of NeroPay: the trait's four operations over `send` and `payment_from`.

use super::*;
use crate::providers::confirm::{Confirm, Reread};
use crate::refund::{Refund, RefundOrder};

impl Provider for NeroPay {
    fn name(&self) -> &'static str {
        NAME
    }

    fn create_payment(&self, req: &PaymentRequest) -> Result<Payment> {
        let ipn_url = req
            .notify_url
            .as_deref()
            .ok_or_else(|| Error::request("notify_url is required for neropay (ipn_url)"))?;
        let amount: serde_json::Number = req
            .money
            .to_decimal()
            .parse()
            .map_err(|_| Error::amount("cannot be written as a JSON number"))?;
        let metadata = (!req.metadata.is_empty()).then(|| {
            req.metadata
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        });
        let body = serde_json::to_vec(&wire::CreateLink {
            identifier: &req.reference,
            amount,
            currency: req.money.currency().code(),
            details: &req.description,
            success_url: &req.success_url,
            cancel_url: &req.cancel_url,
            ipn_url,
            metadata,
            customer_name: req.customer_name.as_deref(),
            customer_email: req.customer_email.as_deref(),
        })
        .map_err(|_| Error::request("request cannot be encoded"))?;
        // The caller's key as given, else one made for this call (then a timeout after sending
        // is not retry-safe: the caller's retry would carry another key).
        let key = OperationKey::new(req.idempotency_key.as_deref());
        let data = self.send(Method::Post, "/payment-links", Some(&body), Some(&key))?;
        self.payment_from(data, Some(&req.money))
    }

    fn retrieve_payment(&self, id: &str) -> Result<Payment> {
        let path = format!("/payment-links/{}", path_segment(id)?);
        let data = self.send(Method::Get, &path, None, None)?;
        self.payment_from(data, None)
    }

    fn parse_webhook(&self, body: &[u8], headers: &Headers, now: i64) -> Result<Event> {
        webhook::check_body_size(body)?;
        let verified = self.verifier.verify_if_configured_at(headers, body, now)?;
        let raw = webhook::parse_json_object(body)?;
        let ipn = wire::Ipn::deserialize(&raw)
            .map_err(|_| Error::payload("not a NeroPay event (missing type)"))?;
        let tx = ipn.transaction.as_ref();
        let payment_id = tx.and_then(|t| t.id.as_ref()).and_then(id_string);
        let money = match tx.map(|t| (&t.amount, &t.currency)) {
            Some((Some(a), Some(c))) => Some(body_decimal(a, c)?),
            _ => None,
        };
        let status = event_status(&ipn.event_type);
        let id = match ipn.id.filter(|s| !s.is_empty()) {
            Some(id) => id,
            None => derived_id(payment_id.as_deref().unwrap_or("-"), &ipn.event_type),
        };
        Ok(Event {
            id,
            event_type: ipn.event_type,
            status,
            payment_id,
            reference: tx.and_then(|t| t.trx.clone()),
            money,
            // §N5: an IPN carries no live/test mode.
            mode: None,
            provider: NAME,
            verified,
            raw,
            // A body's claims about refunds are not facts: only a re-read says (README "Refunds").
            refunds: None,
        })
    }

    /// §N4 `POST /transactions/{id}/refund` `{"amount", "reason"}`, a signed write with the
    /// operation's Idempotency-Key (reused on every retry, §N1). The answer's `refund` object
    /// is [ours].
    fn send_refund(&self, payment: &Payment, order: &RefundOrder) -> Result<Refund> {
        let tx_id = payment
            .transaction_id
            .as_deref()
            .ok_or_else(|| invalid_response(200, "paid payment link without a transaction"))?;
        let body = refund_body(&order.money, order.reason.as_deref())?;
        // As for creates: the caller's key as given, else one made for this call (then a timeout
        // after sending is not retry-safe: a new call would carry another key).
        let key = OperationKey::new(order.idempotency_key.as_deref());
        let path = format!("/transactions/{}/refund", path_segment(tx_id)?);
        let data = self.send(Method::Post, &path, Some(&body), Some(&key))?;
        let answer = wire::RefundAnswer::deserialize(&data)
            .map_err(|_| invalid_response(200, "refund answer has an unexpected shape"))?;
        let entry = refund_entry(&answer.refund, order.money.currency().code())?;
        Ok(Refund {
            id: entry.id,
            payment_id: payment.id.clone(),
            status: entry.status,
            money: entry.money,
            provider: NAME,
            raw: data,
        })
    }
}

impl Confirm for NeroPay {
    fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    fn reread(&self, parsed: Option<&Event>, hint: &Hint) -> Result<Reread> {
        // With the module's token (hint) the link is re-read and its state comes from its own
        // transaction (`payment_from`): a transaction named in the body is never read, so a body
        // naming another link's transaction cannot change the result (§N5: the IPN is a
        // wake-up call). Without a hint, the body's transaction id is the only lead; its status
        // and money are then read through §N4.
        let (payment_id, reference, status, money, refunds) = match &hint.payment_id {
            Some(link_id) => {
                let link = self.retrieve_payment(link_id)?;
                (
                    link.id,
                    link.reference,
                    link.status,
                    link.money,
                    link.refunds,
                )
            }
            None => {
                let tx_id = parsed.and_then(|e| e.payment_id.clone()).ok_or_else(|| {
                    Error::payload("cannot tell which payment this event is about")
                })?;
                let (tx, _) = self.retrieve_transaction(&tx_id)?;
                let money = api_decimal(
                    tx.amount
                        .as_ref()
                        .ok_or_else(|| invalid_response(200, "transaction without amount"))?,
                    tx.currency.as_deref().unwrap_or(""),
                )?;
                let refunds = refund_facts(&tx, money.currency())?;
                (
                    tx_id,
                    tx.trx.unwrap_or_default(),
                    transaction_status(tx.status.as_deref()),
                    money,
                    refunds,
                )
            }
        };
        let event_id = match parsed.map(|e| e.id.as_str()) {
            Some(id) if !id.starts_with("neropay:") => id.to_string(),
            _ => derived_id(&payment_id, status.as_str()),
        };
        Ok(Reread {
            event_id,
            payment_id,
            reference: Some(reference).filter(|r| !r.is_empty()),
            status,
            money,
            // §N3/§N4 report no live/test mode.
            mode: None,
            refunds,
        })
    }
}
