//! PHP arrays in, PHP arrays out. Everything is copied into owned Rust values at once: no Zend
//! value outlives the call (ext-php-rs-notes.md).

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ZendHashTable, Zval};
use paybridge_core::money::Money;
use paybridge_core::providers::{Config, ConfigValue, Hint, Payment, PaymentRequest};
use paybridge_core::refund::{Refund, RefundFacts, RefundInput, RefundRequest};
use paybridge_core::request::{AmountInput, RequestInput, TextInput};
use paybridge_core::webhook::{Event, Headers};
use paybridge_core::{Error, Result};
use serde_json::Value;

/// An array key as PHP holds it: an int, or a byte string that may not be UTF-8.
enum Key {
    Int,
    Text(String),
    Bytes,
}

/// Walks an array without ext-php-rs's key conversion, which panics on a non-UTF-8 key.
fn entries(arr: &ZendHashTable) -> Vec<(Key, &Zval)> {
    let mut out = Vec::with_capacity(arr.len());
    let mut it = arr.iter();
    while let Some((k, v)) = it.next_zval() {
        let key = if k.is_long() {
            Key::Int
        } else {
            match k
                .zend_str()
                .map(|z| std::str::from_utf8(z.as_bytes()).map(str::to_string))
            {
                Some(Ok(s)) => Key::Text(s),
                _ => Key::Bytes,
            }
        };
        out.push((key, v));
    }
    out
}

fn key_name(k: &Key) -> Option<String> {
    match k {
        Key::Text(s) => Some(s.clone()),
        Key::Int | Key::Bytes => None,
    }
}

fn utf8(z: &Zval, what: &str) -> Result<Option<String>> {
    let z = z.dereference();
    if z.is_null() {
        return Ok(None);
    }
    if !z.is_string() {
        return Err(Error::request(format!("{what} must be a string")));
    }
    z.str()
        .map(|s| Some(s.to_string()))
        .ok_or_else(|| Error::request(format!("{what} must be UTF-8")))
}

pub fn config(arr: &ZendHashTable) -> Result<Config> {
    let mut c = Config::new();
    for (k, v) in entries(arr) {
        let name =
            key_name(&k).ok_or_else(|| Error::config("config keys must be UTF-8 strings"))?;
        let v = v.dereference();
        let value = if let Some(i) = v.long() {
            ConfigValue::Int(i)
        } else if let Some(b) = v.bool() {
            ConfigValue::Bool(b)
        } else if v.is_string() {
            ConfigValue::Str(
                v.str()
                    .ok_or_else(|| Error::config(format!("{name} must be UTF-8")))?
                    .to_string(),
            )
        } else if let Some(list) = v.array() {
            let mut out = Vec::new();
            for (_, item) in entries(list) {
                match item.dereference().str() {
                    Some(s) => out.push(s.to_string()),
                    None => return Err(Error::config(format!("{name} must be a list of strings"))),
                }
            }
            ConfigValue::List(out)
        } else if v.is_null() {
            continue;
        } else {
            return Err(Error::config(format!("{name} has an unsupported type")));
        };
        c.set(&name, value);
    }
    Ok(c)
}

fn amount(z: &Zval) -> AmountInput {
    let z = z.dereference();
    if let Some(minor) = z.long() {
        AmountInput::Minor(minor)
    } else if z.is_double() {
        AmountInput::Float
    } else {
        match z.str() {
            Some(s) if z.is_string() => AmountInput::Decimal(s.to_string()),
            _ => AmountInput::Other,
        }
    }
}

fn text(arr: &ZendHashTable, key: &str) -> TextInput {
    match arr.get(key) {
        Some(z) => utf8(z, key),
        None => Ok(None),
    }
}

fn metadata(arr: &ZendHashTable) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let Some(m) = arr
        .get("metadata")
        .map(Zval::dereference)
        .filter(|z| !z.is_null())
    else {
        return Ok(out);
    };
    let m = m
        .array()
        .ok_or_else(|| Error::request("metadata must be an array of strings"))?;
    for (k, v) in entries(m) {
        let name = key_name(&k).ok_or_else(|| Error::request("metadata keys must be strings"))?;
        out.push((name, utf8(v, "metadata values")?.unwrap_or_default()));
    }
    Ok(out)
}

