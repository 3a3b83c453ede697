//! NeroPay (providers.md §N1–§N5): signed, idempotent payment-link creation; reads of links and
//! transactions; IPNs that are only a wake-up signal unless a webhook secret is configured.

mod provider;
mod status;
mod wire;

use status::*;

use super::common::{
    absent_if_not_found, api_decimal, bearer_headers, body_decimal, invalid_response,
    listed_refund, rejected_with,
};
use super::{id_string, path_segment, Config, Hint, Payment, PaymentRequest, Provider};
use crate::error::{Error, Result};
use crate::http::{HttpClient, Method, OperationKey, Request, Response};
use crate::money::{Currency, Money};
use crate::refund::{RefundEntry, RefundFacts};
use crate::signing::{self, Encoding, Secret};
use crate::webhook::{self, Event, Headers, PaymentStatus, Scheme, Verifier};
use serde::Deserialize;
use serde_json::Value;

pub const DEFAULT_BASE_URL: &str = "https://eu.neropay.app/v2";
const NAME: &str = "neropay";

/// §N5 [ours]: an IPN is signed like a request, with the webhook secret.
const SCHEME: Scheme = Scheme {
    signature_header: "X-NeroPay-Signature",
    prefix: None,
    encoding: Encoding::Hex,
    timestamp_header: Some("X-NeroPay-Timestamp"),
};

pub struct NeroPay {
    secret_key: Secret,
    verifier: Verifier,
    account: Option<String>,
    http: HttpClient,
}

