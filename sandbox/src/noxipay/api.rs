//! Noxipay API under `/noxipay/v1` (providers.md §X2 [ours]): bearer auth, a required and
//! replayed Idempotency-Key on POST, integer minor-unit amounts, any ISO-shaped currency code.

use super::create::{optional_string, store, validate};
use super::model;
use crate::http::{Request, Response};
use crate::server::ApiOut;
use crate::state::{App, IdemCheck, State};
use crate::util;
use serde_json::{json, Map, Value};

/// providers.md §X2 error envelope.
pub fn error(status: u16, kind: &str, code: &str, message: &str) -> Response {
    Response::json(
        status,
        &json!({"error": {"type": kind, "code": code, "message": message}}),
    )
}

pub(super) fn param_error(code: &str, param: &str, message: &str) -> Response {
    Response::json(
        400,
        &json!({"error": {"type": "invalid_request_error", "code": code, "param": param, "message": message}}),
    )
}

pub fn handle(app: &App, req: &Request, sub: &str) -> ApiOut {
    let expected = format!("Bearer {}", app.cfg.noxipay_secret);
    if req.header("Authorization") != Some(expected.as_str()) {
        return ApiOut::new(error(
            401,
            "authentication_error",
            "invalid_api_key",
            "Invalid API key provided.",
        ));
    }
    let segs = util::path_segments(sub, false);
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let resp = match (req.method.as_str(), segs.as_slice()) {
        ("POST", ["payments", id, "refunds"]) => return refund(app, req, id),
        ("POST", ["payments"]) => create(app, req),
        ("GET", ["payments", id]) => {
            let st = app.lock();
            match st.nox.payments.get(*id) {
                Some(p) => Response::json(200, &model::payment_json(p, &app.base)),
                None => not_found(id),
            }
        }
        _ => error(
            404,
            "invalid_request_error",
            "resource_missing",
            "Unrecognized request URL.",
        ),
    };
    ApiOut::new(resp)
}

fn not_found(id: &str) -> Response {
    error(
        404,
        "invalid_request_error",
        "resource_missing",
        &format!("No such payment: '{id}'"),
    )
}

fn create(app: &App, req: &Request) -> Response {
    idempotent(app, req, |st| {
        let resp = match validate(&req.body) {
            Ok(p) => store(app, st, p),
            Err(resp) => resp,
        };
        ApiOut::new(resp)
    })
    .resp
}

/// §X2 [ours]: every POST needs an Idempotency-Key; the same key and request replay the stored
/// answer, the same key with another request is a conflict.
fn idempotent(app: &App, req: &Request, op: impl FnOnce(&mut State) -> ApiOut) -> ApiOut {
    let key = match req.header("Idempotency-Key") {
        Some(k) if !k.trim().is_empty() => k.to_string(),
        _ => {
            return ApiOut::new(error(
                400,
                "invalid_request_error",
                "idempotency_key_missing",
                "An Idempotency-Key header is required on POST requests.",
            ))
        }
    };
    let mut st = app.lock();
    match st.idem_check("noxipay", &key, &req.method, &req.path, &req.body) {
        IdemCheck::Replay(status, body) => ApiOut::new(
            Response::new(status, "application/json", body)
                .with_header("Idempotent-Replayed", "true"),
        ),
        IdemCheck::Conflict => ApiOut::new(error(
            409,
            "invalid_request_error",
            "idempotency_conflict",
            "Keys for idempotent requests can only be used with the same parameters they were first used with.",
        )),
        IdemCheck::Fresh => {
            let out = op(&mut st);
            let (s, b) = (out.resp.status, out.resp.body.clone());
            st.idem_store("noxipay", &key, &req.method, &req.path, &req.body, s, &b);
            out
        }
    }
}

/// [ours] `POST /payments/{id}/refunds` `{amount?, reason?}` (issue 13 item 2): amount an
/// integer of minor units (default: everything left); 201 with the refund object.
fn refund(app: &App, req: &Request, id: &str) -> ApiOut {
    idempotent(app, req, |st| {
        let obj = if req.body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(&req.body) {
                Ok(Value::Object(m)) => m,
                _ => {
                    return ApiOut::new(param_error(
                        "parameter_invalid",
                        "body",
                        "The body must be a JSON object.",
                    ))
                }
            }
        };
        let amount = match obj.get("amount") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(a) if a > 0 => Some(a),
                _ => {
                    return ApiOut::new(param_error(
                        "parameter_invalid",
                        "amount",
                        "amount must be a positive integer in minor units.",
                    ))
                }
            },
        };
        let reason = match optional_string(&obj, "reason") {
            Ok(Value::String(r)) => Some(r),
            Ok(_) => None,
            Err(resp) => return ApiOut::new(resp),
        };
        if !st.nox.payments.contains_key(id) {
            return ApiOut::new(not_found(id));
        }
        match super::refunds::refund(&app.cfg, &app.base, st, id, amount, reason) {
            Ok((wh, refund_id)) => {
                let p = &st.nox.payments[id];
                let body = p
                    .refunds
                    .iter()
                    .find(|r| r.id == refund_id)
                    .map(|r| model::refund_json(p, r))
                    .unwrap_or(Value::Null);
                ApiOut {
                    resp: Response::json(201, &body),
                    sig: None,
                    webhooks: wh.into_iter().collect(),
                }
            }
            Err(e) if e.status == 409 => ApiOut::new(error(
                400,
                "invalid_request_error",
                "payment_not_refundable",
                &e.message,
            )),
            Err(e) => ApiOut::new(param_error("amount_too_large", "amount", &e.message)),
        }
    })
}
