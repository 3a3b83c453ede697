//! What the checkout page, `/_control` and `trigger` do to a payment, for any provider: each
//! call locks the state and asks the provider's fake (`provider.rs`).

use crate::delivery::Webhook;
use crate::provider::Provider;
use crate::state::{Action, ActionError, ActionOpts, App, Config, State, Transition};
use serde_json::Value;

/// What the hosted checkout page shows.
pub struct Summary {
    pub amount: String,
    pub currency: String,
    pub reference: String,
    pub description: String,
    pub status: String,
}

pub fn apply(
    app: &App,
    provider: Provider,
    id: &str,
    action: Action,
    opts: &ActionOpts,
) -> Result<Transition, ActionError> {
    let mut st = app.lock();
    provider.imp().apply(app, &mut st, id, action, opts)
}

pub fn full_state(app: &App, provider: Provider, id: &str) -> Option<Value> {
    provider.imp().full_state(app, &app.lock(), id)
}

pub fn summary(app: &App, provider: Provider, id: &str) -> Option<Summary> {
    provider.imp().summary(&app.lock(), id)
}

/// Builds (without changing state) the webhook of `event_type` for a payment, as the running
/// sandbox would send it; used by `trigger --sandbox`.
pub fn event_for(
    cfg: &Config,
    st: &State,
    provider: Provider,
    id: &str,
    event_type: &str,
) -> Result<Webhook, ActionError> {
    provider.imp().event_for(cfg, st, id, event_type)
}

/// A state holding one plausible payment with that id, for `trigger` without `--sandbox`.
pub fn synthetic(cfg: &Config, provider: Provider, id: &str) -> State {
    let mut st = State::default();
    provider.imp().insert_synthetic(cfg, &mut st, id);
    st
}