impl NeroPay {
    pub fn from_config(config: &Config) -> Result<NeroPay> {
        config.check_keys(&[
            "secret_key",
            "webhook_secret",
            "account",
            "tolerance_seconds",
        ])?;
        let account = config.opt_str("account")?;
        if let Some(a) = &account {
            if !a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(Error::config("account must look like NPxxxx_12345"));
            }
        }
        Ok(NeroPay {
            secret_key: config.required_secret("secret_key")?,
            verifier: Verifier {
                scheme: SCHEME,
                secrets: config.secrets("webhook_secret")?,
                tolerance: Some(config.tolerance(300)?),
            },
            account,
            http: HttpClient::new(config.http(DEFAULT_BASE_URL)?),
        })
    }

    fn headers(&self) -> Vec<(String, String)> {
        let mut h = bearer_headers(&self.secret_key);
        h.push(("Content-Type".into(), "application/json".into()));
        if let Some(a) = &self.account {
            h.push(("NeroPay-Account".into(), a.clone()));
        }
        h
    }

    /// Every NeroPay call (§N1, §N2) in one place: bearer auth (and the account header); a write
    /// carries a timestamp, the hex HMAC of `timestamp.body` under the secret key and the
    /// operation's idempotency key (re-signed per attempt; body and key never change); the §N2
    /// envelope is unwrapped, error answers become `provider_rejected`, the secret key is redacted.
    fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        idempotency_key: Option<&OperationKey>,
    ) -> Result<Value> {
        let url = self.http.url(path);
        let build = || {
            let mut headers = self.headers();
            if let Some(body) = body {
                let ts = webhook::system_now().to_string();
                let sig = write_signature(self.secret_key.expose(), &ts, body);
                headers.push(("X-NeroPay-Timestamp".into(), ts));
                headers.push(("X-NeroPay-Signature".into(), sig));
            }
            if let Some(key) = idempotency_key {
                headers.push(("Idempotency-Key".into(), key.as_str().to_string()));
            }
            Request {
                method,
                url: url.clone(),
                headers,
                body: body.map(<[u8]>::to_vec),
            }
        };
        self.http
            .execute_keyed(&build, idempotency_key)
            .and_then(data_of)
            .map_err(|e| e.redact(self.secret_key.expose()))
    }

    /// A link as its current state (README "Trust"). A link stays `paid` after its
    /// transaction is refunded or voided (§N3 knows only open, paid, failed), so a paid link is
    /// only as paid as its transaction, read through §N4: `succeeded` → paid with the amount and
    /// currency that transaction settled; refunded, partial_refunded, cancelled, failed → that
    /// state; no readable transaction that belongs to the link → `unknown`, never paid.
    fn payment_from(&self, data: Value, fallback: Option<&Money>) -> Result<Payment> {
        let link = wire::Link::deserialize(&data)
            .map_err(|_| invalid_response(200, "payment link has an unexpected shape"))?;
        let id =
            id_string(&link.id).ok_or_else(|| invalid_response(200, "payment link without id"))?;
        let requested = match (&link.amount, &link.currency) {
            (Some(a), Some(c)) => api_decimal(a, c)?,
            _ => *fallback.ok_or_else(|| invalid_response(200, "payment link without amount"))?,
        };
        let (status, money, tx) = match link_status(link.status.as_deref()) {
            PaymentStatus::Paid => match self.link_transaction(&id, &link)? {
                Some(tx) => {
                    let (status, money) = settled_state(&tx, requested)?;
                    (status, money, Some(tx))
                }
                None => (PaymentStatus::Unknown, requested, None),
            },
            other => (other, requested, None),
        };
        let refunds = match &tx {
            Some(t) => refund_facts(t, money.currency())?,
            None => RefundFacts::none(money.currency()),
        };
        Ok(Payment {
            refunds,
            // §N4: refunds go to the transaction, not to the link.
            transaction_id: tx.as_ref().and_then(|t| t.id.as_ref()).and_then(id_string),
            id,
            reference: link.identifier.or(link.reference).unwrap_or_default(),
            status,
            checkout_url: link.checkout_url.or(link.payment_link),
            money,
            // §N3/§N4 report no live/test mode (`mode` is null where the API is silent).
            mode: None,
            provider: NAME,
            raw: data,
        })
    }

    /// The link's transaction as §N4 reports it now: by the id the link names (its latest
    /// attempt), else by the link's reference (§N4 accepts `{id or reference}`). It must belong
    /// to the link — its `payment_link_id` is the link's id, or, without that field, its `trx`
    /// is the link's reference — or it does not count. A 404 is "no transaction".
    fn link_transaction(
        &self,
        link_id: &str,
        link: &wire::Link,
    ) -> Result<Option<wire::Transaction>> {
        let reference = link.reference.as_deref().filter(|r| !r.is_empty());
        let key = match link
            .transaction
            .as_ref()
            .and_then(|t| t.id.as_ref())
            .and_then(id_string)
        {
            Some(tx_id) => tx_id,
            None => match reference {
                Some(r) => r.to_string(),
                None => return Ok(None),
            },
        };
        let Some((tx, _)) = absent_if_not_found(self.retrieve_transaction(&key))? else {
            return Ok(None);
        };
        let belongs = match tx.payment_link_id.as_ref() {
            Some(l) => id_string(l).as_deref() == Some(link_id),
            None => reference.is_some() && tx.trx.as_deref() == reference,
        };
        Ok(belongs.then_some(tx))
    }

    fn retrieve_transaction(&self, id: &str) -> Result<(wire::Transaction, Value)> {
        let path = format!("/transactions/{}", path_segment(id)?);
        let data = self.send(Method::Get, &path, None, None)?;
        let tx = wire::Transaction::deserialize(&data)
            .map_err(|_| invalid_response(200, "transaction has an unexpected shape"))?;
        Ok((tx, data))
    }
}

/// §N4 refund body `{"amount": 12.50, "reason": "…"}`: compact JSON, the amount a JSON number
/// written from minor units (as §N3), the reason left out when there is none. These are the
/// exact bytes signed and sent (tests/vectors/neropay/refund_request_*.json).
pub fn refund_body(money: &Money, reason: Option<&str>) -> Result<Vec<u8>> {
    let amount: serde_json::Number = money
        .to_decimal()
        .parse()
        .map_err(|_| Error::amount("cannot be written as a JSON number"))?;
    serde_json::to_vec(&wire::CreateRefund { amount, reason })
        .map_err(|_| Error::request("request cannot be encoded"))
}

