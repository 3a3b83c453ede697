//! Noxipay: webhooks signed `X-Noxipay-Signature: sha256=<hex>` over the raw body (providers.md
//! §X1, documented); the payment API of §X2 is OUR ASSUMPTION — Noxipay publishes none — and is
//! kept behind this one file so the real contract can replace it.

mod provider;
mod status;
mod wire;

use status::*;

use super::common::{
    api_minor, bearer_headers, body_minor, invalid_response, minor_units, rejected_with,
};
use super::{path_segment, Config, Hint, Payment, PaymentRequest, Provider};
use crate::error::{Error, Result};
use crate::http::{HttpClient, Method, OperationKey, Request, Response};
use crate::refund::{Chargeback, Refund, RefundEntry, RefundFacts};
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

    /// Every Noxipay call (§X2): bearer auth, JSON in and out, the operation's idempotency key on
    /// writes (made once by the caller of `send`, reused on every retry), error answers mapped to
    /// `provider_rejected`, and any echo of the secret key redacted — all in this one place.
    fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&OperationKey>,
    ) -> Result<Answer> {
        let url = self.http.url(path);
        let mut headers = bearer_headers(&self.secret_key);
        if body.is_some() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        if let Some(key) = idempotency_key {
            headers.push(("Idempotency-Key".into(), key.as_str().to_string()));
        }
        self.http
            .execute_keyed(
                &|| Request {
                    method,
                    url: url.clone(),
                    headers: headers.clone(),
                    body: body.clone(),
                },
                idempotency_key,
            )
            .and_then(unwrap_answer)
            .map_err(|e| e.redact(self.secret_key.expose()))
    }

    /// §X2: a payment object as this crate's `Payment`.
    fn payment_from(&self, answer: Answer) -> Result<Payment> {
        let Answer { status, raw } = answer;
        let p: wire::Payment = serde_json::from_value(raw.clone())
            .map_err(|_| invalid_response(status, "payment has an unexpected shape"))?;
        let money = api_minor(&p.amount, &p.currency)?;
        let refunds = p
            .refunds
            .iter()
            .map(|r| {
                Ok(RefundEntry {
                    id: r.id.clone(),
                    status: refund_status(r.status.as_deref().unwrap_or("")),
                    money: api_minor(&r.amount, &r.currency)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let chargebacks = p
            .chargebacks
            .iter()
            .map(|c| {
                Ok(Chargeback {
                    id: c.id.clone(),
                    money: api_minor(&c.amount, &c.currency)?,
                    reason: c.reason.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let total = p.amount_refunded.as_ref().and_then(minor_units);
        Ok(Payment {
            refunds: RefundFacts::from_parts(money.currency(), total, refunds, chargebacks),
            // [ours] a refund is sent against the payment itself.
            transaction_id: None,
            money,
            status: payment_status(p.status.as_deref().unwrap_or("")),
            id: p.id,
            reference: p.reference.unwrap_or_default(),
            checkout_url: p.checkout_url,
            // §X2 [ours] has no live/test field (`mode` is null where the API is silent).
            mode: None,
            provider: NAME,
            raw,
        })
    }

    /// [ours] a refund object (docs/providers-refunds.md "Noxipay") as this crate's `Refund`.
    fn refund_from(&self, payment_id: &str, answer: Answer) -> Result<Refund> {
        let Answer { status, raw } = answer;
        let r: wire::Refund = serde_json::from_value(raw.clone())
            .map_err(|_| invalid_response(status, "refund has an unexpected shape"))?;
        if r.payment_id.as_deref().is_some_and(|p| p != payment_id) {
            return Err(invalid_response(status, "refund of another payment"));
        }
        Ok(Refund {
            status: refund_status(r.status.as_deref().unwrap_or("")),
            money: api_minor(&r.amount, &r.currency)?,
            id: r.id,
            payment_id: payment_id.to_string(),
            provider: NAME,
            raw,
        })
    }
}

/// A 2xx answer's HTTP status and JSON body.
struct Answer {
    status: u16,
    raw: Value,
}

/// §X2 answers carry no envelope: a 2xx body is the object; an error body is `{error: {code,
/// message}}`, turned into `provider_rejected`.
fn unwrap_answer(resp: Response) -> Result<Answer> {
    if !(200..300).contains(&resp.status) {
        let err = serde_json::from_slice::<wire::ErrorEnvelope>(&resp.body)
            .ok()
            .map(|e| e.error);
        return Err(rejected_with(resp, err));
    }
    let raw = serde_json::from_slice(&resp.body)
        .map_err(|_| invalid_response(resp.status, "not JSON"))?;
    Ok(Answer {
        status: resp.status,
        raw,
    })
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
