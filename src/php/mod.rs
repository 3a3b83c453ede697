//! The PHP binding: the only module that imports ext-php-rs. A thin skin: convert arguments,
//! call the core, convert the result or the error.

#![allow(non_snake_case)] // PHP parameter names (`$rawBody`) are API: named arguments.

mod convert;
mod exceptions;

use crate::providers::{self, Provider};
use crate::webhook;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

pub use exceptions::{
    ApiException, ConfigException, InvalidPayloadException, PayBridgeException, SignatureException,
    TransportException,
};

/// `PayBridge\Gateway`: one configured provider.
#[php_class]
#[php(name = "PayBridge\\Gateway")]
pub struct Gateway {
    inner: Box<dyn Provider>,
    /// Config `fixed_now`: the current time for webhook timestamp checks (tests, replays of
    /// archived webhooks). Absent = the system clock.
    fixed_now: Option<i64>,
}

#[php_impl]
impl Gateway {
    pub fn __construct(provider: &str, config: &ZendHashTable) -> PhpResult<Self> {
        let mut config = convert::config(config)?;
        let fixed_now = config.take_int("fixed_now")?;
        Ok(Gateway {
            inner: providers::build(provider, &config)?,
            fixed_now,
        })
    }

    #[php(name = "provider")]
    pub fn provider(&self) -> &'static str {
        self.inner.name()
    }

    #[php(name = "createPayment")]
    pub fn create_payment(&self, request: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
        let req = convert::payment_request(request)?;
        let payment = self.inner.create_payment(&req)?;
        Ok(convert::payment_array(&payment)?)
    }

    #[php(name = "retrievePayment")]
    pub fn retrieve_payment(&self, id: &str) -> PhpResult<ZBox<ZendHashTable>> {
        let payment = self.inner.retrieve_payment(id)?;
        Ok(convert::payment_array(&payment)?)
    }

    #[php(name = "parseWebhook")]
    pub fn parse_webhook(
        &self,
        rawBody: BinarySlice<u8>,
        headers: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let headers = convert::headers(headers)?;
        let event = self.inner.parse_webhook(&rawBody, &headers, self.now())?;
        Ok(convert::event_array(&event)?)
    }

    #[php(name = "confirmWebhook")]
    pub fn confirm_webhook(
        &self,
        rawBody: BinarySlice<u8>,
        headers: &ZendHashTable,
        hint: Option<&ZendHashTable>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let headers = convert::headers(headers)?;
        let hint = match hint {
            Some(h) => convert::hint(h)?,
            None => providers::Hint::default(),
        };
        let event = self
            .inner
            .confirm_webhook(&rawBody, &headers, &hint, self.now())?;
        Ok(convert::event_array(&event)?)
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

/// `php --ri paybridge`. Runs outside any PHP call, so it must never panic: constants only.
extern "C" fn module_info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("paybridge support", "enabled");
    info_table_row!("version", env!("CARGO_PKG_VERSION"));
    info_table_row!("git revision", env!("PAYBRIDGE_GIT_REV"));
    info_table_row!("build profile", env!("PAYBRIDGE_PROFILE"));
    info_table_row!("built for PHP API", env!("PAYBRIDGE_PHP_API"));
    info_table_row!("built with PHP", env!("PAYBRIDGE_PHP_VERSION"));
    info_table_row!("providers", "neropay, payrexx, noxipay");
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
        .info_function(module_info)
}
