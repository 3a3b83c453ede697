//! NeroPay's wire statuses mapped to `PaymentStatus`: anything unrecognised is `Unknown`, never paid.

use super::*;

/// §N3 link statuses; anything else needs review and is never paid.
pub(super) fn link_status(s: Option<&str>) -> PaymentStatus {
    match s {
        Some("open") | Some("pending") => PaymentStatus::Pending,
        Some("paid") => PaymentStatus::Paid,
        Some("failed") => PaymentStatus::Failed,
        Some(_) | None => PaymentStatus::Unknown,
    }
}

/// §N4 transaction statuses.
pub(super) fn transaction_status(s: Option<&str>) -> PaymentStatus {
    match s {
        Some("succeeded") => PaymentStatus::Paid,
        Some("pending") | Some("initiated") => PaymentStatus::Pending,
        Some("failed") => PaymentStatus::Failed,
        Some("cancelled") => PaymentStatus::Cancelled,
        Some("refunded") => PaymentStatus::Refunded,
        Some("partial_refunded") => PaymentStatus::PartiallyRefunded,
        Some(_) | None => PaymentStatus::Unknown,
    }
}

/// §N5 event types; payouts and reader actions are acknowledged as unknown, never paid.
pub(super) fn event_status(t: &str) -> PaymentStatus {
    match t {
        "transaction.succeeded" => PaymentStatus::Paid,
        "transaction.cancelled" => PaymentStatus::Cancelled,
        "transaction.failed" => PaymentStatus::Failed,
        "refund.succeeded" => PaymentStatus::Refunded,
        _ => PaymentStatus::Unknown,
    }
}
