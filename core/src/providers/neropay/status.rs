//! NeroPay's wire statuses as typed enums, each mapped to `PaymentStatus` by an exhaustive match:
//! anything the spec does not name deserializes to `Unknown` and is never paid.

use super::*;
use crate::providers::common::wire_enum;
use crate::refund::RefundStatus;
use serde::Deserialize;

/// §N3 link statuses.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum LinkStatus {
    Open,
    Pending,
    Paid,
    Failed,
    #[default]
    #[serde(other)]
    Unknown,
}

/// §N4 transaction statuses.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TransactionStatus {
    Succeeded,
    Pending,
    Initiated,
    Failed,
    Cancelled,
    Refunded,
    PartialRefunded,
    #[default]
    #[serde(other)]
    Unknown,
}

/// §N5 event types; payouts and reader actions are acknowledged as unknown, never paid.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
enum EventType {
    #[serde(rename = "transaction.succeeded")]
    TransactionSucceeded,
    #[serde(rename = "transaction.cancelled")]
    TransactionCancelled,
    #[serde(rename = "transaction.failed")]
    TransactionFailed,
    #[serde(rename = "refund.succeeded")]
    RefundSucceeded,
    #[default]
    #[serde(other)]
    Unknown,
}

/// [ours] refund statuses (docs/providers-refunds.md "NeroPay").
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RefundState {
    Pending,
    Succeeded,
    Failed,
    #[default]
    #[serde(other)]
    Unknown,
}

/// A refund whose status this version does not know holds its money: pending, never succeeded.
pub(super) fn refund_status(s: Option<&str>) -> RefundStatus {
    match s.map_or(RefundState::Unknown, wire_enum) {
        RefundState::Succeeded => RefundStatus::Succeeded,
        RefundState::Failed => RefundStatus::Failed,
        RefundState::Pending | RefundState::Unknown => RefundStatus::Pending,
    }
}

/// §N3: anything but a paid link needs no transaction to be judged.
pub(super) fn link_status(s: Option<&str>) -> PaymentStatus {
    match s.map_or(LinkStatus::Unknown, wire_enum) {
        LinkStatus::Open | LinkStatus::Pending => PaymentStatus::Pending,
        LinkStatus::Paid => PaymentStatus::Paid,
        LinkStatus::Failed => PaymentStatus::Failed,
        LinkStatus::Unknown => PaymentStatus::Unknown,
    }
}

/// §N4.
pub(super) fn transaction_status(s: Option<&str>) -> PaymentStatus {
    match s.map_or(TransactionStatus::Unknown, wire_enum) {
        TransactionStatus::Succeeded => PaymentStatus::Paid,
        TransactionStatus::Pending | TransactionStatus::Initiated => PaymentStatus::Pending,
        TransactionStatus::Failed => PaymentStatus::Failed,
        TransactionStatus::Cancelled => PaymentStatus::Cancelled,
        TransactionStatus::Refunded => PaymentStatus::Refunded,
        TransactionStatus::PartialRefunded => PaymentStatus::PartiallyRefunded,
        TransactionStatus::Unknown => PaymentStatus::Unknown,
    }
}

/// §N5.
pub(super) fn event_status(t: &str) -> PaymentStatus {
    match wire_enum(t) {
        EventType::TransactionSucceeded => PaymentStatus::Paid,
        EventType::TransactionCancelled => PaymentStatus::Cancelled,
        EventType::TransactionFailed => PaymentStatus::Failed,
        EventType::RefundSucceeded => PaymentStatus::Refunded,
        EventType::Unknown => PaymentStatus::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::*;

    #[test]
    fn every_documented_status_and_event_maps_as_the_spec_says() {
        for (wire, want) in [
            (Some("open"), Pending),
            (Some("pending"), Pending),
            (Some("paid"), Paid),
            (Some("failed"), Failed),
            (Some("Paid"), Unknown),
            (None, Unknown),
        ] {
            assert_eq!(link_status(wire), want, "{wire:?}");
        }
        for (wire, want) in [
            (Some("succeeded"), Paid),
            (Some("pending"), Pending),
            (Some("initiated"), Pending),
            (Some("failed"), Failed),
            (Some("cancelled"), Cancelled),
            (Some("refunded"), Refunded),
            (Some("partial_refunded"), PartiallyRefunded),
            (Some("partially_refunded"), Unknown),
            (None, Unknown),
        ] {
            assert_eq!(transaction_status(wire), want, "{wire:?}");
        }
        for (wire, want) in [
            ("transaction.succeeded", Paid),
            ("transaction.cancelled", Cancelled),
            ("transaction.failed", Failed),
            ("refund.succeeded", Refunded),
            ("payout.paid", Unknown),
        ] {
            assert_eq!(event_status(wire), want, "{wire:?}");
        }
    }
}
