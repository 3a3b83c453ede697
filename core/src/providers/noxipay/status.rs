//! Noxipay's wire statuses as typed enums, each mapped to `PaymentStatus` by an exhaustive match:
//! anything the spec does not name deserializes to `Unknown` and is never paid.

use super::*;
use crate::providers::common::wire_enum;
use crate::refund::RefundStatus;
use serde::Deserialize;

/// §X1 event types.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
enum EventType {
    #[serde(rename = "payment.completed")]
    PaymentCompleted,
    #[serde(rename = "payment.failed")]
    PaymentFailed,
    #[serde(rename = "refund.completed")]
    RefundCompleted,
    #[serde(rename = "chargeback.created")]
    ChargebackCreated,
    #[default]
    #[serde(other)]
    Unknown,
}

/// §X2 [ours] payment statuses.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PaymentState {
    Pending,
    Completed,
    Failed,
    Refunded,
    PartiallyRefunded,
    Disputed,
    #[default]
    #[serde(other)]
    Unknown,
}

/// [ours] refund statuses (docs/providers-refunds.md "Noxipay").
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
pub(super) fn refund_status(s: &str) -> RefundStatus {
    match wire_enum(s) {
        RefundState::Succeeded => RefundStatus::Succeeded,
        RefundState::Failed => RefundStatus::Failed,
        RefundState::Pending | RefundState::Unknown => RefundStatus::Pending,
    }
}

/// §X1. `refund.completed` may be partial: only the API re-read can tell, so offline it is
/// `refunded` and `confirmWebhook` gives the exact state.
pub(super) fn event_status(t: &str) -> PaymentStatus {
    match wire_enum(t) {
        EventType::PaymentCompleted => PaymentStatus::Paid,
        EventType::PaymentFailed => PaymentStatus::Failed,
        EventType::RefundCompleted => PaymentStatus::Refunded,
        EventType::ChargebackCreated => PaymentStatus::Chargeback,
        EventType::Unknown => PaymentStatus::Unknown,
    }
}

/// §X2.
pub(super) fn payment_status(s: &str) -> PaymentStatus {
    match wire_enum(s) {
        PaymentState::Pending => PaymentStatus::Pending,
        PaymentState::Completed => PaymentStatus::Paid,
        PaymentState::Failed => PaymentStatus::Failed,
        PaymentState::Refunded => PaymentStatus::Refunded,
        PaymentState::PartiallyRefunded => PaymentStatus::PartiallyRefunded,
        PaymentState::Disputed => PaymentStatus::Chargeback,
        PaymentState::Unknown => PaymentStatus::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::*;

    #[test]
    fn every_documented_status_and_event_maps_as_the_spec_says() {
        for (wire, want) in [
            ("pending", Pending),
            ("completed", Paid),
            ("failed", Failed),
            ("refunded", Refunded),
            ("partially_refunded", PartiallyRefunded),
            ("disputed", Chargeback),
            ("Completed", Unknown),
            ("", Unknown),
        ] {
            assert_eq!(payment_status(wire), want, "{wire:?}");
        }
        for (wire, want) in [
            ("payment.completed", Paid),
            ("payment.failed", Failed),
            ("refund.completed", Refunded),
            ("chargeback.created", Chargeback),
            ("payout.created", Unknown),
        ] {
            assert_eq!(event_status(wire), want, "{wire:?}");
        }
    }
}
