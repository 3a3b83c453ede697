//! Refunds (README "Refunds", docs/providers-refunds.md): what a payment read reports about money
//! that went back (`RefundFacts`), the caller's refund request and its rules (`RefundRequest`), the
//! normalized answer (`Refund`), and the one check every provider runs before any refund request is
//! sent (`refund_payment`): re-read the payment, then refuse an unpaid payment, another currency or
//! more than is still refundable, with a typed error and no request.

use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::providers::{Payment, Provider};
use crate::request::{check_keys, idempotency_key, unusable_amount, AmountInput, TextInput};
use crate::webhook::PaymentStatus;
use serde_json::Value;

/// A refund's state as the provider reports it. Anything a provider does not name is `Pending`:
/// money whose fate is unknown is neither back with the payer nor free to refund again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    Pending,
    Succeeded,
    Failed,
}

impl RefundStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Failed => "failed",
        }
    }
}

/// One refund of a payment, as listed by the provider's API.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundEntry {
    pub id: String,
    pub status: RefundStatus,
    pub money: Money,
}

/// One chargeback of a payment, as listed by the provider's API.
#[derive(Debug, Clone, PartialEq)]
pub struct Chargeback {
    pub id: String,
    pub money: Money,
    pub reason: Option<String>,
}

/// What a payment read says about refunds and chargebacks (README "Refunds").
#[derive(Debug, Clone, PartialEq)]
pub struct RefundFacts {
    /// Refunded so far: the provider's own total, or the sum of succeeded refunds when that is
    /// larger (a provider total that lags behind its own list is not believed over the list).
    pub refunded: Money,
    pub refunds: Vec<RefundEntry>,
    pub chargebacks: Vec<Chargeback>,
}

impl RefundFacts {
    /// Nothing refunded, nothing listed.
    pub fn none(currency: Currency) -> RefundFacts {
        RefundFacts {
            refunded: Money::from_minor(0, currency),
            refunds: Vec::new(),
            chargebacks: Vec::new(),
        }
    }

    /// Builds the facts from a provider's total (if it reports one) and its lists. Entries in
    /// another currency than the payment's are kept in the list but never added to its total.
    pub fn from_parts(
        currency: Currency,
        provider_total: Option<i64>,
        refunds: Vec<RefundEntry>,
        chargebacks: Vec<Chargeback>,
    ) -> RefundFacts {
        let listed = sum(&refunds, currency, RefundStatus::Succeeded);
        let total = provider_total.unwrap_or(0).max(listed).max(0);
        RefundFacts {
            refunded: Money::from_minor(total, currency),
            refunds,
            chargebacks,
        }
    }

    /// Refunds that are still pending hold money that cannot be refunded a second time.
    pub fn pending_minor(&self) -> i64 {
        sum(
            &self.refunds,
            self.refunded.currency(),
            RefundStatus::Pending,
        )
    }
}

fn sum(refunds: &[RefundEntry], currency: Currency, status: RefundStatus) -> i64 {
    refunds
        .iter()
        .filter(|r| r.status == status && r.money.currency() == currency)
        .fold(0i64, |acc, r| acc.saturating_add(r.money.minor().max(0)))
}

/// The normalized answer of `refundPayment` (README "Refunds").
#[derive(Debug, Clone, PartialEq)]
pub struct Refund {
    pub id: String,
    pub payment_id: String,
    pub status: RefundStatus,
    pub money: Money,
    pub provider: &'static str,
    pub raw: Value,
}

/// A refund as the provider hook receives it: validated against the re-read payment.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundOrder {
    pub money: Money,
    pub reason: Option<String>,
    /// The caller's key, or none: the provider makes one (providers.md §0) where it takes keys.
    pub idempotency_key: Option<String>,
}

/// The request keys `refundPayment` accepts; any other key is refused, never ignored.
/// `currency` is optional: given, it must be the payment's (`currency_mismatch`).
pub const REFUND_KEYS: &[&str] = &["amount", "currency", "reason", "idempotency_key"];

