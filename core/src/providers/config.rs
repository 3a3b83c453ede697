//! Provider configuration as handed over from PHP (or tests): a flat map of known keys. Unknown
//! keys are refused so a typo (`secretkey`) fails loudly instead of silently using a default.
//! `Debug` prints key names only: values may be secrets.

use crate::error::{Error, Result};
use crate::http::{HttpSettings, RetryMode};
use crate::signing::Secret;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

#[derive(Clone, PartialEq)]
pub enum ConfigValue {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<String>),
}

#[derive(Clone, Default)]
pub struct Config(BTreeMap<String, ConfigValue>);

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// Keys every provider understands (timeouts and retries of providers.md §0).
const HTTP_KEYS: &[&str] = &[
    "base_url",
    "timeout_ms",
    "connect_timeout_ms",
    "max_retries",
    "retry",
    "ca_file",
];

impl Config {
    pub fn new() -> Config {
        Config(BTreeMap::new())
    }

    pub fn set(&mut self, key: &str, value: ConfigValue) -> &mut Self {
        self.0.insert(key.to_string(), value);
        self
    }

    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.set(key, ConfigValue::Str(value.to_string()));
        self
    }

    pub fn with_int(mut self, key: &str, value: i64) -> Self {
        self.set(key, ConfigValue::Int(value));
        self
    }

    pub fn check_keys(&self, allowed: &[&str]) -> Result<()> {
        for k in self.0.keys() {
            if !allowed.contains(&k.as_str()) && !HTTP_KEYS.contains(&k.as_str()) {
                let shown: String = k.chars().take(40).collect();
                return Err(Error::config(format!("unknown key '{shown}'")));
            }
        }
        Ok(())
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<String>> {
        match self.0.get(key) {
            None => Ok(None),
            Some(ConfigValue::Str(s)) if s.trim().is_empty() => Ok(None),
            Some(ConfigValue::Str(s)) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(Error::config(format!("{key} must be a string"))),
        }
    }

    pub fn required_str(&self, key: &str) -> Result<String> {
        self.opt_str(key)?
            .ok_or_else(|| Error::config(format!("{key} is required")))
    }

    pub fn opt_int(&self, key: &str, min: i64, max: i64) -> Result<Option<i64>> {
        match self.0.get(key) {
            None => Ok(None),
            Some(ConfigValue::Int(i)) if (min..=max).contains(i) => Ok(Some(*i)),
            Some(ConfigValue::Int(_)) => Err(Error::config(format!(
                "{key} must be between {min} and {max}"
            ))),
            Some(_) => Err(Error::config(format!("{key} must be an integer"))),
        }
    }

    /// Removes an integer key that is not the provider's business (binding-level settings).
    pub fn take_int(&mut self, key: &str) -> Result<Option<i64>> {
        match self.0.remove(key) {
            None => Ok(None),
            Some(ConfigValue::Int(i)) => Ok(Some(i)),
            Some(_) => Err(Error::config(format!("{key} must be an integer"))),
        }
    }

    /// A secret as a string, or a list of them during rotation (providers.md §0). Empty entries
    /// are dropped; an empty result means "not configured".
    pub fn secrets(&self, key: &str) -> Result<Vec<Secret>> {
        let list = match self.0.get(key) {
            None => Vec::new(),
            Some(ConfigValue::Str(s)) => vec![s.clone()],
            Some(ConfigValue::List(l)) => l.clone(),
            Some(_) => return Err(Error::config(format!("{key} must be a string or a list"))),
        };
        Ok(list
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .map(Secret::new)
            .collect())
    }

    pub fn required_secret(&self, key: &str) -> Result<Secret> {
        match self.0.get(key) {
            Some(ConfigValue::Str(s)) if !s.trim().is_empty() => Ok(Secret::new(s.trim())),
            Some(ConfigValue::Str(_)) | None => Err(Error::config(format!("{key} is required"))),
            Some(_) => Err(Error::config(format!("{key} must be a string"))),
        }
    }

    /// base_url, timeouts and retries, validated.
    pub fn http(&self, default_base_url: &str) -> Result<HttpSettings> {
        let base = self
            .opt_str("base_url")?
            .unwrap_or_else(|| default_base_url.to_string());
        let mut s = HttpSettings::new(&base)?;
        if let Some(ms) = self.opt_int("timeout_ms", 1, 300_000)? {
            s.timeout = Duration::from_millis(ms as u64);
        }
        if let Some(ms) = self.opt_int("connect_timeout_ms", 1, 60_000)? {
            s.connect_timeout = Duration::from_millis(ms as u64);
        }
        if let Some(n) = self.opt_int("max_retries", 0, 10)? {
            s.retry.max_retries = n as u32;
        }
        // README "Retries and idempotency": "all" (default) or "unsent" (retry only failures
        // before any byte was sent).
        if let Some(mode) = self.opt_str("retry")? {
            s.retry.mode = RetryMode::parse(&mode)
                .ok_or_else(|| Error::config("retry must be \"all\" or \"unsent\""))?;
        }
        // README "TLS": a PEM bundle added to the trusted roots, read and checked now, so a wrong
        // path is a `config` error when the gateway is built, not at the first payment.
        if let Some(path) = self.opt_str("ca_file")? {
            s.ca_file = Some(crate::http::tls::load(&path)?);
        }
        Ok(s)
    }

    pub fn tolerance(&self, default_seconds: i64) -> Result<i64> {
        Ok(self
            .opt_int("tolerance_seconds", 1, 30 * 24 * 3600)?
            .unwrap_or(default_seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_key_names_but_never_values() {
        let c = Config::new().with("secret_key", "sk_live_topsecret");
        let shown = format!("{c:?}");
        assert!(shown.contains("secret_key") && !shown.contains("topsecret"));
    }

    #[test]
    fn refuses_unknown_keys_and_wrong_types() {
        let c = Config::new().with("secretkey", "x");
        assert_eq!(c.check_keys(&["secret_key"]).unwrap_err().code(), "config");
        let c = Config::new().with_int("secret_key", 5);
        assert_eq!(c.required_str("secret_key").unwrap_err().code(), "config");
        let c = Config::new().with_int("max_retries", 99);
        assert_eq!(c.http("https://x").unwrap_err().code(), "config");
    }

    #[test]
    fn retry_mode_comes_from_the_retry_key_and_refuses_unknown_values() {
        let base = "https://x";
        assert_eq!(Config::new().http(base).unwrap().retry.mode, RetryMode::All);
        let c = Config::new().with("retry", "unsent");
        assert_eq!(c.http(base).unwrap().retry.mode, RetryMode::Unsent);
        assert!(c.check_keys(&[]).is_ok());
        let c = Config::new().with("retry", "sometimes");
        assert_eq!(c.http(base).unwrap_err().code(), "config");
    }

    #[test]
    fn webhook_secret_may_be_a_rotation_list() {
        let mut c = Config::new();
        c.set(
            "webhook_secret",
            ConfigValue::List(vec!["a".into(), "".into(), "b".into()]),
        );
        assert_eq!(c.secrets("webhook_secret").unwrap().len(), 2);
    }
}
