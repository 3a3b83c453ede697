//! The NeroPay fake (providers.md §N1–§N5): API v2 under `/neropay/v2`.

mod actions;
pub mod api;
mod create;
pub mod model;
mod refunds;

use crate::actions::Summary;
use crate::delivery::{Signing, Webhook};
use crate::http::{Request, Response};
use crate::provider::SandboxProvider;
use crate::server::ApiOut;
use crate::state::{Action, ActionError, ActionOpts, App, Config, State, Transition};
use crate::util;
use serde_json::Value;

pub struct NeroPay;

impl SandboxProvider for NeroPay {
    fn api(&self, app: &App, req: &Request, sub: &str) -> ApiOut {
        api::handle(app, req, sub)
    }

    fn fault(&self, status: u16) -> Response {
        let (code, msg) = if status == 429 {
            ("rate_limited", "Too many requests.")
        } else {
            ("internal_error", "Internal server error (sandbox fault).")
        };
        api::error(status, code, msg, None)
            .with_header("X-Request-Id", &format!("req_{}", util::random_alnum(20)))
    }

    fn apply(
        &self,
        app: &App,
        st: &mut State,
        id: &str,
        action: Action,
        opts: &ActionOpts,
    ) -> Result<Transition, ActionError> {
        actions::apply(&app.cfg, &app.base, st, id, action, opts)
    }

    fn full_state(&self, app: &App, st: &State, id: &str) -> Option<Value> {
        let l = st.nero.links.get(&id.parse().ok()?)?;
        Some(st.nero.full_json(l, &app.base))
    }

    fn summary(&self, st: &State, id: &str) -> Option<Summary> {
        let l = st.nero.links.get(&id.parse().ok()?)?;
        Some(Summary {
            amount: util::format_minor(l.amount_minor, 2),
            currency: l.currency.clone(),
            reference: l.identifier.clone(),
            description: l.details.clone(),
            status: l.status.to_string(),
        })
    }

    fn event_for(
        &self,
        cfg: &Config,
        st: &State,
        id: &str,
        event_type: &str,
    ) -> Result<Webhook, ActionError> {
        actions::event_for(cfg, st, id, event_type)
    }

    fn insert_synthetic(&self, _cfg: &Config, st: &mut State, id: &str) {
        actions::insert_synthetic(st, id)
    }

    fn signing(&self, secret: &str) -> Signing {
        Signing::NeroPay(secret.into())
    }

    fn fail_refund(
        &self,
        cfg: &Config,
        st: &mut State,
        key: &str,
        refund_id: &str,
    ) -> Option<Webhook> {
        refunds::fail_refund(cfg, st, key, refund_id)
    }

    fn checkout_title(&self) -> &'static str {
        "NeroPay sandbox checkout"
    }
}