/// A reason longer than this is refused (providers store short texts).
pub const MAX_REASON_CHARS: usize = 255;

/// The caller's refund request, converted by a binding but not yet judged.
#[derive(Debug)]
pub struct RefundInput {
    pub keys: Vec<Option<String>>,
    pub amount: Option<AmountInput>,
    pub currency: TextInput,
    pub reason: TextInput,
    pub idempotency_key: TextInput,
}

impl Default for RefundInput {
    fn default() -> Self {
        RefundInput {
            keys: Vec::new(),
            amount: None,
            currency: Ok(None),
            reason: Ok(None),
            idempotency_key: Ok(None),
        }
    }
}

/// A refund request whose form is valid; its amount is judged against the payment later.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundRequest {
    pub amount: Option<AmountInput>,
    pub currency: Option<Currency>,
    pub reason: Option<String>,
    pub idempotency_key: Option<String>,
}

impl RefundRequest {
    /// Unknown keys, then currency, amount form, reason, idempotency key (the format rules of
    /// `createPayment`). An amount in a decimal string waits for the payment's currency.
    pub fn new(input: RefundInput) -> Result<RefundRequest> {
        check_keys(&input.keys, REFUND_KEYS)?;
        let currency = match input.currency?.filter(|c| !c.is_empty()) {
            Some(c) => Some(Currency::from_code(&c)?),
            None => None,
        };
        let amount = match input.amount {
            None => None,
            Some(a @ (AmountInput::Float | AmountInput::Other)) => return Err(unusable_amount(&a)),
            Some(AmountInput::Minor(m)) if m <= 0 => {
                return Err(Error::amount("must be greater than zero"))
            }
            Some(a) => Some(a),
        };
        let reason = input.reason?.filter(|r| !r.is_empty());
        if let Some(r) = &reason {
            if r.chars().count() > MAX_REASON_CHARS {
                return Err(Error::request(format!(
                    "reason is longer than {MAX_REASON_CHARS} characters"
                )));
            }
            if r.chars().any(char::is_control) {
                return Err(Error::request("reason must not contain control characters"));
            }
        }
        let idempotency_key = idempotency_key(input.idempotency_key)?;
        Ok(RefundRequest {
            amount,
            currency,
            reason,
            idempotency_key,
        })
    }

    /// Everything still refundable, nothing else.
    pub fn full() -> RefundRequest {
        RefundRequest {
            amount: None,
            currency: None,
            reason: None,
            idempotency_key: None,
        }
    }
}

/// What may still be refunded: captured minus refunded minus what pending refunds hold.
pub fn refundable(payment: &Payment) -> i64 {
    payment
        .money
        .minor()
        .saturating_sub(payment.refunds.refunded.minor())
        .saturating_sub(payment.refunds.pending_minor())
        .max(0)
}

/// docs/providers-refunds.md "Common rules": re-read the payment, judge the request against it, and
/// only then let the provider send the refund. Every refusal here happens before any refund
/// request.
pub fn refund_payment<P: Provider + ?Sized>(
    provider: &P,
    payment_id: &str,
    request: &RefundRequest,
) -> Result<Refund> {
    let payment = provider.retrieve_payment(payment_id)?;
    let order = judge(&payment, request)?;
    provider.send_refund(&payment, &order)
}

