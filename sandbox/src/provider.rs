//! The three fakes behind one trait (issue 12 item 2): each provider folder (`neropay/`,
//! `payrexx/`, `noxipay/`) has the same files — `api.rs` (its HTTP API and error shape),
//! `create.rs` (create validation), `model.rs` (objects and their JSON), `actions.rs` (checkout
//! and `/_control` state changes, `trigger` bodies), `refunds.rs` — and its `mod.rs` implements
//! `SandboxProvider`. The routers ask `Provider::imp()` instead of matching on the provider.

use crate::actions::Summary;
use crate::delivery::{Signing, Webhook};
use crate::http::{Request, Response};
use crate::server::ApiOut;
use crate::state::{Action, ActionError, ActionOpts, App, Config, State, Transition};
use crate::{neropay, noxipay, payrexx};
use serde_json::Value;

/// What the routers, `/_control`, the checkout page and `trigger` need from one provider.
pub trait SandboxProvider: Sync {
    /// The provider's API under its prefix: `sub` is the rest of the path.
    fn api(&self, app: &App, req: &Request, sub: &str) -> ApiOut;
    /// The provider's own error shape for an injected failure (providers.md §N2, §X2, §P2);
    /// `Retry-After` is set by the caller.
    fn fault(&self, status: u16) -> Response;
    /// A checkout or `/_control` state change of payment `id`.
    fn apply(
        &self,
        app: &App,
        st: &mut State,
        id: &str,
        action: Action,
        opts: &ActionOpts,
    ) -> Result<Transition, ActionError>;
    /// `GET /_control/{provider}/payments/{id}`.
    fn full_state(&self, app: &App, st: &State, id: &str) -> Option<Value>;
    /// What the hosted checkout page shows.
    fn summary(&self, st: &State, id: &str) -> Option<Summary>;
    /// The webhook of `event_type` the sandbox would send now, state unchanged.
    fn event_for(
        &self,
        cfg: &Config,
        st: &State,
        id: &str,
        event_type: &str,
    ) -> Result<Webhook, ActionError>;
    /// A plausible payment with that id, for `trigger` without a running sandbox.
    fn insert_synthetic(&self, cfg: &Config, st: &mut State, id: &str);
    /// How `trigger --webhook-secret` signs this provider's webhooks.
    fn signing(&self, secret: &str) -> Signing;
    /// Ends a refund the `refund_fails_async` fault made pending; the webhook to send.
    fn fail_refund(
        &self,
        cfg: &Config,
        st: &mut State,
        key: &str,
        refund_id: &str,
    ) -> Option<Webhook>;
    /// The hosted checkout page's title.
    fn checkout_title(&self) -> &'static str;
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Provider {
    NeroPay,
    Payrexx,
    Noxipay,
}

impl Provider {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "neropay" => Some(Provider::NeroPay),
            "payrexx" => Some(Provider::Payrexx),
            "noxipay" => Some(Provider::Noxipay),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Provider::NeroPay => "neropay",
            Provider::Payrexx => "payrexx",
            Provider::Noxipay => "noxipay",
        }
    }

    /// The provider's fake: the one place that maps the name to the code.
    pub fn imp(self) -> &'static dyn SandboxProvider {
        match self {
            Provider::NeroPay => &neropay::NeroPay,
            Provider::Payrexx => &payrexx::Payrexx,
            Provider::Noxipay => &noxipay::Noxipay,
        }
    }
}
