//! The `Provider` impl of Noxipay: the trait's four operations over `send` and `payment_from`.

use super::*;
use crate::providers::confirm::{Confirm, Reread};
use crate::refund::RefundOrder;

impl Provider for Noxipay {
    fn name(&self) -> &'static str {
        NAME
    }

    fn create_payment(&self, req: &PaymentRequest) -> Result<Payment> {
        let body = serde_json::to_vec(&wire::CreatePayment {
            amount: req.money.minor(),
            currency: req.money.currency().code(),
            description: &req.description,
            reference: &req.reference,
            success_url: &req.success_url,
            cancel_url: &req.cancel_url,
            notify_url: req.notify_url.as_deref(),
            metadata: req
                .metadata
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        })
        .map_err(|_| Error::request("request cannot be encoded"))?;
        // The caller's key as given, else one made for this call (then a timeout after sending
        // is not retry-safe: the caller's retry would carry another key).
        let key = OperationKey::new(req.idempotency_key.as_deref());
        let raw = self.send(Method::Post, "/payments", Some(body), Some(&key))?;
        self.payment_from(raw)
    }

    fn retrieve_payment(&self, id: &str) -> Result<Payment> {
        let raw = self.send(
            Method::Get,
            &format!("/payments/{}", path_segment(id)?),
            None,
            None,
        )?;
        self.payment_from(raw)
    }

    fn parse_webhook(&self, body: &[u8], headers: &Headers, now: i64) -> Result<Event> {
        webhook::check_body_size(body)?;
        if !self.verifier.has_secrets() {
            return Err(Error::config(
                "webhook_secret is required: Noxipay webhooks are signed",
            ));
        }
        self.verifier.verify_at(headers, body, now)?;
        let raw = webhook::parse_json_object(body)?;
        let w: wire::Webhook = serde_json::from_value(raw.clone())
            .map_err(|_| Error::payload("not a Noxipay event (id, type, created, data)"))?;
        let created =
            time::OffsetDateTime::parse(&w.created, &time::format_description::well_known::Rfc3339)
                .map_err(|_| Error::payload("created is not an RFC 3339 time"))?;
        self.verifier.check_age(created.unix_timestamp(), now)?;
        let status = event_status(&w.event_type);
        let str_field = |k: &str| w.data.get(k).and_then(Value::as_str).map(String::from);
        // refund and chargeback objects point at their payment; payment events are the payment.
        let payment_id = match status {
            PaymentStatus::Paid | PaymentStatus::Failed => str_field("id"),
            PaymentStatus::Refunded | PaymentStatus::Chargeback => str_field("payment_id"),
            // An object we do not know: its `id` is not a payment id.
            PaymentStatus::Unknown
            | PaymentStatus::Pending
            | PaymentStatus::Authorized
            | PaymentStatus::Cancelled
            | PaymentStatus::PartiallyRefunded => None,
        };
        let money = match (
            w.data.get("amount"),
            w.data.get("currency").and_then(Value::as_str),
        ) {
            (Some(a), Some(c)) => Some(body_minor(a, c)?),
            _ => None,
        };
        let reference = w
            .data
            .get("metadata")
            .and_then(|m| m.get("reference"))
            .and_then(Value::as_str)
            .map(String::from)
            .or_else(|| str_field("reference"));
        Ok(Event {
            id: w.id,
            event_type: w.event_type,
            status,
            payment_id,
            reference,
            money,
            mode: None,
            provider: NAME,
            verified: Verified::Signature,
            raw,
            // A body's claims about refunds are not facts: only a re-read says (README "Refunds").
            refunds: None,
        })
    }

    /// [ours] `POST /payments/{id}/refunds` `{amount, reason}` with the operation's
    /// Idempotency-Key, reused on every retry like §X2 creates, so a retried refund is replayed,
    /// never made twice (docs/providers-refunds.md "Noxipay").
    fn send_refund(&self, payment: &Payment, order: &RefundOrder) -> Result<Refund> {
        let body = serde_json::to_vec(&wire::CreateRefund {
            amount: order.money.minor(),
            reason: order.reason.as_deref(),
        })
        .map_err(|_| Error::request("request cannot be encoded"))?;
        // As for creates: the caller's key as given, else one made for this call (then a timeout
        // after sending is not retry-safe: a new call would carry another key).
        let key = OperationKey::new(order.idempotency_key.as_deref());
        let path = format!("/payments/{}/refunds", path_segment(&payment.id)?);
        let answer = self.send(Method::Post, &path, Some(body), Some(&key))?;
        self.refund_from(&payment.id, answer)
    }
}

impl Confirm for Noxipay {
    fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    fn reread(&self, parsed: Option<&Event>, hint: &Hint) -> Result<Reread> {
        let event = parsed.ok_or_else(|| Error::payload("not a Noxipay event"))?;
        let id = hint
            .payment_id
            .clone()
            .or(event.payment_id.clone())
            .ok_or_else(|| Error::payload("cannot tell which payment this event is about"))?;
        // The current state, never the event's claim (README "Trust"): a completed payment
        // that was refunded or disputed since reads refunded / partially_refunded / chargeback.
        let p = self.retrieve_payment(&id)?;
        Ok(Reread {
            event_id: event.id.clone(),
            payment_id: p.id,
            reference: Some(p.reference)
                .filter(|r| !r.is_empty())
                .or(event.reference.clone()),
            status: p.status,
            money: p.money,
            mode: p.mode,
            refunds: p.refunds,
        })
    }
}
