//! `/_control/…`: JSON in and out, no auth, never subject to faults. See sandbox/README.md.

use crate::actions;
use crate::delivery;
use crate::http::{Request, Response};
use crate::provider::Provider;
use crate::state::{Action, ActionOpts, App, Faults};
use crate::util;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::sync::Arc;

fn err(status: u16, message: &str) -> Response {
    Response::json(status, &json!({"error": message}))
}

fn ok(v: Value) -> Response {
    Response::json(200, &v)
}

pub fn handle(app: &Arc<App>, req: &Request, rest: &str) -> Response {
    let segs = util::path_segments(rest, true);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", ["health"]) => ok(json!({"ok": true})),
        ("POST", ["reset"]) => {
            app.lock().reset();
            ok(json!({"ok": true}))
        }
        ("GET", ["faults"]) => ok(json!(app.lock().faults)),
        ("POST", ["faults"]) => set_faults(app, req),
        ("GET", ["requests"]) => ok(Value::Array(app.lock().requests.clone())),
        ("GET", ["deliveries"]) => ok(Value::Array(app.lock().deliveries.clone())),
        (method, [p, "payments", id, tail @ ..]) => {
            let Some(provider) = Provider::parse(p) else {
                return err(404, "unknown provider (neropay, payrexx, noxipay)");
            };
            payment(app, req, method, provider, id, tail)
        }
        _ => err(404, "unknown control endpoint"),
    }
}

fn set_faults(app: &App, req: &Request) -> Response {
    let body: &[u8] = if req.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &req.body
    };
    match serde_json::from_slice::<Faults>(body) {
        Ok(f) => {
            if f.provider
                .as_deref()
                .is_some_and(|p| Provider::parse(p).is_none())
            {
                return err(400, "provider must be neropay, payrexx or noxipay");
            }
            app.lock().faults = f.clone();
            ok(json!(f))
        }
        Err(e) => err(400, &format!("bad faults body: {e}")),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActionBody<'a> {
    #[serde(borrow)]
    amount: Option<&'a RawValue>,
    currency: Option<String>,
    reason: Option<String>,
    mode: Option<String>,
    deliver: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RedeliverBody {
    copies: Option<usize>,
    event_id: Option<String>,
}

fn payment(
    app: &Arc<App>,
    req: &Request,
    method: &str,
    provider: Provider,
    id: &str,
    tail: &[&str],
) -> Response {
    match (method, tail) {
        ("GET", []) => match actions::full_state(app, provider, id) {
            Some(v) => ok(v),
            None => err(404, "payment not found"),
        },
        ("GET", ["webhook"]) => webhook_preview(app, req, provider, id),
        ("POST", ["redeliver"]) => redeliver(app, req, provider, id),
        ("POST", [action]) => {
            let Some(action) = Action::parse(action) else {
                return err(404, "unknown action (pay, fail, cancel, refund, partial_refund, chargeback, redeliver)");
            };
            let body: &[u8] = if req.body.iter().all(u8::is_ascii_whitespace) {
                b"{}"
            } else {
                &req.body
            };
            let parsed: ActionBody = match serde_json::from_slice(body) {
                Ok(b) => b,
                Err(e) => return err(400, &format!("bad body: {e}")),
            };
            let amount = match parsed.amount.map(|r| r.get().trim()) {
                None | Some("null") => None,
                Some(t) if t.starts_with('"') => match serde_json::from_str::<String>(t) {
                    Ok(s) => Some(s),
                    Err(_) => return err(400, "amount must be a decimal string"),
                },
                Some(t) => Some(t.to_string()),
            };
            let opts = ActionOpts {
                amount,
                currency: parsed.currency,
                reason: parsed.reason,
                mode: parsed.mode,
            };
            let applied = actions::apply(app, provider, id, action, &opts);
            crate::refunds::fail_later(app);
            match applied {
                Ok(t) => {
                    if parsed.deliver.unwrap_or(true) {
                        delivery::deliver_all(app, t.webhooks);
                    }
                    ok(t.state)
                }
                Err(e) => err(e.status, &e.message),
            }
        }
        _ => err(404, "unknown payment control endpoint"),
    }
}

/// `GET /_control/{provider}/payments/{id}/webhook?type=<event>`: the webhook the sandbox would
/// send now for that event (body and signed headers), without changing state. Used by `trigger`.
fn webhook_preview(app: &App, req: &Request, provider: Provider, id: &str) -> Response {
    let q = util::parse_query(&req.query);
    let Some(event_type) = util::query_get(&q, "type") else {
        return err(400, "type query parameter is required");
    };
    let format = util::query_get(&q, "format");
    let mut cfg = app.cfg.clone();
    if let Some(f) = format.and_then(crate::state::WebhookFormat::parse) {
        cfg.payrexx_webhook_format = f;
    }
    let built = {
        let st = app.lock();
        actions::event_for(&cfg, &st, provider, id, event_type)
    };
    match built {
        Ok(wh) => {
            let headers: serde_json::Map<String, Value> = wh
                .headers(util::now_secs())
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            ok(json!({
                "event_id": wh.event_id,
                "event_type": wh.event_type,
                "url": wh.url,
                "content_type": wh.content_type,
                "headers": headers,
                "body": String::from_utf8_lossy(&wh.body),
            }))
        }
        Err(e) => err(e.status, &e.message),
    }
}

fn redeliver(app: &Arc<App>, req: &Request, provider: Provider, id: &str) -> Response {
    let body: &[u8] = if req.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &req.body
    };
    let parsed: RedeliverBody = match serde_json::from_slice(body) {
        Ok(b) => b,
        Err(e) => return err(400, &format!("bad body: {e}")),
    };
    let copies = parsed.copies.unwrap_or(1).clamp(1, 100);
    let found = app
        .lock()
        .find_webhook(provider.name(), id, parsed.event_id.as_deref());
    let Some(wh) = found else {
        return err(404, "no webhook was sent for this payment (or event id)");
    };
    let results = delivery::deliver_copies(app, &wh, copies);
    ok(json!({
        "event_id": wh.event_id,
        "event_type": wh.event_type,
        "copies": copies,
        "first_attempt_2xx": results,
    }))
}
