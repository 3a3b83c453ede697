//! Payrexx (providers.md §P1–§P4): Gateway create/retrieve, Transaction retrieve, webhooks in JSON
//! or PHP-form encoding whose facts are always re-read through the API.

mod provider;
mod query;
mod status;
mod transaction;
mod webhook;
mod wire;

use status::*;

pub use query::{build as http_build_query, parse as parse_php_form};

use super::common::{body_minor, invalid_response, rejected};
use super::{id_string, path_segment, Config, Hint, Payment, PaymentRequest, Provider};
use crate::error::{Error, Result};
use crate::http::{HttpClient, Method, Request, Response};
use crate::signing::{self, Encoding, Secret};
use crate::webhook::{Event, Headers, Mode, PaymentStatus, Scheme, Verifier};
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

    /// Every Payrexx call in one place: `instance` on every URL (§P1), auth by header or legacy
    /// signature, JSON bodies (form bodies for the legacy scheme, as the SDK sends them), the §P2
    /// envelope unwrapped, error answers mapped, the secret redacted. No idempotency key: Payrexx
    /// honours none (§P1/§P3), so this takes none.
    fn send(&self, method: Method, path: &str, params: Map<String, Value>) -> Result<Value> {
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
            // create whose outcome is unknown is never re-sent: it could make a second gateway
            // (README "Retries and idempotency").
            return self.unwrap(self.http.execute_not_idempotent(&build));
        }
        self.unwrap(self.http.execute(&build))
    }

    fn unwrap(&self, resp: Result<Response>) -> Result<Value> {
        resp.and_then(first_of)
            .map_err(|e| e.redact(self.secret.expose()))
    }

    fn gateway(&self, id: &str) -> Result<(wire::Gateway, Value)> {
        let data = self.send(
            Method::Get,
            &format!("Gateway/{}/", path_segment(id)?),
            Map::new(),
        )?;
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
            refunds: now.refunds,
            transaction_id: now.tx_id,
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
