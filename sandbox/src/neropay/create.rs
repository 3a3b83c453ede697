//! NeroPay `POST /payment-links` validation and creation (providers.md §N3), and the exact-text
//! amount reader (providers.md §0: money never goes through f64).

use super::api::{field_error, success, validation};
use super::model::Link;
use crate::http::{Request, Response};
use crate::server::ApiOut;
use crate::state::{App, State};
use crate::util;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The body as a JSON object, or a validation error.
pub(crate) fn object(body: &[u8], allow_empty: bool) -> Result<Map<String, Value>, Response> {
    if allow_empty && body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(field_error("body", "The body must be a JSON object.")),
    }
}

#[derive(serde::Deserialize)]
struct RawAmount<'a> {
    #[serde(borrow, default)]
    amount: Option<&'a RawValue>,
}

/// The amount from the exact JSON text: a number or a numeric string, two decimals at most
/// (providers.md §0, §N3). Ok(None) when absent or null.
pub fn raw_amount(body: &[u8]) -> Result<Option<i64>, &'static str> {
    let raw: RawAmount = serde_json::from_slice(body).map_err(|_| "is not valid")?;
    let Some(raw) = raw.amount else {
        return Ok(None);
    };
    let text = raw.get().trim();
    if text == "null" {
        return Ok(None);
    }
    let owned;
    let digits = if text.starts_with('"') {
        owned = serde_json::from_str::<String>(text).map_err(|_| "must be a decimal number")?;
        owned.as_str()
    } else {
        text
    };
    util::parse_decimal(digits, 2).map(Some)
}

pub(crate) fn create(app: &App, st: &mut State, account: &str, req: &Request) -> ApiOut {
    let obj = match object(&req.body, false) {
        Ok(o) => o,
        Err(resp) => return ApiOut::new(resp),
    };
    let mut errs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let text = |name: &str, errs: &mut BTreeMap<String, Vec<String>>| -> String {
        match obj.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                errs.entry(name.into())
                    .or_default()
                    .push(format!("The {name} field is required."));
                String::new()
            }
            Some(_) => {
                errs.entry(name.into())
                    .or_default()
                    .push(format!("The {name} field must be a string."));
                String::new()
            }
        }
    };
    let identifier = text("identifier", &mut errs);
    let currency = text("currency", &mut errs);
    let details = text("details", &mut errs);
    let success_url = text("success_url", &mut errs);
    let cancel_url = text("cancel_url", &mut errs);
    let ipn_url = text("ipn_url", &mut errs);
    for (name, url) in [
        ("success_url", &success_url),
        ("cancel_url", &cancel_url),
        ("ipn_url", &ipn_url),
    ] {
        if !url.is_empty() && !util::is_http_url(url) {
            errs.entry(name.into())
                .or_default()
                .push(format!("The {name} must be a valid http(s) URL."));
        }
    }
    if !currency.is_empty() && !matches!(currency.as_str(), "GBP" | "EUR" | "USD") {
        errs.entry("currency".into())
            .or_default()
            .push("The selected currency is invalid. Supported: GBP, EUR, USD.".into());
    }
    let amount = match raw_amount(&req.body) {
        Ok(Some(a)) if a >= 75 => a,
        Ok(Some(_)) => {
            errs.entry("amount".into())
                .or_default()
                .push("The amount must be at least 0.75.".into());
            0
        }
        Ok(None) => {
            errs.entry("amount".into())
                .or_default()
                .push("The amount field is required.".into());
            0
        }
        Err(m) => {
            errs.entry("amount".into())
                .or_default()
                .push(format!("The amount {m} (at most 2 decimals, no exponent)."));
            0
        }
    };
    let metadata = match obj.get("metadata") {
        None | Some(Value::Null) => Value::Null,
        Some(m @ Value::Object(_)) => m.clone(),
        Some(_) => {
            errs.entry("metadata".into())
                .or_default()
                .push("The metadata must be an object.".into());
            Value::Null
        }
    };
    for name in ["customer_name", "customer_email"] {
        if !matches!(
            obj.get(name),
            None | Some(Value::Null) | Some(Value::String(_))
        ) {
            errs.entry(name.into())
                .or_default()
                .push(format!("The {name} must be a string."));
        }
    }
    if !errs.is_empty() {
        return ApiOut::new(validation(errs));
    }
    let id = st.nero.new_link_id();
    let link = Link {
        id,
        identifier,
        account_id: account.to_string(),
        reference: format!("NP-SBX-{id}"),
        amount_minor: amount,
        currency,
        details,
        success_url,
        cancel_url,
        ipn_url,
        metadata,
        customer_name: obj.get("customer_name").cloned().unwrap_or(Value::Null),
        customer_email: obj.get("customer_email").cloned().unwrap_or(Value::Null),
        status: "open",
        created_at: util::rfc3339(util::now_secs()),
        tx: None,
    };
    let data = st.nero.link_json(&link, &app.base);
    st.nero.links.insert(id, link);
    ApiOut::new(success(201, data))
}
