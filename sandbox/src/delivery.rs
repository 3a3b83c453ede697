//! Webhook sender. The first attempt runs in the caller's thread (the checkout page waits for it,
//! up to 20 s); on a non-2xx answer or an error the remaining attempts run in a background thread
//! after the delays of `--retry-schedule-ms` (providers.md §N5 [ours], §X1 "other answers are
//! retried", §P4 retries). The state lock is never held while a request is in flight.

use crate::state::App;
use crate::util;
use std::sync::Arc;
use std::time::Duration;

/// How a webhook is signed; headers are computed per attempt (NeroPay's carry a fresh timestamp).
#[derive(Clone, Debug)]
pub enum Signing {
    None,
    /// providers.md §N5 [ours]: X-NeroPay-Timestamp + hex HMAC(secret, ts + "." + body).
    NeroPay(String),
    /// providers.md §X1: X-Noxipay-Signature: sha256=<hex HMAC(secret, body)>.
    Noxipay(String),
    /// providers.md §P4 [3rd]: X-Webhook-Signature: <hex HMAC(key, body)>.
    Payrexx(String),
}

#[derive(Clone, Debug)]
pub struct Webhook {
    pub provider: &'static str,
    pub payment_id: String,
    pub event_id: String,
    pub event_type: String,
    pub url: Option<String>,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub signing: Signing,
}

impl Webhook {
    pub fn headers(&self, now: i64) -> Vec<(String, String)> {
        let mut h = vec![("Content-Type".to_string(), self.content_type.to_string())];
        match &self.signing {
            Signing::None => {}
            Signing::NeroPay(secret) => {
                let ts = now.to_string();
                let mut msg = format!("{ts}.").into_bytes();
                msg.extend_from_slice(&self.body);
                h.push(("X-NeroPay-Timestamp".into(), ts));
                h.push((
                    "X-NeroPay-Signature".into(),
                    util::hmac_hex(secret.as_bytes(), &msg),
                ));
            }
            Signing::Noxipay(secret) => h.push((
                "X-Noxipay-Signature".into(),
                format!("sha256={}", util::hmac_hex(secret.as_bytes(), &self.body)),
            )),
            Signing::Payrexx(key) => h.push((
                "X-Webhook-Signature".into(),
                util::hmac_hex(key.as_bytes(), &self.body),
            )),
        }
        h
    }
}

pub fn http_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("paybridge-sandbox/0.1")
        .build()
        .unwrap_or_else(|_| reqwest::blocking::Client::new())
}

/// One POST of the webhook; Ok(status) when an answer came back.
pub fn send_once(
    client: &reqwest::blocking::Client,
    url: &str,
    wh: &Webhook,
) -> Result<u16, String> {
    let mut req = client.post(url).body(wh.body.clone());
    for (k, v) in wh.headers(util::now_secs()) {
        req = req.header(k, v);
    }
    match req.send() {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let _ = resp.bytes();
            Ok(status)
        }
        Err(e) => Err(describe(&e)),
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connect error".into()
    } else {
        let mut s = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(inner) = src {
            s.push_str(": ");
            s.push_str(&inner.to_string());
            src = inner.source();
        }
        s
    }
}

/// One logged attempt; true when nothing more needs to be tried.
fn attempt(app: &App, wh: &Webhook, n: u32) -> bool {
    let Some(url) = wh.url.as_deref() else {
        app.lock().log_delivery(
            wh,
            None,
            n,
            None,
            Some("no notify url for this payment".into()),
        );
        return true;
    };
    let result = send_once(&app.client, url, wh);
    let done = matches!(result, Ok(s) if (200..300).contains(&s));
    let (status, error) = match result {
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(e)),
    };
    app.lock().log_delivery(wh, Some(url), n, status, error);
    done
}

/// First attempt now; retries in the background. Returns whether the first attempt was a 2xx.
pub fn deliver(app: &Arc<App>, wh: Webhook) -> bool {
    if attempt(app, &wh, 1) {
        return true;
    }
    let schedule = app.cfg.retry_schedule.clone();
    if !schedule.is_empty() {
        let app = app.clone();
        std::thread::spawn(move || retry(&app, &wh, &schedule));
    }
    false
}

fn retry(app: &App, wh: &Webhook, schedule: &[u64]) {
    for (i, delay) in schedule.iter().enumerate() {
        std::thread::sleep(Duration::from_millis(*delay));
        if attempt(app, wh, i as u32 + 2) {
            return;
        }
    }
}

/// Webhooks in order, first attempts synchronous (checkout page and `/_control` actions).
pub fn deliver_all(app: &Arc<App>, whs: Vec<Webhook>) {
    for wh in whs {
        deliver(app, wh);
    }
}

/// Webhooks in order on a background thread (after an API call such as a refund, so a
/// single-threaded receiver that is still waiting for our API answer cannot deadlock).
pub fn deliver_background(app: &Arc<App>, whs: Vec<Webhook>) {
    if whs.is_empty() {
        return;
    }
    let app = app.clone();
    std::thread::spawn(move || deliver_all(&app, whs));
}

/// `copies` concurrent deliveries of the same webhook (duplicates on demand); statuses of the
/// first attempts.
pub fn deliver_copies(app: &Arc<App>, wh: &Webhook, copies: usize) -> Vec<bool> {
    let handles: Vec<_> = (0..copies)
        .map(|_| {
            let app = app.clone();
            let wh = wh.clone();
            std::thread::spawn(move || deliver(&app, wh))
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or(false))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(body: &str, signing: Signing) -> Webhook {
        Webhook {
            provider: "noxipay",
            payment_id: "pay_1".into(),
            event_id: "evt_1".into(),
            event_type: "payment.completed".into(),
            url: None,
            content_type: "application/json",
            body: body.as_bytes().to_vec(),
            signing,
        }
    }

    fn header(h: &[(String, String)], name: &str) -> Option<String> {
        h.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn signs_noxipay_webhooks_like_openssl() {
        // printf '%s' '<body>' | openssl dgst -sha256 -hmac nxwh_test_secret
        let wh = hook(
            r#"{"id":"evt_1","type":"payment.completed","data":{"amount":2500}}"#,
            Signing::Noxipay("nxwh_test_secret".into()),
        );
        assert_eq!(
            header(&wh.headers(0), "X-Noxipay-Signature").as_deref(),
            Some("sha256=002d3f5ea50997a79a353e79d632c9eaa161bcc297d16c350c08960456865da1")
        );
    }

    #[test]
    fn signs_neropay_ipns_over_timestamp_dot_body() {
        // printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac sk_test_neropay
        let body = r#"{"identifier":"PERFEX_CRM-1001","amount":12.50,"currency":"GBP"}"#;
        let wh = hook(body, Signing::NeroPay("sk_test_neropay".into()));
        let h = wh.headers(1_700_000_000);
        assert_eq!(
            header(&h, "X-NeroPay-Timestamp").as_deref(),
            Some("1700000000")
        );
        assert_eq!(
            header(&h, "X-NeroPay-Signature").as_deref(),
            Some("11746b2991c96d55ca9c04b16b3ff8c458bced872f94919904d7f775352ce34f")
        );
    }

    #[test]
    fn sends_no_signature_header_without_a_secret() {
        let h = hook("{}", Signing::None).headers(0);
        assert_eq!(h.len(), 1, "only Content-Type");
    }
}