/// The pure part of `refund_payment`: which refund this payment allows for this request.
pub fn judge(payment: &Payment, request: &RefundRequest) -> Result<RefundOrder> {
    if !matches!(
        payment.status,
        PaymentStatus::Paid | PaymentStatus::PartiallyRefunded
    ) {
        return Err(Error::PaymentNotRefundable(
            payment.status.as_str().to_string(),
        ));
    }
    let currency = payment.money.currency();
    if let Some(c) = request.currency {
        if c != currency {
            return Err(Error::CurrencyMismatch {
                requested: c.code().to_string(),
                payment: currency.code().to_string(),
            });
        }
    }
    let left = refundable(payment);
    let money = match &request.amount {
        None => Money::from_minor(left, currency),
        Some(AmountInput::Minor(m)) => Money::payment_from_minor(*m, currency)?,
        Some(AmountInput::Decimal(s)) => Money::parse_payment(s, currency)?,
        Some(AmountInput::Float | AmountInput::Other) => {
            return Err(Error::amount(
                "must be a decimal string or an int of minor units",
            ))
        }
    };
    if money.minor() <= 0 || money.minor() > left {
        return Err(Error::RefundExceedsRefundable {
            requested: money.to_decimal(),
            refundable: Money::from_minor(left, currency).to_decimal(),
        });
    }
    Ok(RefundOrder {
        money,
        reason: request.reason.clone(),
        idempotency_key: request.idempotency_key.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::from_code("EUR").unwrap())
    }

    fn payment(status: PaymentStatus, captured: i64, refunds: Vec<RefundEntry>) -> Payment {
        let c = Currency::from_code("EUR").unwrap();
        Payment {
            id: "p1".into(),
            reference: "R".into(),
            status,
            checkout_url: None,
            money: eur(captured),
            mode: None,
            provider: "test",
            raw: Value::Null,
            refunds: RefundFacts::from_parts(c, None, refunds, vec![]),
            transaction_id: None,
        }
    }

    fn entry(minor: i64, status: RefundStatus) -> RefundEntry {
        RefundEntry {
            id: format!("r{minor}"),
            status,
            money: eur(minor),
        }
    }

    fn with_amount(a: AmountInput) -> RefundRequest {
        RefundRequest {
            amount: Some(a),
            ..RefundRequest::full()
        }
    }

    #[test]
    fn the_default_refunds_everything_still_refundable() {
        let p = payment(
            PaymentStatus::PartiallyRefunded,
            1000,
            vec![
                entry(300, RefundStatus::Succeeded),
                entry(200, RefundStatus::Pending),
                entry(100, RefundStatus::Failed),
            ],
        );
        assert_eq!(
            judge(&p, &RefundRequest::full()).unwrap().money.minor(),
            500
        );
    }

    #[test]
    fn more_than_refundable_is_refused_with_its_own_code() {
        let p = payment(PaymentStatus::Paid, 1000, vec![]);
        let e = judge(&p, &with_amount(AmountInput::Decimal("10.01".into()))).unwrap_err();
        assert_eq!(e.code(), "refund_exceeds_refundable");
        assert!(judge(&p, &with_amount(AmountInput::Minor(1000))).is_ok());
    }

    #[test]
    fn an_unpaid_payment_is_not_refundable() {
        for s in [
            PaymentStatus::Pending,
            PaymentStatus::Refunded,
            PaymentStatus::Chargeback,
            PaymentStatus::Unknown,
        ] {
            let e = judge(&payment(s, 1000, vec![]), &RefundRequest::full()).unwrap_err();
            assert_eq!(e.code(), "payment_not_refundable", "{s:?}");
        }
    }

    #[test]
    fn another_currency_is_a_mismatch() {
        let r = RefundRequest {
            currency: Some(Currency::from_code("USD").unwrap()),
            ..RefundRequest::full()
        };
        let e = judge(&payment(PaymentStatus::Paid, 1000, vec![]), &r).unwrap_err();
        assert_eq!(e.code(), "currency_mismatch");
    }

    #[test]
    fn control_characters_in_a_reason_are_refused_and_unicode_kept() {
        let input = |r: &str| RefundInput {
            reason: Ok(Some(r.into())),
            ..RefundInput::default()
        };
        assert_eq!(
            RefundRequest::new(input("a\u{0}b")).unwrap_err().code(),
            "invalid_request"
        );
        let ok = RefundRequest::new(input("Rückerstattung 返金 💶")).unwrap();
        assert_eq!(ok.reason.as_deref(), Some("Rückerstattung 返金 💶"));
    }
}
