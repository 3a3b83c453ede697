//! Payrexx (providers.md §P1–§P4): Gateway create/retrieve, Transaction retrieve, webhooks in JSON
//! or PHP-form encoding whose facts are always re-read through the API.

mod query;
mod wire;

pub use query::{build as http_build_query, parse as parse_php_form};

use super::common::{
    absent_if_not_found, api_minor, body_minor, invalid_response, parsed_or_wake_up, rejected,
};
use super::{id_string, path_segment, Config, Hint, Payment, PaymentRequest, Provider};
use crate::error::{Error, Result};
use crate::http::{HttpClient, Method, Request, Response};
use crate::money::Money;
use crate::signing::{self, Encoding, Secret};
use crate::webhook::{self, Event, Headers, Mode, PaymentStatus, Scheme, Verified, Verifier};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const DEFAULT_BASE_URL: &str = "https://api.payrexx.com/v1.14";
const NAME: &str = "payrexx";

/// §P4 [3rd]: optional lowercase hex HMAC over the raw body, no prefix, no timestamp.
const SCHEME: Scheme = Scheme {
    signature_header: "X-Webhook-Signature",
    prefix: None,
    encoding: Encoding::Hex,
    timestamp_header: None,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    ApiKey,
    Signature,
}

pub struct Payrexx {
    instance: String,
    secret: Secret,
    verifier: Verifier,
    auth: Auth,
    http: HttpClient,
}

/// §P1 legacy `ApiSignature`: base64 HMAC-SHA256 of the `http_build_query` string.
pub fn api_signature(secret: &[u8], params: &Map<String, Value>) -> String {
    signing::sign(secret, &[query::build(params).as_bytes()], Encoding::Base64)
}

