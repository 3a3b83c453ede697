//! Payrexx API under `/payrexx/v1.14` and `/payrexx/v1.0` (providers.md §P1–§P3): `?instance=`
//! on every call, `X-API-KEY` or the legacy `ApiSignature`, JSON or PHP-bracket form bodies.

use super::create::create;
use super::phpform::{self, get_str, PVal, Params};
use crate::delivery::Webhook;
use crate::http::{Request, Response};
use crate::server::ApiOut;
use crate::state::App;
use crate::util;
use serde_json::{json, Value};

/// providers.md §P2 error envelope.
pub fn error(status: u16, message: &str) -> Response {
    Response::json(status, &json!({"status": "error", "message": message}))
}

pub(super) fn success(data: Value) -> Response {
    Response::json(200, &json!({"status": "success", "data": [data]}))
}

/// The string the legacy ApiSignature covers (providers.md §P1): every parameter except
/// `instance` and `ApiSignature`, query first then body, rebuilt as `http_build_query` would.
pub fn signature_message(query: &Params, body: &Params) -> String {
    let keep = |(k, _): &&(String, PVal)| k != "instance" && k != "ApiSignature";
    let params: Params = query
        .iter()
        .filter(keep)
        .chain(body.iter().filter(keep))
        .cloned()
        .collect();
    phpform::build_query(&params)
}

fn body_params(req: &Request) -> Result<Params, Response> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let is_json = req
        .header("Content-Type")
        .is_some_and(|c| c.to_ascii_lowercase().contains("json"));
    if is_json {
        phpform::parse_json(&req.body)
            .ok_or_else(|| error(400, "The request body is not a JSON object."))
    } else {
        Ok(phpform::parse_form(&String::from_utf8_lossy(&req.body)))
    }
}

pub fn handle(app: &App, req: &Request, sub: &str) -> ApiOut {
    let cfg = &app.cfg;
    let query = phpform::parse_form(&req.query);
    let body = match body_params(req) {
        Ok(b) => b,
        Err(resp) => return ApiOut::new(resp),
    };
    let given_sig = get_str(&query, "ApiSignature").or(get_str(&body, "ApiSignature"));
    let sig = given_sig.map(|s| {
        util::verify_base64(
            cfg.payrexx_secret.as_bytes(),
            signature_message(&query, &body).as_bytes(),
            s,
        )
    });
    let fail = |resp| ApiOut {
        resp,
        sig,
        webhooks: vec![],
    };
    let Some(instance) = get_str(&query, "instance").filter(|i| !i.is_empty()) else {
        return fail(error(422, "The instance parameter is missing."));
    };
    let authed = match req.header("X-API-KEY") {
        Some(k) => k == cfg.payrexx_secret,
        None => sig == Some(true),
    };
    if !authed || instance != cfg.payrexx_instance {
        return fail(error(403, "The API secret is not correct."));
    }
    let segs: Vec<&str> = sub
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let resp = match (req.method.as_str(), segs.as_slice()) {
        ("POST", ["Transaction", id, "refund"]) => {
            let (resp, webhooks) = refund(app, &body, id);
            return ApiOut {
                resp,
                sig,
                webhooks,
            };
        }
        ("POST", ["Gateway"]) | ("POST", ["Gateway", "0"]) => create(app, &body),
        ("GET", ["Gateway", id]) => {
            let st = app.lock();
            match id.parse::<u64>().ok().and_then(|i| st.px.gateways.get(&i)) {
                Some(g) => success(st.px.gateway_json(g, &app.base)),
                None => gateway_not_found(id),
            }
        }
        ("DELETE", ["Gateway", id]) => {
            let mut st = app.lock();
            match id
                .parse::<u64>()
                .ok()
                .and_then(|i| st.px.gateways.remove(&i))
            {
                Some(g) => success(json!({"id": g.id})),
                None => gateway_not_found(id),
            }
        }
        ("GET", ["Transaction", id]) => {
            let st = app.lock();
            match id.parse::<u64>().ok().and_then(|i| st.px.txs.get(&i)) {
                Some(t) => success(st.px.transaction_json(t)),
                None => error(
                    404,
                    &format!("An error occurred: No Transaction found with id {id}"),
                ),
            }
        }
        _ => error(404, "An error occurred: Unknown object or method."),
    };
    fail(resp)
}

/// §P5 `POST Transaction/{id}/refund` with `amount` (digits, minor units; default: all that is
/// left). Not idempotent, as Payrexx documents no key: every call is a new refund. Answers the
/// refund transaction [ours]; errors in §P2's shape (422 with a message).
fn refund(app: &App, params: &Params, id: &str) -> (Response, Vec<Webhook>) {
    let amount = match phpform::get(params, "amount") {
        None => None,
        Some(PVal::Str(a)) if a.is_empty() => None,
        Some(PVal::Str(a)) if a.bytes().all(|b| b.is_ascii_digit()) => match a.parse::<i64>() {
            Ok(v) if v > 0 => Some(v),
            _ => {
                return (
                    error(422, "amount: must be a positive integer in minor units."),
                    vec![],
                )
            }
        },
        Some(_) => {
            return (
                error(422, "amount: must be a positive integer in minor units."),
                vec![],
            )
        }
    };
    let mut st = app.lock();
    let Some(tx_id) = id.parse::<u64>().ok().filter(|i| st.px.txs.contains_key(i)) else {
        return (
            error(
                404,
                &format!("An error occurred: No Transaction found with id {id}"),
            ),
            vec![],
        );
    };
    match super::refunds::refund(&app.cfg, &mut st, tx_id, amount) {
        Ok((wh, refund_id)) => {
            if let Some(w) = &wh {
                st.remember_webhook(w);
            }
            let t = &st.px.txs[&tx_id];
            let data = t
                .refunds
                .iter()
                .find(|r| r.id == refund_id)
                .map(|r| st.px.refund_transaction_json(t, r))
                .unwrap_or(Value::Null);
            (success(data), wh.into_iter().collect())
        }
        Err(e) => (error(e.status, &e.message), vec![]),
    }
}

fn gateway_not_found(id: &str) -> Response {
    error(
        404,
        &format!("An error occurred: No Gateway found with id {id}"),
    )
}
