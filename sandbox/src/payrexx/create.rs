//! Payrexx `POST Gateway/` validation and creation (providers.md §P3).

use super::api::{error, success};
use super::model::Gateway;
use super::phpform::{self, get_str, PVal, Params};
use crate::http::Response;
use crate::state::App;
use crate::util;

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
pub(super) fn create(app: &App, params: &Params) -> Response {
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