impl Payrexx {
    pub fn from_config(config: &Config) -> Result<Payrexx> {
        config.check_keys(&["instance", "secret_key", "webhook_secret", "auth"])?;
        let instance = config.required_str("instance")?;
        if !instance
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::config("instance must be the Payrexx subdomain name"));
        }
        let auth = match config.opt_str("auth")?.as_deref() {
            None | Some("api_key") => Auth::ApiKey,
            Some("signature") => Auth::Signature,
            Some(_) => return Err(Error::config("auth must be 'api_key' or 'signature'")),
        };
        Ok(Payrexx {
            instance,
            secret: config.required_secret("secret_key")?,
            verifier: Verifier {
                scheme: SCHEME,
                secrets: config.secrets("webhook_secret")?,
                // §P4 signs no timestamp.
                tolerance: None,
            },
            auth,
            http: HttpClient::new(config.http(DEFAULT_BASE_URL)?),
        })
    }

    /// One call: `instance` on every URL (§P1), auth by header or legacy signature, JSON bodies
    /// (form bodies for the legacy scheme, as the SDK sends them).
    fn call(&self, method: Method, path: &str, params: Map<String, Value>) -> Result<Response> {
        let mut url = self
            .http
            .url(&format!("/{path}?instance={}", self.instance));
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        let mut body = None;
        match self.auth {
            Auth::ApiKey => {
                headers.push((
                    "X-API-KEY".into(),
                    String::from_utf8_lossy(self.secret.expose()).into_owned(),
                ));
                if method == Method::Post {
                    headers.push(("Content-Type".into(), "application/json".into()));
                    body = Some(
                        serde_json::to_vec(&params)
                            .map_err(|_| Error::request("request cannot be encoded"))?,
                    );
                }
            }
            Auth::Signature => {
                let sig = api_signature(self.secret.expose(), &params);
                let mut signed = params.clone();
                signed.insert("ApiSignature".into(), Value::String(sig));
                let encoded = query::build(&signed);
                if method == Method::Post {
                    headers.push((
                        "Content-Type".into(),
                        "application/x-www-form-urlencoded".into(),
                    ));
                    body = Some(encoded.into_bytes());
                } else {
                    url.push('&');
                    url.push_str(&encoded);
                }
            }
        }
        let build = || Request {
            method,
            url: url.clone(),
            headers: headers.clone(),
            body: body.clone(),
        };
        if method == Method::Post {
            // providers.md §P1/§P3: Payrexx honours no idempotency key, so none is sent (neither
            // the caller's nor a made-up one: a header Payrexx ignores would only pretend), and a
            // create whose outcome is unknown is never re-sent (issue 9 item 10, contract 3).
            return self.http.execute_not_idempotent(&build);
        }
        self.http.execute(&build)
    }

    fn gateway(&self, id: &str) -> Result<(wire::Gateway, Value)> {
        let data = self.first_of(self.call(
            Method::Get,
            &format!("Gateway/{}/", path_segment(id)?),
            Map::new(),
        ))?;
        let gw = serde_json::from_value(data.clone())
            .map_err(|_| invalid_response(200, "gateway has an unexpected shape"))?;
        Ok((gw, data))
    }

    fn payment_from(
        &self,
        gw: wire::Gateway,
        raw: Value,
        chosen: Option<&wire::Transaction>,
    ) -> Result<Payment> {
        let id = id_string(&gw.id).ok_or_else(|| invalid_response(200, "gateway without id"))?;
        let now = self.current(&gw, chosen)?;
        Ok(Payment {
            id,
            reference: gw.reference_id.clone().unwrap_or_default(),
            status: now.status,
            checkout_url: gw.link.clone(),
            money: now.money,
            mode: now.mode,
            provider: NAME,
            raw,
        })
    }

    /// `Transaction/{id}` (§P3), or `None` when the API has no such transaction.
    fn transaction(&self, tid: &str) -> Result<Option<wire::Transaction>> {
        let read = self.first_of(self.call(
            Method::Get,
            &format!("Transaction/{}/", path_segment(tid)?),
            Map::new(),
        ));
        match absent_if_not_found(read)? {
            Some(data) => wire::Transaction::deserialize(&data)
                .map(Some)
                .map_err(|_| invalid_response(200, "transaction has an unexpected shape")),
            None => Ok(None),
        }
    }

    /// The gateway's current state (contract 2 of issue 9). A Gateway stays `confirmed` after
    /// its transaction is refunded or charged back, so the state is the transaction's, read
    /// through `Transaction/{id}` (§P3), which also carries the settled amount, currency and
    /// `mode`. `chosen` is the transaction a webhook named (when it is one of the gateway's);
    /// otherwise the latest. A waiting transaction is pending without a second read (§P4 API
    /// budget); a gateway that says paid without a readable transaction of its own is `unknown`.
    fn current(&self, gw: &wire::Gateway, chosen: Option<&wire::Transaction>) -> Result<Current> {
        let gid = id_string(&gw.id).ok_or_else(|| invalid_response(200, "gateway without id"))?;
        let requested = api_minor(
            gw.amount
                .as_ref()
                .ok_or_else(|| invalid_response(200, "gateway without amount"))?,
            gw.currency.as_deref().unwrap_or(""),
        )?;
        let last = gw
            .invoices
            .iter()
            .flat_map(|i| i.transactions.iter())
            .next_back();
        let unread = |status_text: String, status, key| Current {
            status_text,
            status,
            money: requested,
            mode: None,
            key,
        };
        let Some(tx) = chosen.or(last) else {
            let text = gw.status.clone().unwrap_or_default();
            let status = match text.as_str() {
                "waiting" => PaymentStatus::Pending,
                _ => PaymentStatus::Unknown,
            };
            return Ok(unread(text, status, None));
        };
        let brief_text = tx.status.clone().unwrap_or_default();
        let key = tx.uuid.clone();
        if transaction_status(&brief_text) == PaymentStatus::Pending {
            return Ok(unread(brief_text, PaymentStatus::Pending, key));
        }
        let Some(tid) = tx.id.as_ref().and_then(id_string) else {
            return Ok(unread(brief_text, PaymentStatus::Unknown, key));
        };
        let Some(full) = self.transaction(&tid)? else {
            return Ok(unread(brief_text, PaymentStatus::Unknown, key));
        };
        let same_tx = full
            .id
            .as_ref()
            .is_none_or(|i| id_string(i).as_deref() == Some(&tid));
        let same_gateway = full
            .invoice
            .as_ref()
            .and_then(|i| i.payment_request_id.as_ref())
            .is_none_or(|g| id_string(g).as_deref() == Some(gid.as_str()));
        if !(same_tx && same_gateway) {
            return Ok(unread(brief_text, PaymentStatus::Unknown, key));
        }
        Ok(facts(&full, Some(requested))?.with_key_fallback(key))
    }
}

/// A payment's state as derived from its transaction.
struct Current {
    /// The provider's own status word (for the event id `payrexx:<uuid>:<status>`, §P4).
    status_text: String,
    status: PaymentStatus,
    money: Money,
    mode: Option<Mode>,
    key: Option<String>,
}

impl Current {
    fn with_key_fallback(mut self, key: Option<String>) -> Current {
        self.key = self.key.or(key);
        self
    }
}

