//! The exception tree of the PHP API and the one mapping from the core `Error` to it.
//!
//! Each class carries the error details in its own Rust struct (ext-php-rs resolves a method on
//! the object's own class, so every class gets its own getters from one macro). The exception
//! is thrown through `zend_throw_exception` so Zend sets `message` as for any exception; the
//! object it creates takes the details staged for it in a thread-local.

use ext_php_rs::class::RegisteredClass;
use ext_php_rs::exception::throw_with_code;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendObject, ZendStr};
use ext_php_rs::zend::{ce, ExecutorGlobals};
use paybridge_core::error::{Error, Kind};

#[derive(Default, Clone)]
pub struct Details {
    error_code: String,
    http_status: i64,
    provider_code: Option<String>,
    request_id: Option<String>,
    retry_safe: bool,
}

thread_local! {
    static PENDING: std::cell::RefCell<Option<Details>> = const { std::cell::RefCell::new(None) };
}

macro_rules! exception_class {
    ($rust:ident, $php:literal, $($extends:tt)+) => {
        #[php_class]
        #[php(name = $php)]
        #[php(extends($($extends)+))]
        pub struct $rust {
            details: Details,
        }

        /// Zend creates the object inside `zend_throw_exception`; it picks up the details staged
        /// by `throw_as` just before, so one throw carries everything.
        impl Default for $rust {
            fn default() -> Self {
                $rust { details: PENDING.with(|p| p.borrow_mut().take()).unwrap_or_default() }
            }
        }
    };
}

exception_class!(
    PayBridgeException,
    "PayBridge\\Exception\\PayBridgeException",
    ce = ce::exception,
    stub = "\\Exception"
);
exception_class!(
    ConfigException,
    "PayBridge\\Exception\\ConfigException",
    PayBridgeException
);
exception_class!(
    SignatureException,
    "PayBridge\\Exception\\SignatureException",
    PayBridgeException
);
exception_class!(
    InvalidPayloadException,
    "PayBridge\\Exception\\InvalidPayloadException",
    PayBridgeException
);
exception_class!(
    ApiException,
    "PayBridge\\Exception\\ApiException",
    PayBridgeException
);
exception_class!(
    TransportException,
    "PayBridge\\Exception\\TransportException",
    PayBridgeException
);

macro_rules! error_code_getter {
    ($rust:ident) => {
        #[php_impl]
        impl $rust {
            /// Stable snake_case code, e.g. "signature_mismatch".
            #[php(name = "getErrorCode")]
            pub fn get_error_code(&self) -> String {
                self.details.error_code.clone()
            }
        }
    };
}

error_code_getter!(PayBridgeException);
error_code_getter!(ConfigException);
error_code_getter!(SignatureException);
error_code_getter!(InvalidPayloadException);

#[php_impl]
impl ApiException {
    #[php(name = "getErrorCode")]
    pub fn get_error_code(&self) -> String {
        self.details.error_code.clone()
    }
    /// HTTP status of the provider's answer (0 when none).
    #[php(name = "getHttpStatus")]
    pub fn get_http_status(&self) -> i64 {
        self.details.http_status
    }
    /// The provider's own error code, e.g. "validation_failed".
    #[php(name = "getProviderCode")]
    pub fn get_provider_code(&self) -> Option<String> {
        self.details.provider_code.clone()
    }
    /// The provider's request id header.
    #[php(name = "getRequestId")]
    pub fn get_request_id(&self) -> Option<String> {
        self.details.request_id.clone()
    }
}

#[php_impl]
impl TransportException {
    #[php(name = "getErrorCode")]
    pub fn get_error_code(&self) -> String {
        self.details.error_code.clone()
    }
    /// True: retrying with the same idempotency key cannot pay twice.
    #[php(name = "isRetrySafe")]
    pub fn is_retry_safe(&self) -> bool {
        self.details.retry_safe
    }
}

fn details_of(e: &Error) -> Details {
    let mut d = Details {
        error_code: e.code().to_string(),
        ..Details::default()
    };
    match e {
        Error::ProviderRejected {
            http_status,
            provider_code,
            request_id,
            ..
        } => {
            d.http_status = i64::from(*http_status);
            d.provider_code = provider_code.clone();
            d.request_id = request_id.clone();
        }
        Error::InvalidResponse { http_status, .. } => d.http_status = i64::from(*http_status),
        Error::Timeout { retry_safe } | Error::ConnectionFailed { retry_safe, .. } => {
            d.retry_safe = *retry_safe
        }
        // Nothing was sent before a failed handshake.
        Error::Tls => d.retry_safe = true,
        _ => {}
    }
    d
}

/// Zend's own exceptions record where user code was when they were created; ext-php-rs creates our
/// objects itself, which skips that, so `file` and `line` are filled in here from the innermost
/// user-code frame (the trace stays empty). The protected properties are written the way
/// `zend_update_property` does: with `EG(fake_scope)` set to `Exception`.
fn set_origin() {
    // SAFETY: called right after a throw, inside a PHP call: the executor globals, the frames
    // they link and the pending exception are alive; every pointer is checked before use.
    unsafe {
        let (mut ex, exception) = {
            let eg = ExecutorGlobals::get();
            (eg.current_execute_data, eg.exception)
        };
        if exception.is_null() {
            return;
        }
        while !ex.is_null() {
            let f = (*ex).func;
            // 2 = ZEND_USER_FUNCTION: a frame of PHP code with a file and an opline.
            if !f.is_null() && (*f).type_ == 2 && !(*ex).opline.is_null() {
                break;
            }
            ex = (*ex).prev_execute_data;
        }
        if ex.is_null() || (*(*ex).func).op_array.filename.is_null() {
            return;
        }
        let file: &ZendStr = &*(*(*ex).func).op_array.filename;
        let file = String::from_utf8_lossy(file.as_bytes()).into_owned();
        let line = i64::from((*(*ex).opline).lineno);
        let saved = {
            let mut eg = ExecutorGlobals::get_mut();
            let saved = eg.fake_scope;
            eg.fake_scope = std::ptr::from_ref(ce::exception()).cast_mut();
            saved
        };
        let obj: &mut ZendObject = &mut *exception;
        let _ = obj.set_property("file", file);
        let _ = obj.set_property("line", line);
        ExecutorGlobals::get_mut().fake_scope = saved;
    }
}

fn throw_as<T: RegisteredClass>(message: &str, details: Details) -> PhpException {
    PENDING.with(|p| *p.borrow_mut() = Some(details));
    let _ = throw_with_code(T::get_metadata().ce(), 0, message);
    PENDING.with(|p| p.borrow_mut().take());
    set_origin();
    // An exception is now pending, so the macro's own `throw()` of this value is a no-op.
    PhpException::from_class::<T>(message.to_string())
}

/// The one mapping from core errors to PHP exceptions (style.md: one `From` in the binding; a
/// function here, since the orphan rule forbids `From` between two other crates' types).
pub fn to_php(e: Error) -> PhpException {
    {
        // Zend messages are C strings: a NUL (or any control byte) echoed from input is escaped.
        let mut message = e.to_string();
        if message.chars().any(char::is_control) {
            message = message
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
        }
        let d = details_of(&e);
        match e.kind() {
            Kind::Config => throw_as::<ConfigException>(&message, d),
            Kind::Signature => throw_as::<SignatureException>(&message, d),
            Kind::InvalidPayload => throw_as::<InvalidPayloadException>(&message, d),
            Kind::Api => throw_as::<ApiException>(&message, d),
            Kind::Transport => throw_as::<TransportException>(&message, d),
        }
    }
}