fn customer(arr: &ZendHashTable) -> Result<(TextInput, TextInput)> {
    let Some(c) = arr
        .get("customer")
        .map(Zval::dereference)
        .filter(|z| !z.is_null())
    else {
        return Ok((Ok(None), Ok(None)));
    };
    let c = c
        .array()
        .ok_or_else(|| Error::request("customer must be an array"))?;
    Ok((text(c, "name"), text(c, "email")))
}

/// Converts only; `PaymentRequest::new` in the core decides what is valid.
pub fn payment_request(arr: &ZendHashTable) -> Result<PaymentRequest> {
    PaymentRequest::new(RequestInput {
        keys: entries(arr).iter().map(|(k, _)| key_name(k)).collect(),
        amount: arr.get("amount").map(amount),
        currency: text(arr, "currency"),
        reference: text(arr, "reference"),
        description: text(arr, "description"),
        success_url: text(arr, "success_url"),
        cancel_url: text(arr, "cancel_url"),
        notify_url: text(arr, "notify_url"),
        metadata: metadata(arr),
        customer: customer(arr),
        idempotency_key: text(arr, "idempotency_key"),
    })
}

/// Converts only; `RefundRequest::new` in the core decides what is valid, so every binding
/// refuses the same requests with the same first error.
pub fn refund_request(arr: Option<&ZendHashTable>) -> Result<RefundRequest> {
    let Some(arr) = arr else {
        return RefundRequest::new(RefundInput::default());
    };
    RefundRequest::new(RefundInput {
        keys: entries(arr).iter().map(|(k, _)| key_name(k)).collect(),
        amount: arr.get("amount").map(amount),
        currency: text(arr, "currency"),
        reason: text(arr, "reason"),
        idempotency_key: text(arr, "idempotency_key"),
    })
}

pub fn headers(arr: &ZendHashTable) -> Result<Headers> {
    let mut h = Headers::new();
    for (k, v) in entries(arr) {
        let Some(name) = key_name(&k) else { continue };
        let v = v.dereference();
        if let Some(list) = v.array() {
            for (_, item) in entries(list) {
                if let Some(s) = item.dereference().zend_str() {
                    h.push(&name, String::from_utf8_lossy(s.as_bytes()).into_owned())?;
                }
            }
        } else if let Some(s) = v.zend_str() {
            h.push(&name, String::from_utf8_lossy(s.as_bytes()).into_owned())?;
        } else if let Some(i) = v.long() {
            h.push(&name, i.to_string())?;
        }
    }
    Ok(h)
}

pub fn hint(arr: &ZendHashTable) -> Result<Hint> {
    let get = |k: &str| -> Result<Option<String>> {
        match arr.get(k) {
            Some(z) if z.dereference().long().is_some() => {
                Ok(z.dereference().long().map(|i| i.to_string()))
            }
            Some(z) => Ok(utf8(z, k)?.filter(|s| !s.is_empty())),
            None => Ok(None),
        }
    };
    let payment_id = get("payment_id")?;
    // `reference` is accepted (and type-checked) because callers such as the Perfex module pass
    // it, but no provider can look a payment up by it: the payment id identifies the payment
    // (stubs: confirmWebhook).
    get("reference")?;
    Ok(Hint { payment_id })
}

fn insert(t: &mut ZendHashTable, k: &str, v: impl ext_php_rs::convert::IntoZval) -> Result<()> {
    t.insert(k, v)
        .map_err(|_| Error::payload("could not build the result array"))
}

/// JSON to PHP: objects become arrays; integers stay ints; any other number (a decimal such as an
/// amount) becomes its exact decimal string, never a float.
pub fn json_to_zval(v: &Value) -> Result<Zval> {
    let mut z = Zval::new();
    match v {
        Value::Null => z.set_null(),
        Value::Bool(b) => z.set_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => z.set_long(i),
            None => z
                .set_string(&n.to_string(), false)
                .map_err(|_| Error::payload("bad number"))?,
        },
        Value::String(s) => z
            .set_string(s, false)
            .map_err(|_| Error::payload("bad string"))?,
        Value::Array(items) => {
            let mut t = ZendHashTable::new();
            for item in items {
                t.push(json_to_zval(item)?)
                    .map_err(|_| Error::payload("bad array"))?;
            }
            z.set_hashtable(t);
        }
        Value::Object(map) => {
            let mut t = ZendHashTable::new();
            for (k, item) in map {
                insert(&mut t, k, json_to_zval(item)?)?;
            }
            z.set_hashtable(t);
        }
    }
    Ok(z)
}

