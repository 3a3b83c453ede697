//! `paybridge-sandbox trigger <provider> <event> --payment <id> --to <url>`: sends one webhook
//! (like `stripe trigger`). With `--sandbox <base>` the body comes from that running sandbox's
//! state of the payment (`GET /_control/{provider}/payments/{id}/webhook`); otherwise from a
//! plausible synthetic payment. Prints the HTTP status; exit 0 on 2xx, 1 otherwise.

use crate::actions;
use crate::delivery::{self, Signing, Webhook};
use crate::provider::Provider;
use crate::state::{Config, WebhookFormat};
use crate::util;
use serde_json::Value;

pub fn run(args: &[String]) -> Result<i32, String> {
    let known = ["payment", "to", "sandbox", "webhook-secret", "format"];
    let (opts, pos) = crate::parse_args(args, &known)?;
    let [provider, event] = pos.as_slice() else {
        return Err("trigger needs <provider> <event>".into());
    };
    let provider =
        Provider::parse(provider).ok_or("provider must be neropay, payrexx or noxipay")?;
    let payment = opts.get("payment").ok_or("--payment is required")?;
    let to = opts.get("to").ok_or("--to is required")?;
    let format = match opts.get("format") {
        Some(f) => Some(WebhookFormat::parse(f).ok_or("--format must be json or form")?),
        None => None,
    };
    let secret = opts.get("webhook-secret");
    let client = delivery::http_client();

    let (wh, fixed_headers) = match opts.get("sandbox") {
        Some(base) => {
            match from_sandbox(&client, base, provider, payment, event, opts.get("format")) {
                Ok(found) => found,
                Err(e) => {
                    eprintln!("paybridge-sandbox trigger: {e}");
                    return Ok(1);
                }
            }
        }
        None => {
            let mut cfg = Config {
                neropay_webhook_secret: secret.cloned(),
                payrexx_webhook_key: secret.cloned(),
                ..Config::default()
            };
            if let Some(s) = secret {
                cfg.noxipay_webhook_secret = s.clone();
            }
            if let Some(f) = format {
                cfg.payrexx_webhook_format = f;
            }
            let st = actions::synthetic(&cfg, provider, payment);
            match actions::event_for(&cfg, &st, provider, payment, event) {
                Ok(wh) => (wh, None),
                Err(e) => {
                    eprintln!(
                        "paybridge-sandbox trigger: cannot build the event: {}",
                        e.message
                    );
                    return Ok(1);
                }
            }
        }
    };
    let mut wh = wh;
    let status = match (secret, fixed_headers) {
        (None, Some(headers)) => send_with(&client, to, &wh.body, &headers),
        (Some(s), _) => {
            wh.signing = provider.imp().signing(s);
            delivery::send_once(&client, to, &wh)
        }
        (None, None) => delivery::send_once(&client, to, &wh),
    };
    match status {
        Ok(s) => {
            println!("{s}");
            Ok(if (200..300).contains(&s) { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("paybridge-sandbox trigger: {e}");
            Ok(1)
        }
    }
}

type Preview = (Webhook, Option<Vec<(String, String)>>);

fn from_sandbox(
    client: &reqwest::blocking::Client,
    base: &str,
    provider: Provider,
    payment: &str,
    event: &str,
    format: Option<&String>,
) -> Result<Preview, String> {
    let mut url = format!(
        "{}/_control/{}/payments/{}/webhook?type={}",
        base.trim_end_matches('/'),
        provider.name(),
        util::php_urlencode(payment),
        util::php_urlencode(event)
    );
    if let Some(f) = format {
        url.push_str(&format!("&format={}", util::php_urlencode(f)));
    }
    let resp = client
        .get(&url)
        .send()
        .map_err(|e| format!("sandbox: {e}"))?;
    let status = resp.status().as_u16();
    let bytes = resp.bytes().map_err(|e| format!("sandbox answer: {e}"))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("sandbox answer: {e}"))?;
    if status != 200 {
        return Err(format!("sandbox answered {status}: {}", v["error"]));
    }
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = v["headers"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    let content_type = if s("content_type") == "application/x-www-form-urlencoded" {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let wh = Webhook {
        provider: provider.name(),
        payment_id: payment.to_string(),
        event_id: s("event_id"),
        event_type: s("event_type"),
        url: None,
        content_type,
        body: s("body").into_bytes(),
        signing: Signing::None,
    };
    Ok((wh, Some(headers)))
}

fn send_with(
    client: &reqwest::blocking::Client,
    url: &str,
    body: &[u8],
    headers: &[(String, String)],
) -> Result<u16, String> {
    let mut req = client.post(url).body(body.to_vec());
    for (k, v) in headers {
        req = req.header(k, v);
    }
    req.send()
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}
