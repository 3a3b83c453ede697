//! One conformance suite run against every provider through the sandbox over real loopback HTTP
//! (style.md: arrow-rs object_store's `conformance::*`): plain functions taking the provider's
//! `Case`, and one `#[test]` per provider and function, so the first failing provider does not hide
//! the others and each failure names its provider (`payrexx::refunded_payment_is_never_reported_paid`).

#[path = "../common/mod.rs"]
mod common;
mod flows;
mod refunds;
mod state;
mod support;

/// `conformance!(module = CASE: test, …)`: a module of `#[test]`s calling `flows::test(&CASE)`,
/// `state::test(&CASE)` or `refunds::test(&CASE)`.
macro_rules! conformance {
    ($module:ident = $case:ident: $($suite:ident::$test:ident),* $(,)?) => {
        mod $module {
            $(
                #[test]
                fn $test() {
                    crate::$suite::$test(&crate::support::$case)
                }
            )*
        }
    };
}

conformance!(neropay = NEROPAY:
    flows::create_then_retrieve_reports_pending_then_paid,
    flows::confirm_webhook_returns_the_apis_facts,
    flows::retries_reuse_one_idempotency_key,
    flows::the_callers_idempotency_key_is_sent_as_given,
    flows::errors_map_to_provider_rejected_with_status,
    flows::a_paid_payment_reports_what_was_settled_not_what_was_asked,
    state::refunded_payment_is_never_reported_paid,
    state::partially_refunded_payment_reports_partially_refunded,
    state::charged_back_payment_reports_chargeback,
    state::refunded_payment_reports_the_settled_amount_of_its_transaction,
    state::reports_no_mode,
    refunds::partial_refunds_add_up_and_are_listed_with_their_ids,
    refunds::refusals_are_typed_and_send_no_refund_request,
    refunds::the_callers_refund_key_is_sent_as_given_and_replays_one_refund,
    refunds::a_refund_failing_asynchronously_ends_failed,
);

// Payrexx: no idempotency key (providers.md §P1/§P3), so no retry with one; a TEST mode.
conformance!(payrexx = PAYREXX:
    flows::create_then_retrieve_reports_pending_then_paid,
    flows::confirm_webhook_returns_the_apis_facts,
    flows::signed_webhooks_reject_tampering,
    flows::a_create_is_never_re_sent_after_a_5xx,
    flows::no_idempotency_key_is_sent_not_even_the_callers,
    flows::errors_map_to_provider_rejected_with_status,
    flows::zero_and_three_decimal_currencies_round_trip_exactly,
    flows::a_paid_payment_reports_what_was_settled_not_what_was_asked,
    state::refunded_payment_is_never_reported_paid,
    state::partially_refunded_payment_reports_partially_refunded,
    state::charged_back_payment_reports_chargeback,
    state::refunded_payment_reports_the_settled_amount_of_its_transaction,
    refunds::partial_refunds_add_up_and_are_listed_with_their_ids,
    refunds::refusals_are_typed_and_send_no_refund_request,
    refunds::no_idempotency_key_is_sent_with_a_refund,
    refunds::a_refund_failing_asynchronously_ends_failed,
);

conformance!(noxipay = NOXIPAY:
    flows::create_then_retrieve_reports_pending_then_paid,
    flows::confirm_webhook_returns_the_apis_facts,
    flows::signed_webhooks_reject_tampering,
    flows::retries_reuse_one_idempotency_key,
    flows::the_callers_idempotency_key_is_sent_as_given,
    flows::errors_map_to_provider_rejected_with_status,
    flows::zero_and_three_decimal_currencies_round_trip_exactly,
    flows::a_paid_payment_reports_what_was_settled_not_what_was_asked,
    state::refunded_payment_is_never_reported_paid,
    state::partially_refunded_payment_reports_partially_refunded,
    state::charged_back_payment_reports_chargeback,
    state::refunded_payment_reports_the_settled_amount_of_its_transaction,
    state::reports_no_mode,
    refunds::partial_refunds_add_up_and_are_listed_with_their_ids,
    refunds::refusals_are_typed_and_send_no_refund_request,
    refunds::the_callers_refund_key_is_sent_as_given_and_replays_one_refund,
    refunds::a_refund_failing_asynchronously_ends_failed,
);
