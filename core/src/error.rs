//! The one error type of the core. Every variant has a stable snake_case `code()` that PHP callers
//! and the Perfex module switch on; messages are short, fixed and never contain secrets or bodies.

use std::fmt;

/// Which PHP exception class an error belongs to (mapped once, in `src/php/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Config,
    Signature,
    InvalidPayload,
    Api,
    Transport,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Error {
    /// Missing or invalid configuration; the message names the key, never its value.
    Config(String),
    MissingHeader(String),
    MalformedSignature(String),
    SignatureMismatch,
    TimestampOutOfTolerance {
        too_old: bool,
        skew_seconds: i64,
    },
    InvalidPayload(String),
    /// A request given by the caller is missing a field or has a wrong type.
    InvalidRequest(String),
    InvalidAmount(String),
    UnsupportedCurrency(String),
    /// A refund larger than what is still refundable, refused before any request is sent
    /// (docs/providers-refunds.md "Common rules").
    RefundExceedsRefundable {
        requested: String,
        refundable: String,
    },
    /// A refund of a payment that is not paid or partially refunded (its status given).
    PaymentNotRefundable(String),
    /// A refund in another currency than the payment's.
    CurrencyMismatch {
        requested: String,
        payment: String,
    },
    ProviderRejected {
        http_status: u16,
        provider_code: Option<String>,
        message: String,
        request_id: Option<String>,
    },
    /// The provider answered 2xx but the body is not what its contract says.
    InvalidResponse {
        http_status: u16,
        message: String,
    },
    /// No answer in time. `retry_safe` is true when the operation carries an idempotency key or
    /// is a read, so repeating it cannot create a second payment.
    Timeout {
        retry_safe: bool,
    },
    ConnectionFailed {
        retry_safe: bool,
        message: String,
    },
    /// The TLS handshake failed (an untrusted or invalid certificate: see `ca_file`). It happens
    /// before any byte of the request is sent, so repeating is safe but pointless.
    Tls,
}

impl Error {
    pub fn code(&self) -> &'static str {
        match self {
            Error::Config(_) => "config",
            Error::MissingHeader(_) => "missing_header",
            Error::MalformedSignature(_) => "malformed_signature",
            Error::SignatureMismatch => "signature_mismatch",
            Error::TimestampOutOfTolerance { .. } => "timestamp_out_of_tolerance",
            Error::InvalidPayload(_) => "invalid_payload",
            Error::InvalidRequest(_) => "invalid_request",
            Error::InvalidAmount(_) => "invalid_amount",
            Error::UnsupportedCurrency(_) => "unsupported_currency",
            Error::RefundExceedsRefundable { .. } => "refund_exceeds_refundable",
            Error::PaymentNotRefundable(_) => "payment_not_refundable",
            Error::CurrencyMismatch { .. } => "currency_mismatch",
            Error::ProviderRejected { .. } => "provider_rejected",
            Error::InvalidResponse { .. } => "invalid_response",
            Error::Timeout { .. } => "timeout",
            Error::ConnectionFailed { .. } => "connection_failed",
            Error::Tls => "tls_error",
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Error::Config(_) => Kind::Config,
            Error::MissingHeader(_)
            | Error::MalformedSignature(_)
            | Error::SignatureMismatch
            | Error::TimestampOutOfTolerance { .. } => Kind::Signature,
            Error::InvalidPayload(_)
            | Error::InvalidRequest(_)
            | Error::InvalidAmount(_)
            | Error::UnsupportedCurrency(_)
            | Error::RefundExceedsRefundable { .. }
            | Error::PaymentNotRefundable(_)
            | Error::CurrencyMismatch { .. } => Kind::InvalidPayload,
            Error::ProviderRejected { .. } | Error::InvalidResponse { .. } => Kind::Api,
            Error::Timeout { .. } | Error::ConnectionFailed { .. } | Error::Tls => Kind::Transport,
        }
    }

    /// Removes any occurrence of `secret` from text a provider sent back (some APIs echo the
    /// request, Authorization header included, into their error messages).
    pub fn redact(self, secret: &[u8]) -> Self {
        let Ok(secret) = std::str::from_utf8(secret) else {
            return self;
        };
        if secret.len() < 4 {
            return self;
        }
        let clean = |s: String| s.replace(secret, "[redacted]");
        match self {
            Error::ProviderRejected {
                http_status,
                provider_code,
                message,
                request_id,
            } => Error::ProviderRejected {
                http_status,
                provider_code: provider_code.map(clean),
                message: clean(message),
                request_id: request_id.map(clean),
            },
            Error::InvalidResponse {
                http_status,
                message,
            } => Error::InvalidResponse {
                http_status,
                message: clean(message),
            },
            other => other,
        }
    }

    pub fn config(msg: impl Into<String>) -> Self {
        Error::Config(msg.into())
    }
    pub fn payload(msg: impl Into<String>) -> Self {
        Error::InvalidPayload(msg.into())
    }
    pub fn request(msg: impl Into<String>) -> Self {
        Error::InvalidRequest(msg.into())
    }
    pub fn amount(msg: impl Into<String>) -> Self {
        Error::InvalidAmount(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(m) => write!(f, "invalid configuration: {m}"),
            Error::MissingHeader(h) => write!(f, "missing header {h}"),
            Error::MalformedSignature(m) => write!(f, "malformed signature: {m}"),
            Error::SignatureMismatch => {
                write!(
                    f,
                    "signature does not match the body and any configured secret"
                )
            }
            Error::TimestampOutOfTolerance {
                too_old: true,
                skew_seconds,
            } => {
                write!(f, "timestamp too old ({skew_seconds} s beyond tolerance)")
            }
            Error::TimestampOutOfTolerance {
                too_old: false,
                skew_seconds,
            } => {
                write!(
                    f,
                    "timestamp too new ({skew_seconds} s in the future beyond tolerance)"
                )
            }
            Error::InvalidPayload(m) => write!(f, "invalid payload: {m}"),
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::InvalidAmount(m) => write!(f, "invalid amount: {m}"),
            Error::UnsupportedCurrency(c) => write!(f, "unsupported currency: {c}"),
            Error::RefundExceedsRefundable {
                requested,
                refundable,
            } => write!(
                f,
                "refund of {requested} exceeds what is still refundable ({refundable})"
            ),
            Error::PaymentNotRefundable(status) => {
                write!(f, "payment is {status}: only a paid or partially refunded payment can be refunded")
            }
            Error::CurrencyMismatch { requested, payment } => {
                write!(
                    f,
                    "refund currency {requested} is not the payment's ({payment})"
                )
            }
            Error::ProviderRejected {
                http_status,
                provider_code,
                message,
                ..
            } => {
                let code = provider_code.as_deref().unwrap_or("-");
                write!(
                    f,
                    "provider rejected the request (HTTP {http_status}, {code}): {message}"
                )
            }
            Error::InvalidResponse {
                http_status,
                message,
            } => {
                write!(
                    f,
                    "unreadable provider response (HTTP {http_status}): {message}"
                )
            }
            Error::Timeout { .. } => write!(f, "provider did not answer in time"),
            Error::ConnectionFailed { message, .. } => write!(f, "connection failed: {message}"),
            Error::Tls => write!(
                f,
                "TLS handshake with the provider failed (certificate not trusted? see ca_file)"
            ),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
