//! Noxipay `POST /payments` validation and storage (providers.md §X2 [ours]).

use super::api::param_error;
use super::model::{self, Payment};
use crate::http::Response;
use crate::state::{App, State};
use crate::util;
use serde_json::{json, Map, Value};

pub(super) fn store(app: &App, st: &mut State, mut p: Payment) -> Response {
    p.id = format!("pay_{}", util::random_alnum(24));
    let body = model::payment_json(&p, &app.base);
    st.nox.payments.insert(p.id.clone(), p);
    Response::json(201, &body)
}

pub(super) fn optional_string(obj: &Map<String, Value>, name: &str) -> Result<Value, Response> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(v @ Value::String(_)) => Ok(v.clone()),
        Some(_) => Err(param_error(
            "parameter_invalid",
            name,
            &format!("{name} must be a string."),
        )),
    }
}

fn required_url(obj: &Map<String, Value>, name: &str) -> Result<String, Response> {
    match obj.get(name) {
        None | Some(Value::Null) => Err(param_error(
            "parameter_missing",
            name,
            &format!("Missing required param: {name}."),
        )),
        Some(Value::String(s)) if util::is_http_url(s) => Ok(s.clone()),
        Some(_) => Err(param_error(
            "parameter_invalid",
            name,
            &format!("{name} must be an absolute http(s) URL."),
        )),
    }
}

/// providers.md §X2 create body. The webhook target is the top-level `notify_url` or else
/// `metadata.notify_url` (sandbox convention: the real API's webhook setup is not published).
pub(super) fn validate(body: &[u8]) -> Result<Payment, Response> {
    let obj = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m,
        _ => {
            return Err(param_error(
                "parameter_invalid",
                "body",
                "The body must be a JSON object.",
            ))
        }
    };
    let amount = match obj.get("amount") {
        None | Some(Value::Null) => {
            return Err(param_error(
                "parameter_missing",
                "amount",
                "Missing required param: amount.",
            ))
        }
        // as_i64 is None for 25.0, 2.5e3 and strings: amounts are integers of minor units.
        Some(v) => match v.as_i64() {
            Some(a) if a > 0 => a,
            _ => {
                return Err(param_error(
                    "parameter_invalid",
                    "amount",
                    "amount must be a positive integer in minor units.",
                ))
            }
        },
    };
    let currency = match obj.get("currency") {
        Some(Value::String(c)) if util::is_currency_code(c) => c.clone(),
        None | Some(Value::Null) => {
            return Err(param_error(
                "parameter_missing",
                "currency",
                "Missing required param: currency.",
            ))
        }
        Some(_) => {
            return Err(param_error(
                "parameter_invalid",
                "currency",
                "currency must be a three-letter uppercase ISO 4217 code.",
            ))
        }
    };
    let success_url = required_url(&obj, "success_url")?;
    let cancel_url = required_url(&obj, "cancel_url")?;
    let description = optional_string(&obj, "description")?;
    let reference = optional_string(&obj, "reference")?;
    let metadata = match obj.get("metadata") {
        None | Some(Value::Null) => json!({}),
        Some(m @ Value::Object(_)) => m.clone(),
        Some(_) => {
            return Err(param_error(
                "parameter_invalid",
                "metadata",
                "metadata must be an object.",
            ))
        }
    };
    let customer = match obj.get("customer") {
        None | Some(Value::Null) => Value::Null,
        Some(c @ Value::Object(_)) => c.clone(),
        Some(_) => {
            return Err(param_error(
                "parameter_invalid",
                "customer",
                "customer must be an object.",
            ))
        }
    };
    let notify = match (obj.get("notify_url"), metadata.get("notify_url")) {
        (Some(Value::String(u)), _) | (None | Some(Value::Null), Some(Value::String(u))) => {
            Some(u.clone())
        }
        (None | Some(Value::Null), None | Some(Value::Null)) => None,
        _ => {
            return Err(param_error(
                "parameter_invalid",
                "notify_url",
                "notify_url must be a string.",
            ))
        }
    };
    if let Some(u) = &notify {
        if !util::is_http_url(u) {
            return Err(param_error(
                "parameter_invalid",
                "notify_url",
                "notify_url must be an absolute http(s) URL.",
            ));
        }
    }
    Ok(Payment {
        id: String::new(),
        status: "pending",
        amount,
        currency: currency.clone(),
        amount_requested: amount,
        currency_requested: currency,
        amount_refunded: 0,
        description,
        reference,
        success_url,
        cancel_url,
        notify_url: notify,
        metadata,
        customer,
        created_at: util::rfc3339(util::now_secs()),
        completed_at: None,
        refunds: Vec::new(),
        chargebacks: Vec::new(),
    })
}
