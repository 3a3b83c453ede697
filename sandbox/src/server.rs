//! Routing for the one port, fault injection on provider API routes, and the request log.

use crate::delivery::{self, Webhook};
use crate::http::{Outcome, Request, Response};
use crate::provider::Provider;
use crate::state::{App, Faults};
use crate::{checkout, control, util};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// What a provider API handler produced.
pub struct ApiOut {
    pub resp: Response,
    /// Whether the request signature verified; None when the request carries none to check.
    pub sig: Option<bool>,
    /// Webhooks caused by the call (refunds), sent in the background after answering.
    pub webhooks: Vec<Webhook>,
}

impl ApiOut {
    pub fn new(resp: Response) -> Self {
        ApiOut {
            resp,
            sig: None,
            webhooks: vec![],
        }
    }
}

const API_PREFIXES: [(&str, Provider); 4] = [
    ("/neropay/v2", Provider::NeroPay),
    ("/payrexx/v1.14", Provider::Payrexx),
    ("/payrexx/v1.0", Provider::Payrexx),
    ("/noxipay/v1", Provider::Noxipay),
];

pub fn handle(app: &Arc<App>, req: Request) -> Outcome {
    if let Some(rest) = req.path.strip_prefix("/_control/") {
        let rest = rest.to_string();
        return Outcome::Respond(control::handle(app, &req, &rest));
    }
    for (prefix, provider) in API_PREFIXES {
        if let Some(sub) = req.path.strip_prefix(prefix) {
            if sub.is_empty() || sub.starts_with('/') {
                let sub = sub.to_string();
                return api(app, req, provider, &sub);
            }
        }
    }
    if let Some(resp) = checkout::handle(app, &req) {
        return Outcome::Respond(resp);
    }
    Outcome::Respond(Response::new(
        404,
        "text/plain",
        b"paybridge-sandbox: no such route".to_vec(),
    ))
}

enum Fault {
    None,
    Drop,
    Fail(u16, u64),
    TimeoutAfterAccept(Duration),
}

/// Takes the fault this request gets, at most one: drop, then fail, then timeout-after-accept.
fn take_fault(f: &mut Faults, provider: Provider, method: &str) -> (Fault, u64) {
    if f.provider.as_deref().is_some_and(|p| p != provider.name()) {
        return (Fault::None, 0);
    }
    if f.method
        .as_deref()
        .is_some_and(|m| !m.eq_ignore_ascii_case(method))
    {
        return (Fault::None, 0);
    }
    let fault = if f.drop_next > 0 {
        f.drop_next -= 1;
        Fault::Drop
    } else if f.fail_next > 0 {
        f.fail_next -= 1;
        Fault::Fail(f.fail_status, f.retry_after)
    } else if f.timeout_after_accept_next > 0 {
        f.timeout_after_accept_next -= 1;
        let ms = if f.latency_ms > 0 {
            f.latency_ms
        } else {
            30_000
        };
        Fault::TimeoutAfterAccept(Duration::from_millis(ms))
    } else {
        Fault::None
    };
    (fault, f.latency_ms)
}

/// The provider's own error shape for an injected failure (providers.md §N2, §X2, §P2), with
/// `Retry-After` on 429 and 503 only.
fn fault_response(provider: Provider, status: u16, retry_after: u64) -> Response {
    let mut resp = provider.imp().fault(status);
    resp.headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case("Retry-After"));
    if status == 429 || status == 503 {
        resp = resp.with_header("Retry-After", &retry_after.to_string());
    }
    resp
}

fn log(
    app: &App,
    req: &Request,
    provider: Provider,
    sig: Option<bool>,
    status: Option<u16>,
    fault: Option<&str>,
) {
    let entry = json!({
        "provider": provider.name(),
        "method": req.method,
        "path": req.path,
        "query": req.query,
        "idempotency_key": req.header("Idempotency-Key"),
        "signature_valid": sig,
        "status": status,
        "fault": fault,
        "at": util::rfc3339_millis(util::now_millis()),
    });
    app.lock().log_request(entry);
}

fn api(app: &Arc<App>, req: Request, provider: Provider, sub: &str) -> Outcome {
    let (fault, latency) = take_fault(&mut app.lock().faults, provider, &req.method);
    if latency > 0 && !matches!(fault, Fault::TimeoutAfterAccept(_)) {
        std::thread::sleep(Duration::from_millis(latency));
    }
    match fault {
        Fault::Drop => {
            log(app, &req, provider, None, None, Some("drop"));
            return Outcome::Drop;
        }
        Fault::Fail(status, retry_after) => {
            log(app, &req, provider, None, Some(status), Some("fail"));
            return Outcome::Respond(fault_response(provider, status, retry_after));
        }
        Fault::None | Fault::TimeoutAfterAccept(_) => {}
    }
    let out = provider.imp().api(app, &req, sub);
    delivery::deliver_background(app, out.webhooks);
    crate::refunds::fail_later(app);
    if let Fault::TimeoutAfterAccept(delay) = fault {
        log(
            app,
            &req,
            provider,
            out.sig,
            None,
            Some("timeout_after_accept"),
        );
        return Outcome::DelayDrop(delay);
    }
    log(app, &req, provider, out.sig, Some(out.resp.status), None);
    Outcome::Respond(out.resp)
}
