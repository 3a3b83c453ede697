//! Configuration and the one in-memory state behind a Mutex. The lock is held only while state is
//! read or changed, never while a webhook is being sent (the receiver may call back into the API).

use crate::delivery::Webhook;
use crate::{neropay, noxipay, payrexx, util};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Logs are capped so a long benchmark run cannot grow memory without bound.
const MAX_LOG: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookFormat {
    Json,
    Form,
}

impl WebhookFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(WebhookFormat::Json),
            "form" => Some(WebhookFormat::Form),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub neropay_secret: String,
    pub neropay_webhook_secret: Option<String>,
    pub payrexx_instance: String,
    pub payrexx_secret: String,
    pub payrexx_webhook_key: Option<String>,
    pub payrexx_webhook_format: WebhookFormat,
    pub payrexx_webhook_url: Option<String>,
    pub noxipay_secret: String,
    pub noxipay_webhook_secret: String,
    /// Delays in ms before each retry; attempts = 1 + len.
    pub retry_schedule: Vec<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            neropay_secret: "sk_test_neropay".into(),
            neropay_webhook_secret: None,
            payrexx_instance: "demo".into(),
            payrexx_secret: "px_test_secret".into(),
            payrexx_webhook_key: None,
            payrexx_webhook_format: WebhookFormat::Json,
            payrexx_webhook_url: None,
            noxipay_secret: "nx_test_secret".into(),
            noxipay_webhook_secret: "nxwh_test_secret".into(),
            retry_schedule: vec![200, 500, 1000, 2000, 4000],
        }
    }
}

/// Fault injection for provider API routes (never control or checkout routes).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    pub latency_ms: u64,
    pub fail_next: u64,
    pub fail_status: u16,
    pub retry_after: u64,
    pub drop_next: u64,
    pub timeout_after_accept_next: u64,
    pub provider: Option<String>,
    /// Only requests with this HTTP method get the drop/fail/timeout faults (null = all), so
    /// a test can fault a refund's POST and not the read before it.
    pub method: Option<String>,
    /// Issue 13 contract 3: the next refund (API or control) is answered `pending`, then ends
    /// `failed` in the background (refund webhook with the failed status).
    pub refund_fails_async: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            fail_next: 0,
            fail_status: 500,
            retry_after: 1,
            drop_next: 0,
            timeout_after_accept_next: 0,
            provider: None,
            method: None,
            refund_fails_async: false,
        }
    }
}

pub enum IdemCheck {
    Fresh,
    Replay(u16, Vec<u8>),
    Conflict,
}

struct IdemEntry {
    fingerprint: [u8; 32],
    status: u16,
    body: Vec<u8>,
}

