//! Webhook verification throughput (BENCHMARKS.md): the raw HMAC-SHA256, the shared
//! verify-then-parse engine's `webhook::verify`, and NeroPay's full `parse_webhook`
//! (verify + JSON parse + normalisation), at 1 KiB and 1 MiB bodies; plain SHA-256 and a bare
//! `serde_json::Value` parse of the same bytes are the references.
//!
//! Small sample counts so `cargo bench --bench verify` finishes in well under a minute.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use paybridge_core::providers::{self, Config, ConfigValue};
use paybridge_core::signing::{self, Encoding, Secret};
use paybridge_core::webhook::{Headers, Scheme, Verifier};
use sha2::{Digest, Sha256};
use std::time::Duration;

const SECRET: &str = "whsec_bench_secret";
const NOW: i64 = 1_776_825_615;
const SIZES: [(&str, usize); 2] = [("1KiB", 1024), ("1MiB", 1024 * 1024)];

/// NeroPay's §N5 scheme, restated (the provider keeps its own constant private).
const NEROPAY: Scheme = Scheme {
    signature_header: "X-NeroPay-Signature",
    prefix: None,
    encoding: Encoding::Hex,
    timestamp_header: Some("X-NeroPay-Timestamp"),
};

/// A §N5 IPN padded with a `pad` string so the body is exactly `size` bytes of valid JSON.
fn ipn_body(size: usize) -> Vec<u8> {
    let head = r#"{"id":"evt_f97d6e1c2b3a4d5e6f708192","type":"transaction.succeeded","created_at":"2026-04-22T03:40:15+01:00","account_id":"NPEE4E742AB2_6165","transaction":{"id":6636598,"trx":"NP-ORDER1001","status":"succeeded","amount":"15.99","currency":"GBP"},"pad":""#;
    let tail = r#""}"#;
    let mut body = head.as_bytes().to_vec();
    body.resize(size - tail.len(), b'x');
    body.extend_from_slice(tail.as_bytes());
    assert_eq!(body.len(), size);
    body
}

fn signed_headers(body: &[u8]) -> Headers {
    let ts = NOW.to_string();
    let sig = signing::sign(
        SECRET.as_bytes(),
        &[ts.as_bytes(), b".", body],
        Encoding::Hex,
    );
    Headers::from_pairs([
        ("X-NeroPay-Timestamp", ts.as_str()),
        ("X-NeroPay-Signature", sig.as_str()),
    ])
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let mut config = Config::new()
        .with("secret_key", "sk_bench")
        .with("webhook_secret", SECRET);
    config.set("max_retries", ConfigValue::Int(0));
    let neropay = providers::build("neropay", &config).unwrap();
    let verifier = Verifier {
        scheme: NEROPAY,
        secrets: vec![Secret::new(SECRET)],
        tolerance: Some(300),
    };

    for (label, size) in SIZES {
        let body = ipn_body(size);
        let headers = signed_headers(&body);
        let mut g = c.benchmark_group(format!("webhook_{label}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.sample_size(if size > 4096 { 20 } else { 50 });
        g.warm_up_time(Duration::from_millis(300));
        g.measurement_time(Duration::from_secs(2));

        g.bench_with_input(BenchmarkId::new("sha256", label), &body, |b, body| {
            b.iter(|| Sha256::digest(black_box(body.as_slice())))
        });
        g.bench_with_input(BenchmarkId::new("hmac_sha256", label), &body, |b, body| {
            b.iter(|| {
                signing::hmac_sha256(
                    SECRET.as_bytes(),
                    &[b"1776825615.", black_box(body.as_slice())],
                )
            })
        });
        g.bench_with_input(
            BenchmarkId::new("webhook_verify", label),
            &body,
            |b, body| b.iter(|| verifier.verify_at(&headers, black_box(body), NOW).unwrap()),
        );
        // Reference for the parse step alone: the same bytes into a serde_json::Value.
        g.bench_with_input(
            BenchmarkId::new("json_to_value", label),
            &body,
            |b, body| {
                b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)).unwrap())
            },
        );
        g.bench_with_input(
            BenchmarkId::new("neropay_parse_webhook", label),
            &body,
            |b, body| {
                b.iter(|| {
                    neropay
                        .parse_webhook(black_box(body), &headers, NOW)
                        .unwrap()
                })
            },
        );
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
