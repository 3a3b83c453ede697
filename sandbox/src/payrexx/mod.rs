//! The Payrexx fake (providers.md §P1–§P5): the API under `/payrexx/v1.14` and `/payrexx/v1.0`;
//! `phpform.rs` is PHP's bracket forms, which only Payrexx speaks.

mod actions;
pub mod api;
mod create;
pub mod model;
pub mod phpform;
mod refunds;

use crate::actions::Summary;
use crate::delivery::{Signing, Webhook};
use crate::http::{Request, Response};
use crate::provider::SandboxProvider;
use crate::server::ApiOut;
use crate::state::{Action, ActionError, ActionOpts, App, Config, State, Transition};
use serde_json::Value;

pub struct Payrexx;

impl SandboxProvider for Payrexx {
    fn api(&self, app: &App, req: &Request, sub: &str) -> ApiOut {
        api::handle(app, req, sub)
    }

    fn fault(&self, status: u16) -> Response {
        api::error(
            status,
            if status == 429 {
                "Too many requests"
            } else {
                "Internal server error (sandbox fault)"
            },
        )
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
        st.px.full_json(id, &app.cfg, &app.base)
    }

    fn summary(&self, st: &State, id: &str) -> Option<Summary> {
        st.px.summary(id)
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

    fn insert_synthetic(&self, cfg: &Config, st: &mut State, id: &str) {
        actions::insert_synthetic(cfg, st, id)
    }

    fn signing(&self, secret: &str) -> Signing {
        Signing::Payrexx(secret.into())
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
        "Payrexx sandbox checkout"
    }
}