/// The facts of a `Transaction/{id}` answer (§P3). `confirmed` counts as paid only with the
/// transaction's own amount and currency; other states fall back to `requested` when the amount
/// is missing (they record no money). Without `requested` a missing amount is an error.
fn facts(full: &wire::Transaction, requested: Option<Money>) -> Result<Current> {
    let status_text = full.status.clone().unwrap_or_default();
    let mut status = transaction_status(&status_text);
    let settled = full.invoice.as_ref().and_then(|inv| {
        let currency = inv
            .currency_alpha3
            .clone()
            .or(inv.currency.clone())
            .unwrap_or_default();
        inv.total_amount
            .as_ref()
            .or(full.amount.as_ref())
            .map(|a| api_minor(a, &currency))
    });
    let money = match settled {
        Some(Ok(m)) => m,
        Some(Err(e)) if status == PaymentStatus::Paid || requested.is_none() => return Err(e),
        Some(Err(_)) | None => match requested {
            Some(r) => {
                if status == PaymentStatus::Paid {
                    status = PaymentStatus::Unknown;
                }
                r
            }
            None => return Err(invalid_response(200, "transaction without amount")),
        },
    };
    Ok(Current {
        status_text,
        status,
        money,
        mode: full.mode.as_deref().and_then(Mode::from_payrexx),
        key: full.uuid.clone(),
    })
}

impl Provider for Payrexx {
    fn name(&self) -> &'static str {
        NAME
    }

    fn create_payment(&self, req: &PaymentRequest) -> Result<Payment> {
        let mut p = Map::new();
        p.insert("amount".into(), json!(req.money.minor()));
        p.insert("currency".into(), json!(req.money.currency().code()));
        p.insert("purpose".into(), json!(req.description));
        p.insert("referenceId".into(), json!(req.reference));
        p.insert("successRedirectUrl".into(), json!(req.success_url));
        p.insert("failedRedirectUrl".into(), json!(req.cancel_url));
        p.insert("cancelRedirectUrl".into(), json!(req.cancel_url));
        if let Some(email) = &req.customer_email {
            p.insert("fields".into(), json!({"email": {"value": email}}));
        }
        // [ours] Payrexx configures webhook URLs in its backend; `notifyUrl` is read by our
        // sandbox only and is an unknown field to the real API.
        if let Some(n) = &req.notify_url {
            p.insert("notifyUrl".into(), json!(n));
        }
        let data = self.first_of(self.call(Method::Post, "Gateway/", p))?;
        let gw: wire::Gateway = serde_json::from_value(data.clone())
            .map_err(|_| invalid_response(200, "gateway has an unexpected shape"))?;
        self.payment_from(gw, data, None)
    }

    fn retrieve_payment(&self, id: &str) -> Result<Payment> {
        let (gw, raw) = self.gateway(id)?;
        self.payment_from(gw, raw, None)
    }

    fn parse_webhook(&self, body: &[u8], headers: &Headers, now: i64) -> Result<Event> {
        webhook::check_body_size(body)?;
        let verified = self.verifier.verify_if_configured_at(headers, body, now)?;
        let is_json = headers
            .get("Content-Type")
            .is_some_and(|c| c.contains("json"))
            || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let raw = if is_json {
            webhook::parse_json_object(body)?
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
        })
    }

    fn confirm_webhook(
        &self,
        body: &[u8],
        headers: &Headers,
        hint: &Hint,
        now: i64,
    ) -> Result<Event> {
        let parsed = parsed_or_wake_up(
            self.parse_webhook(body, headers, now),
            hint,
            self.verifier.has_secrets(),
        )?;
        let body_tx = parsed
            .as_ref()
            .and_then(|e| e.raw.get("transaction"))
            .and_then(|t| serde_json::from_value::<wire::Transaction>(t.clone()).ok());
        let body_uuid = body_tx.as_ref().and_then(|t| t.uuid.clone());
        let body_tx_id = body_tx
            .as_ref()
            .and_then(|t| t.id.as_ref())
            .and_then(id_string);
        let gateway_id = hint
            .payment_id
            .clone()
            .or_else(|| parsed.as_ref().and_then(|e| e.payment_id.clone()));
        let event_type = parsed
            .as_ref()
            .map_or_else(|| "unknown".to_string(), |e| e.event_type.clone());

        // §P4: the status, amount, currency and mode used are the API's, never the body's.
        let (payment_id, reference, now) = if let Some(gid) = gateway_id {
            let (gw, _) = self.gateway(&gid)?;
            let matching = gw
                .invoices
                .iter()
                .flat_map(|i| i.transactions.iter())
                .rev()
                .find(|t| {
                    (body_uuid.is_some() && t.uuid == body_uuid)
                        || (body_tx_id.is_some() && t.id.as_ref().and_then(id_string) == body_tx_id)
                });
            let now = self.current(&gw, matching)?;
            let id =
                id_string(&gw.id).ok_or_else(|| invalid_response(200, "gateway without id"))?;
            let key = now.key.clone();
            (
                id,
                gw.reference_id.clone().unwrap_or_default(),
                now.with_key_fallback(key.or_else(|| Some(format!("gateway-{gid}")))),
            )
        } else {
            let tid = body_tx_id
                .ok_or_else(|| Error::payload("cannot tell which payment this event is about"))?;
            let data = self.first_of(self.call(
                Method::Get,
                &format!("Transaction/{}/", path_segment(&tid)?),
                Map::new(),
            ))?;
            let full = wire::Transaction::deserialize(&data)
                .map_err(|_| invalid_response(200, "transaction has an unexpected shape"))?;
            if full.invoice.is_none() {
                return Err(invalid_response(200, "transaction without invoice"));
            }
            let now = facts(&full, None)?.with_key_fallback(Some(tid.clone()));
            (tid, full.reference_id.clone().unwrap_or_default(), now)
        };
        let key = now.key.clone().unwrap_or_default();
        Ok(Event {
            id: format!("payrexx:{key}:{}", now.status_text),
            event_type,
            status: now.status,
            payment_id: Some(payment_id),
            reference: Some(reference).filter(|r| !r.is_empty()),
            money: Some(now.money),
            mode: now.mode,
            provider: NAME,
            verified: Verified::Api,
            raw: parsed.map(|e| e.raw).unwrap_or(Value::Null),
        })
    }
}