/// Every amount in a result is the same three keys, in this order: `amount` (decimal string with
/// the currency's exponent), `amount_minor` (int) and `currency`; null, null, null when unknown.
fn money_keys(t: &mut ZendHashTable, money: Option<Money>) -> Result<()> {
    insert(t, "amount", money.map(|m| m.to_decimal()))?;
    insert(t, "amount_minor", money.map(|m| m.minor()))?;
    insert(t, "currency", money.map(|m| m.currency().code()))
}

pub fn payment_array(p: &Payment) -> Result<ZBox<ZendHashTable>> {
    let mut t = ZendHashTable::new();
    insert(&mut t, "id", p.id.as_str())?;
    insert(&mut t, "reference", p.reference.as_str())?;
    insert(&mut t, "status", p.status.as_str())?;
    insert(&mut t, "checkout_url", p.checkout_url.clone())?;
    money_keys(&mut t, Some(p.money))?;
    insert(&mut t, "mode", p.mode.map(|m| m.as_str()))?;
    insert(&mut t, "provider", p.provider)?;
    refund_keys(&mut t, Some(&p.refunds))?;
    insert(&mut t, "raw", json_to_zval(&p.raw)?)?;
    Ok(t)
}

/// README "Refunds": `refunded_amount`, `refunded_amount_minor`, `refunds`, `chargebacks`
/// (null, null, [], [] where only a body was read).
fn refund_keys(t: &mut ZendHashTable, facts: Option<&RefundFacts>) -> Result<()> {
    insert(t, "refunded_amount", facts.map(|f| f.refunded.to_decimal()))?;
    insert(
        t,
        "refunded_amount_minor",
        facts.map(|f| f.refunded.minor()),
    )?;
    let mut refunds = ZendHashTable::new();
    let mut chargebacks = ZendHashTable::new();
    for r in facts.map(|f| f.refunds.as_slice()).unwrap_or_default() {
        let mut e = ZendHashTable::new();
        insert(&mut e, "id", r.id.as_str())?;
        insert(&mut e, "status", r.status.as_str())?;
        money_keys(&mut e, Some(r.money))?;
        refunds
            .push(e)
            .map_err(|_| Error::payload("could not build the result array"))?;
    }
    for c in facts.map(|f| f.chargebacks.as_slice()).unwrap_or_default() {
        let mut e = ZendHashTable::new();
        insert(&mut e, "id", c.id.as_str())?;
        money_keys(&mut e, Some(c.money))?;
        insert(&mut e, "reason", c.reason.clone())?;
        chargebacks
            .push(e)
            .map_err(|_| Error::payload("could not build the result array"))?;
    }
    insert(t, "refunds", refunds)?;
    insert(t, "chargebacks", chargebacks)
}

/// The normalized refund, with the keys README "Refunds" and the stubs document.
pub fn refund_array(r: &Refund) -> Result<ZBox<ZendHashTable>> {
    let mut t = ZendHashTable::new();
    insert(&mut t, "id", r.id.as_str())?;
    insert(&mut t, "payment_id", r.payment_id.as_str())?;
    insert(&mut t, "status", r.status.as_str())?;
    money_keys(&mut t, Some(r.money))?;
    insert(&mut t, "provider", r.provider)?;
    insert(&mut t, "raw", json_to_zval(&r.raw)?)?;
    Ok(t)
}

pub fn event_array(e: &Event) -> Result<ZBox<ZendHashTable>> {
    let mut t = ZendHashTable::new();
    insert(&mut t, "id", e.id.as_str())?;
    insert(&mut t, "type", e.event_type.as_str())?;
    insert(&mut t, "status", e.status.as_str())?;
    insert(&mut t, "payment_id", e.payment_id.clone())?;
    insert(&mut t, "reference", e.reference.clone())?;
    money_keys(&mut t, e.money)?;
    insert(&mut t, "mode", e.mode.map(|m| m.as_str()))?;
    insert(&mut t, "provider", e.provider)?;
    insert(&mut t, "verified", e.verified.as_str())?;
    refund_keys(&mut t, e.refunds.as_ref())?;
    insert(&mut t, "raw", json_to_zval(&e.raw)?)?;
    Ok(t)
}
