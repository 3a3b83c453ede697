//! Noxipay: webhooks signed `X-Noxipay-Signature: sha256=<hex>` over the raw body (providers.md
//! §X1, documented); the payment API of §X2 is OUR ASSUMPTION — Noxipay publishes none — and is
//! kept behind this one file so the real contract can replace it.

mod wire;

use super::common::{api_minor, body_minor, invalid_response, rejected};
use super::{path_segment, Config, Hint, Payment, PaymentRequest, Provider};
use crate::error::{Error, Result};
use crate::http::{new_idempotency_key, HttpClient, Method, Request, Response};
use crate::signing::{Encoding, Secret};
use crate::webhook::{self, Event, Headers, PaymentStatus, Scheme, Verified, Verifier};
use serde_json::Value;

pub const DEFAULT_BASE_URL: &str = "https://api.noxipay.com/v1";
const NAME: &str = "noxipay";
/// §X1 [ours]: the signature covers no timestamp, and providers retry for hours, so the age
/// check on `created` defaults to 72 h; replays inside it are stopped by event-id dedup.
const DEFAULT_TOLERANCE: i64 = 72 * 3600;

/// §X1 [doc]: `hash_equals('sha256=' . hash_hmac('sha256', $payload, $secret), $signature)`.
const SCHEME: Scheme = Scheme {
    signature_header: "X-Noxipay-Signature",
    prefix: Some("sha256="),
    encoding: Encoding::Hex,
    timestamp_header: None,
};

pub struct Noxipay {
    secret_key: Secret,
    /// §X1 signs no timestamp: the tolerance is applied to the verified body's `created`.
    verifier: Verifier,
    http: HttpClient,
}

impl Noxipay {
    pub fn from_config(config: &Config) -> Result<Noxipay> {
        config.check_keys(&["secret_key", "webhook_secret", "tolerance_seconds"])?;
        Ok(Noxipay {
            secret_key: config.required_secret("secret_key")?,
            verifier: Verifier {
                scheme: SCHEME,
                secrets: config.secrets("webhook_secret")?,
                tolerance: Some(config.tolerance(DEFAULT_TOLERANCE)?),
            },
            http: HttpClient::new(config.http(DEFAULT_BASE_URL)?),
        })
    }

    fn send(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Result<Response> {
        let url = self.http.url(path);
        let mut headers = vec![
            (
                "Authorization".to_string(),
                format!(
                    "Bearer {}",
                    String::from_utf8_lossy(self.secret_key.expose())
                ),
            ),
            ("Accept".to_string(), "application/json".to_string()),
        ];
        if body.is_some() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        self.http.execute(&|| Request {
            method,
            url: url.clone(),
            headers: headers.clone(),
            body: body.clone(),
        })
    }

    fn payment_from(&self, resp: Response) -> Result<Payment> {
        self.payment_from_unredacted(resp)
            .map_err(|e| e.redact(self.secret_key.expose()))
    }

    fn payment_from_unredacted(&self, resp: Response) -> Result<Payment> {
        if !(200..300).contains(&resp.status) {
            let err = serde_json::from_slice::<wire::ErrorEnvelope>(&resp.body)
                .ok()
                .map(|e| e.error);
            let code = err.as_ref().and_then(|e| e.code.clone());
            return Err(rejected(
                resp.status,
                code,
                err.and_then(|e| e.message),
                resp.request_id,
            ));
        }
        let raw: Value = serde_json::from_slice(&resp.body)
            .map_err(|_| invalid_response(resp.status, "not JSON"))?;
        let p: wire::Payment = serde_json::from_value(raw.clone())
            .map_err(|_| invalid_response(resp.status, "payment has an unexpected shape"))?;
        Ok(Payment {
            money: api_minor(&p.amount, &p.currency)?,
            status: payment_status(p.status.as_deref().unwrap_or("")),
            id: p.id,
            reference: p.reference.unwrap_or_default(),
            checkout_url: p.checkout_url,
            // §X2 [ours] has no live/test field (contract 1: null where the API is silent).
            mode: None,
            provider: NAME,
            raw,
        })
    }
}

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
        let key = req
            .idempotency_key
            .clone()
            .unwrap_or_else(new_idempotency_key);
        let url = self.http.url("/payments");
        let headers = vec![
            (
                "Authorization".to_string(),
                format!(
                    "Bearer {}",
                    String::from_utf8_lossy(self.secret_key.expose())
                ),
            ),
            ("Accept".to_string(), "application/json".to_string()),
            ("Content-Type".to_string(), "application/json".to_string()),
            ("Idempotency-Key".to_string(), key),
        ];
        let resp = self.http.execute(&|| Request {
            method: Method::Post,
            url: url.clone(),
            headers: headers.clone(),
            body: Some(body.clone()),
        })?;
        self.payment_from(resp)
    }

    fn retrieve_payment(&self, id: &str) -> Result<Payment> {
        self.payment_from(self.send(
            Method::Get,
            &format!("/payments/{}", path_segment(id)?),
            None,
        )?)
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
        })
    }

    fn confirm_webhook(
        &self,
        body: &[u8],
        headers: &Headers,
        hint: &Hint,
        now: i64,
    ) -> Result<Event> {
        let mut event = self.parse_webhook(body, headers, now)?;
        let id = hint
            .payment_id
            .clone()
            .or(event.payment_id.clone())
            .ok_or_else(|| Error::payload("cannot tell which payment this event is about"))?;
        // Contract 2: the payment's current state, never the event's claim — a completed payment
        // that was refunded or disputed since reads refunded / partially_refunded / chargeback.
        let p = self.retrieve_payment(&id)?;
        event.status = p.status;
        event.mode = p.mode;
        event.money = Some(p.money);
        event.payment_id = Some(p.id);
        event.reference = Some(p.reference)
            .filter(|r| !r.is_empty())
            .or(event.reference);
        event.verified = Verified::Api;
        Ok(event)
    }
}

/// §X1 events. `refund.completed` may be partial: only the API re-read can tell, so offline it
/// is `refunded` and `confirmWebhook` gives the exact state.
fn event_status(t: &str) -> PaymentStatus {
    match t {
        "payment.completed" => PaymentStatus::Paid,
        "payment.failed" => PaymentStatus::Failed,
        "refund.completed" => PaymentStatus::Refunded,
        "chargeback.created" => PaymentStatus::Chargeback,
        _ => PaymentStatus::Unknown,
    }
}

/// §X2 [ours] payment statuses.
fn payment_status(s: &str) -> PaymentStatus {
    match s {
        "pending" => PaymentStatus::Pending,
        "completed" => PaymentStatus::Paid,
        "failed" => PaymentStatus::Failed,
        "refunded" => PaymentStatus::Refunded,
        "partially_refunded" => PaymentStatus::PartiallyRefunded,
        "disputed" => PaymentStatus::Chargeback,
        _ => PaymentStatus::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_unrecognised_maps_to_paid() {
        for s in ["Completed", "paid", "succeeded", "payment.succeeded", ""] {
            assert_ne!(payment_status(s), PaymentStatus::Paid, "{s}");
            assert_ne!(event_status(s), PaymentStatus::Paid, "{s}");
        }
    }

    #[test]
    fn refuses_to_parse_webhooks_without_a_webhook_secret() {
        let n = Noxipay::from_config(&Config::new().with("secret_key", "k")).unwrap();
        let e = n.parse_webhook(b"{}", &Headers::new(), 0).unwrap_err();
        assert_eq!(e.code(), "config");
    }
}