/// §P3 transaction statuses (docs ∪ SDK). Note `partially-refunded` with a hyphen and
/// `refund_pending` with an underscore; a pending refund is not a state we act on.
fn transaction_status(s: &str) -> PaymentStatus {
    match s {
        "waiting" | "initiated" => PaymentStatus::Pending,
        "confirmed" => PaymentStatus::Paid,
        "authorized" | "reserved" | "uncaptured" => PaymentStatus::Authorized,
        "cancelled" | "expired" => PaymentStatus::Cancelled,
        "declined" | "error" | "insecure" => PaymentStatus::Failed,
        "refunded" => PaymentStatus::Refunded,
        "partially-refunded" => PaymentStatus::PartiallyRefunded,
        "chargeback" | "disputed" => PaymentStatus::Chargeback,
        "refund_pending" => PaymentStatus::Unknown,
        _ => PaymentStatus::Unknown,
    }
}

impl Payrexx {
    fn first_of(&self, resp: Result<Response>) -> Result<Value> {
        resp.and_then(first_of)
            .map_err(|e| e.redact(self.secret.expose()))
    }
}

/// Unwraps §P2's envelope: `data` is an array even for one object.
fn first_of(resp: Response) -> Result<Value> {
    let env: Option<wire::Envelope> = serde_json::from_slice(&resp.body).ok();
    let failed = !(200..300).contains(&resp.status)
        || env.as_ref().and_then(|e| e.status.as_deref()) != Some("success");
    if failed {
        let status = if (200..300).contains(&resp.status) {
            502
        } else {
            resp.status
        };
        let (code, message) = env.map(|e| (e.reason, e.message)).unwrap_or((None, None));
        return Err(rejected(status, code, message, resp.request_id));
    }
    env.and_then(|e| e.data)
        .and_then(|d| d.as_array().and_then(|a| a.first().cloned()))
        .ok_or_else(|| invalid_response(resp.status, "success envelope without data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_unrecognised_maps_to_paid() {
        for s in ["Confirmed", "confirmed ", "paid", "refund_pending", ""] {
            assert_ne!(transaction_status(s), PaymentStatus::Paid, "{s}");
        }
        assert_eq!(
            transaction_status("partially-refunded"),
            PaymentStatus::PartiallyRefunded
        );
        assert_eq!(
            transaction_status("partially_refunded"),
            PaymentStatus::Unknown
        );
    }

    #[test]
    fn requires_instance_secret_and_a_known_auth() {
        let ok = Config::new()
            .with("instance", "demo")
            .with("secret_key", "s");
        assert!(Payrexx::from_config(&ok).is_ok());
        assert_eq!(
            Payrexx::from_config(&ok.clone().with("auth", "oauth"))
                .err()
                .unwrap()
                .code(),
            "config"
        );
        assert_eq!(
            Payrexx::from_config(&Config::new().with("secret_key", "s"))
                .err()
                .unwrap()
                .code(),
            "config"
        );
        assert_eq!(
            Payrexx::from_config(&ok.with("instance", "a/b"))
                .err()
                .unwrap()
                .code(),
            "config"
        );
    }
}
