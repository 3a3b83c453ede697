//! PHP's parameter encoding, both ways (providers.md §P1, §P4).
//!
//! `build` reproduces `http_build_query($params)` (PHP_QUERY_RFC1738): insertion order, space as
//! `+`, everything but `[A-Za-z0-9_.-]` percent-encoded in upper case, nested keys as
//! `a%5Bb%5D=v`, lists as `a%5B0%5D=v`, `true` → `1`, `false` → `0`, nulls dropped. The legacy
//! `ApiSignature` is an HMAC over exactly this string.
//!
//! `parse` reads a PHP-bracket form body (`transaction[invoice][referenceId]=…`) into JSON in
//! document order, as `parse_str` would; percent-decoding is `form_urlencoded`'s.

use crate::error::{Error, Result};
use serde_json::{Map, Value};

fn urlencode(out: &mut String, s: &str) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Bool(true) => Some("1".into()),
        Value::Bool(false) => Some("0".into()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

fn walk(pairs: &mut Vec<String>, prefix: &str, v: &Value) {
    let children: Vec<(String, &Value)> = match v {
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => {
            if let Some(s) = scalar(v) {
                let mut pair = String::new();
                urlencode(&mut pair, prefix);
                pair.push('=');
                urlencode(&mut pair, &s);
                pairs.push(pair);
            }
            return;
        }
    };
    for (k, child) in children {
        walk(pairs, &format!("{prefix}[{k}]"), child);
    }
}

/// `http_build_query` of a JSON object (top-level order kept: serde_json `preserve_order`).
pub fn build(params: &Map<String, Value>) -> String {
    let mut pairs = Vec::new();
    for (k, v) in params {
        walk(&mut pairs, k, v);
    }
    pairs.join("&")
}

/// Splits `a[b][c]` into `a`, `b`, `c` as PHP does; `a[]` appends.
fn key_path(key: &str) -> Option<(String, Vec<String>)> {
    // split_once/strip_prefix only: byte-index slicing could cut a multi-byte character of a
    // hostile key and panic (style.md: no Rust panic on any input).
    let (head, mut rest) = match key.split_once('[') {
        Some((head, tail)) if !head.is_empty() => (head, tail),
        _ => return Some((key.to_string(), Vec::new())).filter(|(k, _)| !k.is_empty()),
    };
    let mut path = Vec::new();
    loop {
        let (segment, after) = rest.split_once(']')?;
        path.push(segment.to_string());
        match after.strip_prefix('[') {
            Some(next) => rest = next,
            None => break,
        }
    }
    Some((head.to_string(), path))
}

fn set(
    target: &mut Map<String, Value>,
    key: String,
    path: &[String],
    value: String,
    depth: usize,
) -> Result<()> {
    if depth > 32 {
        return Err(Error::payload("form field nested too deeply"));
    }
    let Some((first, rest)) = path.split_first() else {
        target.insert(key, Value::String(value));
        return Ok(());
    };
    let child = target
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()));
    if !child.is_object() {
        *child = Value::Object(Map::new());
    }
    let map = child.as_object_mut().unwrap_or_else(|| unreachable!());
    let name = if first.is_empty() {
        map.len().to_string()
    } else {
        first.clone()
    };
    set(map, name, rest, value, depth + 1)
}

/// Parses an `application/x-www-form-urlencoded` body with PHP brackets into a JSON object.
pub fn parse(body: &[u8]) -> Result<Value> {
    let mut root = Map::new();
    for (k, v) in form_urlencoded::parse(body) {
        let Some((head, path)) = key_path(&k) else {
            continue;
        };
        set(&mut root, head, &path, v.into_owned(), 0)?;
    }
    if root.is_empty() {
        return Err(Error::payload("empty form body"));
    }
    Ok(Value::Object(root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builds_like_php_http_build_query() {
        let p = json!({"a": true, "b": false, "c": null, "d": 0});
        assert_eq!(build(p.as_object().unwrap()), "a=1&b=0&d=0");
        let p =
            json!({"contact": {"email": "a@b.ch", "name": "Jane Doe"}, "pm": ["twint", "visa"]});
        assert_eq!(
            build(p.as_object().unwrap()),
            "contact%5Bemail%5D=a%40b.ch&contact%5Bname%5D=Jane+Doe&pm%5B0%5D=twint&pm%5B1%5D=visa"
        );
        let p = json!({"sym": "ä~!*()"});
        assert_eq!(build(p.as_object().unwrap()), "sym=%C3%A4%7E%21%2A%28%29");
    }

    #[test]
    fn parses_nested_bracket_forms_in_document_order() {
        let v = parse(b"transaction[id]=7&transaction[invoice][referenceId]=INV+1&transaction[invoice][products][0][name]=A%26B&pm[]=x&pm[]=y").unwrap();
        assert_eq!(v["transaction"]["id"], "7");
        assert_eq!(v["transaction"]["invoice"]["referenceId"], "INV 1");
        assert_eq!(v["transaction"]["invoice"]["products"]["0"]["name"], "A&B");
        assert_eq!(v["pm"]["1"], "y");
    }

    #[test]
    fn survives_hostile_forms() {
        assert!(parse(b"").is_err());
        assert!(parse(&b"a".repeat(10)).is_ok());
        let deep = format!("a{}=1", "[x]".repeat(100));
        assert_eq!(
            parse(deep.as_bytes()).unwrap_err().code(),
            "invalid_payload"
        );
        assert!(parse(b"a[b=1&[c]=2&a[]]=3").is_ok());
    }
}
