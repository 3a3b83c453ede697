//! NeroPay API v2 under `/neropay/v2` (providers.md §N1–§N4): bearer auth, signed and idempotent
//! writes, validation with `validation_failed` details, the vendor response shapes.

use super::create::{create, object, raw_amount};
use super::model::{self as model, DEFAULT_ACCOUNT};
use crate::http::{Request, Response};
use crate::server::ApiOut;
use crate::state::{App, IdemCheck, State};
use crate::util;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// providers.md §N1 [ours]: the sandbox accepts a write whose timestamp is within 300 s.
const TOLERANCE_SECS: i64 = 300;

/// providers.md §N2 error envelope.
pub fn error(status: u16, code: &str, message: &str, details: Option<Value>) -> Response {
    let body = json!({
        "success": false,
        "error": {"code": code, "message": message, "details": details},
    });
    let resp = Response::json(status, &body);
    if status == 429 {
        return resp.with_header("Retry-After", "1");
    }
    resp
}

pub(crate) fn success(status: u16, data: Value) -> Response {
    Response::json(status, &json!({"success": true, "data": data}))
}

pub(crate) fn validation(details: BTreeMap<String, Vec<String>>) -> Response {
    error(
        422,
        "validation_failed",
        "The given data was invalid.",
        Some(json!(details)),
    )
}

pub(crate) fn field_error(field: &str, message: &str) -> Response {
    let mut d = BTreeMap::new();
    d.insert(field.to_string(), vec![message.to_string()]);
    validation(d)
}

/// providers.md §N1: hex HMAC-SHA256(secret, timestamp + "." + raw body), timestamp within 300 s.
/// Err carries the reason for the error message.
pub fn check_signature(secret: &str, req: &Request, now: i64) -> Result<(), &'static str> {
    let ts = req
        .header("X-NeroPay-Timestamp")
        .ok_or("missing X-NeroPay-Timestamp header")?;
    let sig = req
        .header("X-NeroPay-Signature")
        .ok_or("missing X-NeroPay-Signature header")?;
    let mut msg = format!("{ts}.").into_bytes();
    msg.extend_from_slice(&req.body);
    if !util::verify_hex_lower(secret.as_bytes(), &msg, sig) {
        return Err("signature does not match");
    }
    let ts_num: i64 = if ts.bytes().all(|b| b.is_ascii_digit()) && !ts.is_empty() {
        ts.parse().map_err(|_| "timestamp is not unix seconds")?
    } else {
        return Err("timestamp is not unix seconds");
    };
    if (now - ts_num).abs() > TOLERANCE_SECS {
        return Err("timestamp outside the 300 s tolerance");
    }
    Ok(())
}

/// `NPxxxx_12345` (providers.md §N1): `^NP[A-Z0-9]+_[0-9]+$`.
pub fn valid_account(a: &str) -> bool {
    let Some(rest) = a.strip_prefix("NP") else {
        return false;
    };
    let Some((left, right)) = rest.split_once('_') else {
        return false;
    };
    !left.is_empty()
        && left
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && !right.is_empty()
        && right.bytes().all(|b| b.is_ascii_digit())
}

/// Entry point for `/neropay/v2{sub}`.
pub fn handle(app: &App, req: &Request, sub: &str) -> ApiOut {
    let mut out = route(app, req, sub);
    let rid = format!("req_{}", util::random_alnum(20));
    out.resp.headers.push(("X-Request-Id".into(), rid));
    out
}

fn route(app: &App, req: &Request, sub: &str) -> ApiOut {
    let cfg = &app.cfg;
    let is_write = req.method == "POST";
    let sig = is_write.then(|| check_signature(&cfg.neropay_secret, req, util::now_secs()));
    let sig_ok = sig.as_ref().map(|r| r.is_ok());
    let fail = |resp| ApiOut {
        resp,
        sig: sig_ok,
        webhooks: vec![],
    };
    let expected = format!("Bearer {}", cfg.neropay_secret);
    if req.header("Authorization") != Some(expected.as_str()) {
        return fail(error(
            401,
            "authentication_failed",
            "Invalid or missing API key.",
            None,
        ));
    }
    let account = match req.header("NeroPay-Account") {
        None => DEFAULT_ACCOUNT.to_string(),
        Some(a) if valid_account(a) => a.to_string(),
        Some(_) => {
            return fail(error(404, "account_not_found", "Account not found.", None));
        }
    };
    if let Some(Err(why)) = sig {
        return fail(error(401, "invalid_signature", why, None));
    }
    let segs = util::path_segments(sub, false);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let mut out = match (req.method.as_str(), segs.as_slice()) {
        ("POST", ["payment-links"]) => {
            write(app, req, &account, |st| create(app, st, &account, req))
        }
        ("GET", ["payment-links"]) => ApiOut::new(list(app, req)),
        ("GET", ["payment-links", id]) => {
            let st = app.lock();
            let resp = match id.parse::<u64>().ok().and_then(|i| st.nero.links.get(&i)) {
                Some(l) => success(200, st.nero.link_json(l, &app.base)),
                None => not_found("Payment link"),
            };
            ApiOut::new(resp)
        }
        ("GET", ["transactions", id]) => {
            let st = app.lock();
            let resp = match st.nero.find_tx(id) {
                Some(t) => success(200, st.nero.tx_json(t)),
                None => not_found("Transaction"),
            };
            ApiOut::new(resp)
        }
        ("POST", ["transactions", id, "refund"]) => {
            write(app, req, &account, |st| refund(app, st, id, req))
        }
        ("POST", ["transactions", id, "cancel"]) => {
            write(app, req, &account, |st| cancel(app, st, id))
        }
        _ => ApiOut::new(error(
            404,
            "resource_not_found",
            "Resource not found.",
            None,
        )),
    };
    out.sig = sig_ok;
    out
}