#[derive(Default)]
pub struct State {
    pub nero: neropay::model::Store,
    pub nox: noxipay::model::Store,
    pub px: payrexx::model::Store,
    idem: HashMap<String, IdemEntry>,
    pub faults: Faults,
    pub requests: Vec<Value>,
    pub deliveries: Vec<Value>,
    /// Every webhook built, oldest first, for `redeliver`.
    pub webhooks: Vec<Webhook>,
    /// Refunds the `refund_fails_async` fault made pending: (provider, payment or transaction
    /// key, refund id), failed in the background by `refunds::fail_later`.
    pub failing_refunds: Vec<(&'static str, String, String)>,
}

fn fingerprint(method: &str, path: &str, body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    h.finalize().into()
}

fn push_capped(log: &mut Vec<Value>, v: Value) {
    if log.len() >= MAX_LOG {
        log.drain(..MAX_LOG / 10);
    }
    log.push(v);
}

impl State {
    /// Same key + same request → replay; same key + another body or path → conflict
    /// (providers.md §0 and §N2 `idempotency_conflict`). `scope` separates providers and accounts.
    pub fn idem_check(
        &self,
        scope: &str,
        key: &str,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> IdemCheck {
        match self.idem.get(&format!("{scope}\n{key}")) {
            None => IdemCheck::Fresh,
            Some(e) if e.fingerprint == fingerprint(method, path, body) => {
                IdemCheck::Replay(e.status, e.body.clone())
            }
            Some(_) => IdemCheck::Conflict,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn idem_store(
        &mut self,
        scope: &str,
        key: &str,
        method: &str,
        path: &str,
        body: &[u8],
        status: u16,
        response: &[u8],
    ) {
        self.idem.insert(
            format!("{scope}\n{key}"),
            IdemEntry {
                fingerprint: fingerprint(method, path, body),
                status,
                body: response.to_vec(),
            },
        );
    }

    pub fn log_request(&mut self, entry: Value) {
        push_capped(&mut self.requests, entry);
    }

    #[allow(clippy::too_many_arguments)]
    pub fn log_delivery(
        &mut self,
        wh: &Webhook,
        url: Option<&str>,
        attempt: u32,
        status: Option<u16>,
        error: Option<String>,
    ) {
        let entry = json!({
            "provider": wh.provider,
            "payment_id": wh.payment_id,
            "event_id": wh.event_id,
            "event_type": wh.event_type,
            "url": url,
            "attempt": attempt,
            "status": status,
            "error": error,
            "at": util::rfc3339_millis(util::now_millis()),
        });
        push_capped(&mut self.deliveries, entry);
    }

    pub fn remember_webhook(&mut self, wh: &Webhook) {
        if self.webhooks.len() >= MAX_LOG {
            self.webhooks.drain(..MAX_LOG / 10);
        }
        self.webhooks.push(wh.clone());
    }

    /// The last webhook of a payment, or the one with that event id.
    pub fn find_webhook(
        &self,
        provider: &str,
        payment_id: &str,
        event_id: Option<&str>,
    ) -> Option<Webhook> {
        self.webhooks
            .iter()
            .rev()
            .find(|w| {
                w.provider == provider
                    && w.payment_id == payment_id
                    && event_id.is_none_or(|e| w.event_id == e)
            })
            .cloned()
    }

    /// Takes the `refund_fails_async` fault for this provider's next refund, if it is set.
    pub fn take_refund_failure(&mut self, provider: &str) -> bool {
        let f = &mut self.faults;
        if !f.refund_fails_async || f.provider.as_deref().is_some_and(|p| p != provider) {
            return false;
        }
        f.refund_fails_async = false;
        true
    }

    /// `POST /_control/reset`: faults and logs go, payments stay.
    pub fn reset(&mut self) {
        self.faults = Faults::default();
        self.requests.clear();
        self.deliveries.clear();
    }
}

pub struct App {
    pub cfg: Config,
    pub state: Mutex<State>,
    pub client: reqwest::blocking::Client,
    /// `http://127.0.0.1:<port>`, used to build checkout links.
    pub base: String,
}

impl App {
    /// A poisoned lock still holds consistent data here (every change is a plain assignment), so
    /// carry on rather than turning one panic into a dead server.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Options of a state change requested from the checkout page or `/_control`.
#[derive(Clone, Debug, Default)]
pub struct ActionOpts {
    /// Decimal string in major units: pay a different amount, or the partial refund amount.
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub reason: Option<String>,
    /// Payrexx `pay` only: the transaction's `mode`, `TEST` or `LIVE` (default `LIVE`).
    pub mode: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Pay,
    Fail,
    Cancel,
    Refund,
    PartialRefund,
    Chargeback,
}

impl Action {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pay" => Action::Pay,
            "fail" => Action::Fail,
            "cancel" => Action::Cancel,
            "refund" => Action::Refund,
            "partial_refund" => Action::PartialRefund,
            "chargeback" => Action::Chargeback,
            _ => return None,
        })
    }
}

/// Result of a state change: what to send, where the browser goes, the new state.
pub struct Transition {
    pub webhooks: Vec<Webhook>,
    pub redirect: Option<String>,
    pub state: Value,
}

#[derive(Debug)]
pub struct ActionError {
    pub status: u16,
    pub message: String,
}

impl ActionError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ActionError {
            status,
            message: message.into(),
        }
    }
}

/// Amount from an action's options in minor units (`exponent` decimals), or `default`.
pub fn opts_amount(opts: &ActionOpts, exponent: u32, default: i64) -> Result<i64, ActionError> {
    match &opts.amount {
        None => Ok(default),
        Some(a) => util::parse_decimal(a, exponent)
            .map_err(|m| ActionError::new(400, format!("amount {m}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_the_stored_answer_for_the_same_key_and_body() {
        let mut st = State::default();
        let body = br#"{"amount":12.50}"#;
        assert!(matches!(
            st.idem_check("neropay:A", "k1", "POST", "/p", body),
            IdemCheck::Fresh
        ));
        st.idem_store("neropay:A", "k1", "POST", "/p", body, 201, b"{\"id\":1}");
        match st.idem_check("neropay:A", "k1", "POST", "/p", body) {
            IdemCheck::Replay(status, resp) => {
                assert_eq!(status, 201);
                assert_eq!(resp, b"{\"id\":1}");
            }
            _ => panic!("expected a replay"),
        }
    }

    #[test]
    fn reports_a_conflict_for_the_same_key_with_another_body_or_path() {
        let mut st = State::default();
        st.idem_store("neropay:A", "k1", "POST", "/p", b"{\"a\":1}", 201, b"{}");
        assert!(matches!(
            st.idem_check("neropay:A", "k1", "POST", "/p", b"{\"a\":2}"),
            IdemCheck::Conflict
        ));
        assert!(matches!(
            st.idem_check("neropay:A", "k1", "POST", "/q", b"{\"a\":1}"),
            IdemCheck::Conflict
        ));
    }

    #[test]
    fn keeps_keys_of_different_scopes_apart() {
        let mut st = State::default();
        st.idem_store("neropay:A", "k1", "POST", "/p", b"{}", 201, b"{}");
        assert!(matches!(
            st.idem_check("noxipay", "k1", "POST", "/p", b"{\"x\":1}"),
            IdemCheck::Fresh
        ));
    }
}
