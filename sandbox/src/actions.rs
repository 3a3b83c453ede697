//! One entry per provider for what the checkout page, `/_control` and `trigger` do to a payment.

use crate::delivery::Webhook;
use crate::server::Provider;
use crate::state::{Action, ActionError, ActionOpts, App, Config, State, Transition};
use crate::{neropay_model, noxipay_model, payrexx_model};
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
    match provider {
        Provider::NeroPay => neropay_model::apply(&app.cfg, &app.base, &mut st, id, action, opts),
        Provider::Noxipay => noxipay_model::apply(&app.cfg, &app.base, &mut st, id, action, opts),
        Provider::Payrexx => payrexx_model::apply(&app.cfg, &app.base, &mut st, id, action, opts),
    }
}

pub fn full_state(app: &App, provider: Provider, id: &str) -> Option<Value> {
    let st = app.lock();
    match provider {
        Provider::NeroPay => {
            let l = st.nero.links.get(&id.parse().ok()?)?;
            Some(st.nero.full_json(l, &app.base))
        }
        Provider::Noxipay => st.nox.full_json(id, &app.base),
        Provider::Payrexx => st.px.full_json(id, &app.cfg, &app.base),
    }
}

pub fn summary(app: &App, provider: Provider, id: &str) -> Option<Summary> {
    let st = app.lock();
    match provider {
        Provider::NeroPay => {
            let l = st.nero.links.get(&id.parse().ok()?)?;
            Some(Summary {
                amount: crate::util::format_minor(l.amount_minor, 2),
                currency: l.currency.clone(),
                reference: l.identifier.clone(),
                description: l.details.clone(),
                status: l.status.to_string(),
            })
        }
        Provider::Noxipay => st.nox.summary(id),
        Provider::Payrexx => st.px.summary(id),
    }
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
    match provider {
        Provider::NeroPay => neropay_model::event_for(cfg, st, id, event_type),
        Provider::Noxipay => noxipay_model::event_for(cfg, st, id, event_type),
        Provider::Payrexx => payrexx_model::event_for(cfg, st, id, event_type),
    }
}

/// A state holding one plausible payment with that id, for `trigger` without `--sandbox`.
pub fn synthetic(cfg: &Config, provider: Provider, id: &str) -> State {
    let mut st = State::default();
    match provider {
        Provider::NeroPay => neropay_model::insert_synthetic(&mut st, id),
        Provider::Noxipay => noxipay_model::insert_synthetic(&mut st, id),
        Provider::Payrexx => payrexx_model::insert_synthetic(cfg, &mut st, id),
    }
    st
}
