//! Payrexx's wire statuses mapped to `PaymentStatus`: anything unrecognised is `Unknown`, never paid.

use super::*;

/// §P3 transaction statuses (docs ∪ SDK). Note `partially-refunded` with a hyphen and
/// `refund_pending` with an underscore; a pending refund is not a state we act on.
pub(super) fn transaction_status(s: &str) -> PaymentStatus {
    match s {
        "waiting" | "initiated" => PaymentStatus::Pending,
        "confirmed" => PaymentStatus::Paid,
        "authorized" | "reserved" | "uncaptured" => PaymentStatus::Authorized,
        "cancelled" | "expired" => PaymentStatus::Cancelled,
        "declined" | "error" | "insecure" => PaymentStatus::Failed,
        "refunded" => PaymentStatus::Refunded,
        "partially-refunded" => PaymentStatus::PartiallyRefunded,
        "chargeback" | "disputed" => PaymentStatus::Chargeback,
        "refund_pending" => PaymentStatus::Unknown,
        _ => PaymentStatus::Unknown,
    }
}
