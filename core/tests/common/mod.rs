//! Shared helpers for integration tests: the JSON vectors and a sandbox process on loopback.
#![allow(dead_code)]

use paybridge_core::providers::{Config, ConfigValue};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The workspace root: tests/vectors/ stays there, where PHPUnit reads it too, and so does the
/// workspace's target/ with the sandbox binary.
pub fn root() -> PathBuf {
    let core = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    core.parent().map(PathBuf::from).unwrap_or(core)
}

/// Every vector file of a provider, sorted, as (file name, JSON).
pub fn vectors(provider: &str) -> Vec<(String, Value)> {
    let dir = root().join("tests/vectors").join(provider);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), v)
        })
        .collect()
}

pub fn config_from_json(v: &Value) -> Config {
    let mut c = Config::new();
    for (k, val) in v.as_object().expect("config object") {
        let cv = match val {
            Value::String(s) => ConfigValue::Str(s.clone()),
            Value::Number(n) => ConfigValue::Int(n.as_i64().unwrap()),
            Value::Bool(b) => ConfigValue::Bool(*b),
            Value::Array(a) => {
                ConfigValue::List(a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
            }
            other => panic!("unsupported config value {other}"),
        };
        c.set(k, cv);
    }
    c
}

/// A running `paybridge-sandbox serve`, killed on drop.
pub struct Sandbox {
    child: Child,
    pub url: String,
}

impl Sandbox {
    pub fn start(extra: &[&str]) -> Sandbox {
        let bin = std::env::var("PAYBRIDGE_SANDBOX_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root().join("target/release/paybridge-sandbox"));
        assert!(
            bin.exists(),
            "{} missing: run `cargo build --release -p paybridge-sandbox` first",
            bin.display()
        );
        let mut child = Command::new(bin)
            .args(["serve", "--port", "0", "--retry-schedule-ms", "100,200"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sandbox");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .expect("listening line")
            .to_string();
        Sandbox { child, url }
    }

    pub fn neropay_base(&self) -> String {
        format!("{}/neropay/v2", self.url)
    }

    pub fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let client = reqwest::blocking::Client::new();
        let url = format!("{}/_control{}", self.url, path);
        let rb = match method {
            "GET" => client.get(url),
            _ => client.post(url).json(&body.unwrap_or(Value::Null)),
        };
        let resp = rb.send().expect("control request");
        resp.json().expect("control JSON")
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