fn not_found(what: &str) -> Response {
    error(
        404,
        "resource_not_found",
        &format!("{what} not found."),
        None,
    )
}

/// Idempotent write (providers.md §N1, §N2): the Idempotency-Key is required; the same key and
/// the same request replay the stored answer; the same key with another body is a conflict.
fn write(app: &App, req: &Request, account: &str, op: impl FnOnce(&mut State) -> ApiOut) -> ApiOut {
    let key = match req.header("Idempotency-Key") {
        Some(k) if !k.trim().is_empty() => k.to_string(),
        _ => {
            return ApiOut::new(field_error(
                "Idempotency-Key",
                "The Idempotency-Key header is required for write requests.",
            ))
        }
    };
    let scope = format!("neropay:{account}");
    let mut st = app.lock();
    match st.idem_check(&scope, &key, &req.method, &req.path, &req.body) {
        IdemCheck::Replay(status, body) => ApiOut::new(
            Response::new(status, "application/json", body)
                .with_header("Idempotent-Replayed", "true"),
        ),
        IdemCheck::Conflict => ApiOut::new(error(
            409,
            "idempotency_conflict",
            "This Idempotency-Key was already used with a different request body.",
            None,
        )),
        IdemCheck::Fresh => {
            let out = op(&mut st);
            if out.resp.status < 500 {
                let (s, b) = (out.resp.status, out.resp.body.clone());
                st.idem_store(&scope, &key, &req.method, &req.path, &req.body, s, &b);
            }
            out
        }
    }
}

/// `GET /payment-links?q=&limit=`: newest first; `q` matches identifier or reference.
fn list(app: &App, req: &Request) -> Response {
    let q = util::parse_query(&req.query);
    let needle = util::query_get(&q, "q").unwrap_or("").to_lowercase();
    let limit = util::query_get(&q, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let st = app.lock();
    let data: Vec<Value> = st
        .nero
        .links
        .values()
        .rev()
        .filter(|l| {
            needle.is_empty()
                || l.identifier.to_lowercase().contains(&needle)
                || l.reference.to_lowercase().contains(&needle)
        })
        .take(limit)
        .map(|l| st.nero.link_json(l, &app.base))
        .collect();
    success(200, Value::Array(data))
}

fn refund(app: &App, st: &mut State, id: &str, req: &Request) -> ApiOut {
    let obj = match object(&req.body, true) {
        Ok(o) => o,
        Err(resp) => return ApiOut::new(resp),
    };
    let amount = if obj.is_empty() {
        None
    } else {
        match raw_amount(&req.body) {
            Ok(a) => a,
            Err(m) => return ApiOut::new(field_error("amount", &format!("The amount {m}."))),
        }
    };
    let reason = match obj.get("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(r)) => Some(r.clone()),
        Some(_) => return ApiOut::new(field_error("reason", "The reason must be a string.")),
    };
    let Some(tx_id) = st.nero.find_tx(id).map(|t| t.id) else {
        return ApiOut::new(not_found("Transaction"));
    };
    match super::refunds::refund(&app.cfg, st, tx_id, amount, reason) {
        Ok((wh, refund_id)) => {
            let t = &st.nero.txs[&tx_id];
            let mut data = st.nero.tx_json(t);
            if let Some(r) = t.refunds.iter().find(|r| r.id == refund_id) {
                data["refund"] = model::refund_json(t, r);
            }
            ApiOut {
                resp: success(200, data),
                sig: None,
                webhooks: wh.into_iter().collect(),
            }
        }
        Err(e) if e.status == 404 => ApiOut::new(not_found("Transaction")),
        Err(e) => ApiOut::new(field_error(
            if e.message.starts_with("amount") {
                "amount"
            } else {
                "transaction"
            },
            &e.message,
        )),
    }
}

/// `POST /transactions/{id}/cancel` [ours]: voids a succeeded, unrefunded transaction (status
/// cancelled, IPN transaction.cancelled); the link keeps its status. Cancelling twice is a no-op.
fn cancel(app: &App, st: &mut State, id: &str) -> ApiOut {
    let Some(tx_id) = st.nero.find_tx(id).map(|t| t.id) else {
        return ApiOut::new(not_found("Transaction"));
    };
    let t = &st.nero.txs[&tx_id];
    let mut webhooks = vec![];
    match t.status {
        "cancelled" => {}
        "succeeded" => {
            if let Some(t) = st.nero.txs.get_mut(&tx_id) {
                t.status = "cancelled";
            }
            let t = &st.nero.txs[&tx_id];
            let url = st.nero.links.get(&t.link_id).map(|l| l.ipn_url.clone());
            let wh = model::ipn(&app.cfg, t, "transaction.cancelled", url);
            st.remember_webhook(&wh);
            webhooks.push(wh);
        }
        other => {
            return ApiOut::new(field_error(
                "transaction",
                &format!("cannot be cancelled in status {other}"),
            ));
        }
    }
    let data = st.nero.tx_json(&st.nero.txs[&tx_id]);
    ApiOut {
        resp: success(200, data),
        sig: None,
        webhooks,
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
