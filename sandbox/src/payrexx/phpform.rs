//! PHP-style parameters for Payrexx (providers.md §P1, §P4): `a[b][0]=v` form bodies parsed in
//! insertion order, JSON bodies read in document order, and a rebuild of `http_build_query`
//! (RFC 1738, brackets `%5B`/`%5D`, `true` → `1`, `false` → `0`, nulls dropped).

use crate::util::{percent_decode, php_urlencode};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// A PHP request parameter: a string or an ordered array.
#[derive(Clone, Debug, PartialEq)]
pub enum PVal {
    Str(String),
    Map(Vec<(String, PVal)>),
}

pub type Params = Vec<(String, PVal)>;

pub fn get<'a>(params: &'a [(String, PVal)], key: &str) -> Option<&'a PVal> {
    params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

pub fn get_str<'a>(params: &'a [(String, PVal)], key: &str) -> Option<&'a str> {
    match get(params, key) {
        Some(PVal::Str(s)) => Some(s),
        _ => None,
    }
}

impl PVal {
    pub fn to_json(&self) -> Value {
        match self {
            PVal::Str(s) => Value::String(s.clone()),
            // PHP lists (keys 0..n-1 in order) come back as JSON arrays.
            PVal::Map(m)
                if !m.is_empty() && m.iter().enumerate().all(|(i, (k, _))| *k == i.to_string()) =>
            {
                Value::Array(m.iter().map(|(_, v)| v.to_json()).collect())
            }
            PVal::Map(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// A JSON value as PHP would hold it after `json_decode(…, true)` and before
    /// `http_build_query`: bools become "1"/"0", nulls vanish, lists get 0-based keys.
    pub fn from_json(v: &Value) -> Option<PVal> {
        match v {
            Value::Null => None,
            Value::Bool(b) => Some(PVal::Str(if *b { "1" } else { "0" }.into())),
            Value::Number(n) => Some(PVal::Str(n.to_string())),
            Value::String(s) => Some(PVal::Str(s.clone())),
            Value::Array(a) => Some(PVal::Map(
                a.iter()
                    .enumerate()
                    .filter_map(|(i, v)| Some((i.to_string(), PVal::from_json(v)?)))
                    .collect(),
            )),
            Value::Object(o) => Some(PVal::Map(
                o.iter()
                    .filter_map(|(k, v)| Some((k.clone(), PVal::from_json(v)?)))
                    .collect(),
            )),
        }
    }
}

/// Sets `path` (None = `[]`, append) to `value` the way PHP's parse_str does: an existing key
/// keeps its position and takes the new value.
fn insert(map: &mut Params, path: &[Option<String>], value: String) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let key = match first {
        Some(k) => k.clone(),
        None => map
            .iter()
            .filter_map(|(k, _)| k.parse::<i64>().ok())
            .max()
            .map_or(0, |m| m + 1)
            .to_string(),
    };
    let pos = match map.iter().position(|(k, _)| *k == key) {
        Some(p) => p,
        None => {
            map.push((key, PVal::Map(Vec::new())));
            map.len() - 1
        }
    };
    if rest.is_empty() {
        map[pos].1 = PVal::Str(value);
        return;
    }
    if !matches!(map[pos].1, PVal::Map(_)) {
        map[pos].1 = PVal::Map(Vec::new());
    }
    if let PVal::Map(inner) = &mut map[pos].1 {
        insert(inner, rest, value);
    }
}

/// `a[b][]` → [Some("a"), Some("b"), None]; a key with unbalanced brackets stays whole.
fn key_path(key: &str) -> Vec<Option<String>> {
    let Some(open) = key.find('[') else {
        return vec![Some(key.to_string())];
    };
    if open == 0 {
        return vec![Some(key.to_string())];
    }
    let mut path = vec![Some(key[..open].to_string())];
    let mut rest = &key[open..];
    while let Some(after) = rest.strip_prefix('[') {
        let Some(close) = after.find(']') else {
            return vec![Some(key.to_string())];
        };
        let seg = &after[..close];
        path.push((!seg.is_empty()).then(|| seg.to_string()));
        rest = &after[close + 1..];
    }
    path
}

/// `application/x-www-form-urlencoded` with PHP brackets, in insertion order.
pub fn parse_form(s: &str) -> Params {
    let mut out = Vec::new();
    for part in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let key = percent_decode(k, true);
        if key.is_empty() {
            continue;
        }
        insert(&mut out, &key_path(&key), percent_decode(v, true));
    }
    out
}

/// JSON read in document order (serde_json's Map would sort the keys).
enum Ordered {
    Null,
    Str(String),
    List(Vec<Ordered>),
    Obj(Vec<(String, Ordered)>),
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Ordered;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Ordered, E> {
        Ok(Ordered::Str(if b { "1" } else { "0" }.into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Ordered, E> {
        Ok(Ordered::Str(n.to_string()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Ordered, E> {
        Ok(Ordered::Str(n.to_string()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Ordered, E> {
        Ok(Ordered::Str(n.to_string()))
    }
    fn visit_str<E>(self, s: &str) -> Result<Ordered, E> {
        Ok(Ordered::Str(s.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Ordered, E> {
        Ok(Ordered::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        let mut v = Vec::new();
        while let Some(item) = seq.next_element()? {
            v.push(item);
        }
        Ok(Ordered::List(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut v: Vec<(String, Ordered)> = Vec::new();
        while let Some((k, val)) = map.next_entry::<String, Ordered>()? {
            // Duplicate keys: last value wins at the first position, as in PHP.
            match v.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = val,
                None => v.push((k, val)),
            }
        }
        Ok(Ordered::Obj(v))
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OrderedVisitor)
    }
}

fn ordered_to_pval(o: Ordered) -> Option<PVal> {
    match o {
        Ordered::Null => None,
        Ordered::Str(s) => Some(PVal::Str(s)),
        Ordered::List(l) => Some(PVal::Map(
            l.into_iter()
                .enumerate()
                .filter_map(|(i, v)| Some((i.to_string(), ordered_to_pval(v)?)))
                .collect(),
        )),
        Ordered::Obj(o) => Some(PVal::Map(
            o.into_iter()
                .filter_map(|(k, v)| Some((k, ordered_to_pval(v)?)))
                .collect(),
        )),
    }
}

/// A JSON object body as PHP parameters; None when it is not a JSON object.
pub fn parse_json(body: &[u8]) -> Option<Params> {
    match serde_json::from_slice::<Ordered>(body).ok()? {
        Ordered::Obj(o) => match ordered_to_pval(Ordered::Obj(o))? {
            PVal::Map(m) => Some(m),
            PVal::Str(_) => None,
        },
        _ => None,
    }
}

fn build(prefix: &str, v: &PVal, out: &mut Vec<String>) {
    match v {
        PVal::Str(s) => out.push(format!("{}={}", php_urlencode(prefix), php_urlencode(s))),
        PVal::Map(m) => {
            for (k, inner) in m {
                build(&format!("{prefix}[{k}]"), inner, out);
            }
        }
    }
}

/// PHP `http_build_query($params)` with its defaults.
pub fn build_query(params: &[(String, PVal)]) -> String {
    let mut out = Vec::new();
    for (k, v) in params {
        build(k, v, &mut out);
    }
    out.join("&")
}

#[cfg(test)]
#[path = "phpform_tests.rs"]
mod tests;
