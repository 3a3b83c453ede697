//! The Noxipay fake (providers.md §X1, §X2 [ours]): the API under `/noxipay/v1`.

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
use serde_json::Value;

pub struct Noxipay;

impl SandboxProvider for Noxipay {
    fn api(&self, app: &App, req: &Request, sub: &str) -> ApiOut {
        api::handle(app, req, sub)
    }

    fn fault(&self, status: u16) -> Response {
        let (code, msg) = if status == 429 {
            ("rate_limited", "Too many requests.")
        } else {
            ("internal_error", "Internal server error (sandbox fault).")
        };
        api::error(status, "api_error", code, msg)
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
        st.nox.full_json(id, &app.base)
    }

    fn summary(&self, st: &State, id: &str) -> Option<Summary> {
        st.nox.summary(id)
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
        Signing::Noxipay(secret.into())
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
        "Noxipay sandbox checkout"
    }
}