/// §N1: the hex HMAC-SHA256 of `timestamp.body` under the secret key that signs every write.
pub fn write_signature(secret_key: &[u8], timestamp: &str, body: &[u8]) -> String {
    signing::sign(
        secret_key,
        &[timestamp.as_bytes(), b".", body],
        Encoding::Hex,
    )
}

/// [ours] a transaction's refunds and refunded total (docs/providers-refunds.md "NeroPay"). NeroPay
/// documents no chargeback state (§N4), so there are never chargebacks.
fn refund_facts(tx: &wire::Transaction, currency: Currency) -> Result<RefundFacts> {
    let code = currency.code();
    let total = match &tx.refunded_amount {
        Some(a) => Some(api_decimal(a, code)?.minor()),
        None => None,
    };
    let refunds = tx
        .refunds
        .iter()
        .map(|r| refund_entry(r, code))
        .collect::<Result<Vec<_>>>()?;
    Ok(RefundFacts::from_parts(currency, total, refunds, vec![]))
}

fn refund_entry(r: &wire::Refund, currency: &str) -> Result<RefundEntry> {
    listed_refund(
        &r.id,
        r.amount.as_ref(),
        refund_status(r.status.as_deref()),
        |amount| api_decimal(amount, r.currency.as_deref().unwrap_or(currency)),
    )
}

fn derived_id(payment_id: &str, what: &str) -> String {
    format!("neropay:{payment_id}:{what}")
}

/// Status and money of a link from its transaction (§N4). `paid` needs the transaction's own
/// amount and currency; without them it is `unknown`. Other states carry the transaction's money
/// when it is readable (what was charged and is now refunded), else what the link asked for.
fn settled_state(tx: &wire::Transaction, requested: Money) -> Result<(PaymentStatus, Money)> {
    let status = transaction_status(tx.status.as_deref());
    let own = match (&tx.amount, &tx.currency) {
        (Some(a), Some(c)) => Some(api_decimal(a, c)),
        _ => None,
    };
    Ok(match (status, own) {
        (PaymentStatus::Paid, Some(money)) => (PaymentStatus::Paid, money?),
        (PaymentStatus::Paid, None) => (PaymentStatus::Unknown, requested),
        (other, Some(Ok(money))) => (other, money),
        (other, Some(Err(_)) | None) => (other, requested),
    })
}

/// Unwraps the §N2 envelope, turning error answers into `provider_rejected`.
fn data_of(resp: Response) -> Result<Value> {
    let env: Option<wire::Envelope> = serde_json::from_slice(&resp.body).ok();
    if !(200..300).contains(&resp.status) {
        return Err(rejected_with(resp, env.and_then(|e| e.error)));
    }
    match env {
        Some(wire::Envelope {
            success: true,
            data: Some(d),
            ..
        }) => Ok(d),
        _ => Err(invalid_response(
            resp.status,
            "not a NeroPay success envelope",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_unrecognised_maps_to_paid() {
        for s in ["OPEN", "Paid", "succeeded ", "review", ""] {
            assert_ne!(link_status(Some(s)), PaymentStatus::Paid, "{s}");
            assert_ne!(transaction_status(Some(s)), PaymentStatus::Paid, "{s}");
            assert_ne!(event_status(s), PaymentStatus::Paid, "{s}");
        }
        assert_eq!(event_status("payout.paid"), PaymentStatus::Unknown);
    }

    #[test]
    fn requires_a_secret_key_and_https() {
        assert_eq!(
            NeroPay::from_config(&Config::new()).err().unwrap().code(),
            "config"
        );
        let c = Config::new()
            .with("secret_key", "k")
            .with("base_url", "http://neropay.example/v2");
        assert_eq!(NeroPay::from_config(&c).err().unwrap().code(), "config");
    }
}
