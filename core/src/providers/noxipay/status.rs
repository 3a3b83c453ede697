//! Noxipay's wire statuses mapped to `PaymentStatus`: anything unrecognised is `Unknown`, never paid.

use super::*;

/// §X1 events. `refund.completed` may be partial: only the API re-read can tell, so offline it
/// is `refunded` and `confirmWebhook` gives the exact state.
pub(super) fn event_status(t: &str) -> PaymentStatus {
    match t {
        "payment.completed" => PaymentStatus::Paid,
        "payment.failed" => PaymentStatus::Failed,
        "refund.completed" => PaymentStatus::Refunded,
        "chargeback.created" => PaymentStatus::Chargeback,
        _ => PaymentStatus::Unknown,
    }
}

/// §X2 [ours] payment statuses.
pub(super) fn payment_status(s: &str) -> PaymentStatus {
    match s {
        "pending" => PaymentStatus::Pending,
        "completed" => PaymentStatus::Paid,
        "failed" => PaymentStatus::Failed,
        "refunded" => PaymentStatus::Refunded,
        "partially_refunded" => PaymentStatus::PartiallyRefunded,
        "disputed" => PaymentStatus::Chargeback,
        _ => PaymentStatus::Unknown,
    }
}
