//! Payrexx API under `/payrexx/v1.14` and `/payrexx/v1.0` (providers.md §P1–§P3): `?instance=`
//! on every call, `X-API-KEY` or the legacy `ApiSignature`, JSON or PHP-bracket form bodies.

use crate::delivery::Webhook;
use crate::http::{Request, Response};
use crate::payrexx_model::{self as model, Gateway};
use crate::phpform::{self, get_str, PVal, Params};
use crate::server::ApiOut;
use crate::state::App;
use crate::util;
use serde_json::{json, Value};

/// providers.md §P2 error envelope.
pub fn error(status: u16, message: &str) -> Response {
    Response::json(status, &json!({"status": "error", "message": message}))
}

fn success(data: Value) -> Response {
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
    match model::refund(&app.cfg, &mut st, tx_id, amount) {
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

fn optional_url(params: &Params, name: &str) -> Result<Option<String>, Response> {
    match get_str(params, name) {
        None | Some("") => Ok(None),
        Some(u) if util::is_http_url(u) => Ok(Some(u.to_string())),
        Some(_) => Err(error(
            422,
            &format!("{name}: must be an absolute http(s) URL."),
        )),
    }
}

/// `POST Gateway/` (providers.md §P3): amount in minor units (digits only), currency required.
fn create(app: &App, params: &Params) -> Response {
    let invalid = || error(422, "amount: must be a positive integer in minor units.");
    let amount = match phpform::get(params, "amount") {
        None => return error(422, "amount: This value should not be blank."),
        Some(PVal::Str(a)) if a.is_empty() => {
            return error(422, "amount: This value should not be blank.")
        }
        Some(PVal::Str(a)) if a.bytes().all(|b| b.is_ascii_digit()) => match a.parse::<i64>() {
            Ok(v) if v > 0 => v,
            _ => return invalid(),
        },
        Some(_) => return invalid(),
    };
    let currency = match get_str(params, "currency") {
        Some(c) if util::is_currency_code(c) => c.to_string(),
        None | Some("") => return error(422, "currency: This value should not be blank."),
        Some(_) => return error(422, "currency: must be an ISO 4217 code like CHF."),
    };
    let urls = (
        optional_url(params, "successRedirectUrl"),
        optional_url(params, "failedRedirectUrl"),
        optional_url(params, "cancelRedirectUrl"),
        optional_url(params, "notifyUrl"),
    );
    let (success_url, failed_url, cancel_url, notify_url) = match urls {
        (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => return e,
    };
    let echo = PVal::Map(params.to_vec()).to_json();
    let mut st = app.lock();
    let id = st.px.new_gateway_id();
    let g = Gateway {
        id,
        hash: util::random_hex(16),
        status: "waiting",
        amount,
        currency,
        purpose: get_str(params, "purpose").unwrap_or("").to_string(),
        reference_id: get_str(params, "referenceId").unwrap_or("").to_string(),
        success_url,
        failed_url,
        cancel_url,
        notify_url,
        params: echo,
        created_at: util::now_secs(),
        txs: Vec::new(),
    };
    let data = st.px.gateway_json(&g, &app.base);
    st.px.gateways.insert(id, g);
    success(data)
}
