//! The PHP binding: the only module that imports ext-php-rs. A thin skin: convert arguments,
//! call the core, convert the result or the error.

#![allow(non_snake_case)] // PHP parameter names (`$rawBody`) are API: named arguments.

mod convert;
mod exceptions;

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::{FromZval, StubLiteral};
use ext_php_rs::flags::DataType;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};
use paybridge_core::money::Currency;
use paybridge_core::providers::{self, Provider, PROVIDERS};
use paybridge_core::webhook;

use exceptions::to_php;
pub use exceptions::{
    ApiException, ConfigException, InvalidPayloadException, PayBridgeException, SignatureException,
    TransportException,
};

/// `PayBridge\Gateway`: one configured provider. Final, as the stubs have always documented: a
/// subclass could not change what a result means, so none is allowed.
#[php_class]
#[php(name = "PayBridge\\Gateway")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct Gateway {
    inner: Box<dyn Provider>,
    /// Config `fixed_now`: the current time for webhook timestamp checks (tests, replays of
    /// archived webhooks). Absent = the system clock.
    fixed_now: Option<i64>,
}

#[php_impl]
impl Gateway {
    pub fn __construct(provider: &str, config: &ZendHashTable) -> PhpResult<Self> {
        let mut config = convert::config(config).map_err(to_php)?;
        let fixed_now = config.take_int("fixed_now").map_err(to_php)?;
        Ok(Gateway {
            inner: providers::build(provider, &config).map_err(to_php)?,
            fixed_now,
        })
    }

    #[php(name = "provider")]
    pub fn provider(&self) -> &'static str {
        self.inner.name()
    }

    #[php(name = "createPayment")]
    pub fn create_payment(&self, request: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
        let req = convert::payment_request(request).map_err(to_php)?;
        let payment = self.inner.create_payment(&req).map_err(to_php)?;
        convert::payment_array(&payment).map_err(to_php)
    }

    #[php(name = "retrievePayment")]
    pub fn retrieve_payment(&self, id: &str) -> PhpResult<ZBox<ZendHashTable>> {
        let payment = self.inner.retrieve_payment(id).map_err(to_php)?;
        convert::payment_array(&payment).map_err(to_php)
    }

    #[php(name = "parseWebhook")]
    pub fn parse_webhook(
        &self,
        rawBody: BinarySlice<u8>,
        headers: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let headers = convert::headers(headers).map_err(to_php)?;
        let event = self
            .inner
            .parse_webhook(&rawBody, &headers, self.now())
            .map_err(to_php)?;
        convert::event_array(&event).map_err(to_php)
    }

    #[php(name = "confirmWebhook")]
    pub fn confirm_webhook(
        &self,
        rawBody: BinarySlice<u8>,
        headers: &ZendHashTable,
        hint: Option<&ZendHashTable>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let headers = convert::headers(headers).map_err(to_php)?;
        let hint = match hint {
            Some(h) => convert::hint(h).map_err(to_php)?,
            None => providers::Hint::default(),
        };
        let event = self
            .inner
            .confirm_webhook(&rawBody, &headers, &hint, self.now())
            .map_err(to_php)?;
        convert::event_array(&event).map_err(to_php)
    }

    /// README "Refunds": the core re-reads the payment, refuses what it does not allow and
    /// sends the refund; this only converts.
    #[php(name = "refundPayment")]
    #[php(defaults(request = RefundArgs(None)))]
    pub fn refund_payment(
        &self,
        paymentId: &str,
        request: RefundArgs,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let req = convert::refund_request(request.0).map_err(to_php)?;
        let refund = self.inner.refund_payment(paymentId, &req).map_err(to_php)?;
        convert::refund_array(&refund).map_err(to_php)
    }
}

/// `refundPayment`'s `array $request = []`: an array argument whose omitted value is the
/// empty array (ext-php-rs renders the default from `StubLiteral`, so reflection shows `[]`).
pub struct RefundArgs<'a>(Option<&'a ZendHashTable>);

impl<'a> FromZval<'a> for RefundArgs<'a> {
    const TYPE: DataType = DataType::Array;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        zval.array().map(|a| RefundArgs(Some(a)))
    }
}

impl StubLiteral for RefundArgs<'_> {
    fn stub_literal(&self) -> String {
        "[]".into()
    }
}

impl Gateway {
    fn now(&self) -> i64 {
        self.fixed_now.unwrap_or_else(webhook::system_now)
    }
}

/// The extension's version, e.g. "0.1.0".
#[php_function]
#[php(name = "PayBridge\\version")]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The ISO 4217 minor-unit exponent of a currency code (JPY 0, EUR 2, KWD 3) from the core's
/// money table, the one every amount of the extension is checked against (providers.md §0), so
/// PHP code converting amounts keeps no copy of its own. Anything else throws
/// `InvalidPayloadException` `unsupported_currency`.
#[php_function]
#[php(name = "PayBridge\\currency_exponent")]
pub fn currency_exponent(code: &str) -> PhpResult<i64> {
    let currency = Currency::from_code(code).map_err(to_php)?;
    Ok(i64::from(currency.exponent()))
}

/// `php --ri paybridge`. Runs outside any PHP call, so it must never panic: constants only.
extern "C" fn module_info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("paybridge support", "enabled");
    info_table_row!("version", env!("CARGO_PKG_VERSION"));
    info_table_row!("git revision", env!("PAYBRIDGE_GIT_REV"));
    info_table_row!("build profile", env!("PAYBRIDGE_PROFILE"));
    info_table_row!("built for PHP API", env!("PAYBRIDGE_PHP_API"));
    info_table_row!("built with PHP", env!("PAYBRIDGE_PHP_VERSION"));
    info_table_row!("providers", PROVIDERS.join(", "));
    info_table_end!();
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<PayBridgeException>()
        .class::<ConfigException>()
        .class::<SignatureException>()
        .class::<InvalidPayloadException>()
        .class::<ApiException>()
        .class::<TransportException>()
        .class::<Gateway>()
        .function(wrap_function!(version))
        .function(wrap_function!(currency_exponent))
        .info_function(module_info)
}
