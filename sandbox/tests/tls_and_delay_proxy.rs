//! `serve --tls` and `delay-proxy` through the built binary (issue 14 items 1 and 2): the CA file is
//! written before the https line, a client trusting it gets answers and one that does not is
//! refused, the proxy adds its RTT where a network would, and counts connections, handshakes and
//! resumed sessions.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Proc, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paybridge-sandbox"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sandbox");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    (Proc(child), line.trim().to_string())
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("pb-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn client(ca: Option<&std::path::Path>, pool: bool) -> reqwest::blocking::Client {
    let mut b = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10));
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).unwrap();
        b = b.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
    }
    if !pool {
        b = b.pool_max_idle_per_host(0);
    }
    b.build().unwrap()
}

fn stats(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn https_is_trusted_only_with_the_written_ca_and_the_proxy_counts_connections_handshakes_and_resumptions(
) {
    let dir = temp_dir("tls");
    let ca = dir.join("ca.pem");
    let (_sbx, line) = start(&[
        "serve",
        "--port",
        "0",
        "--tls",
        "--tls-ca-out",
        ca.to_str().unwrap(),
    ]);
    let port = line
        .strip_prefix("listening on https://127.0.0.1:")
        .unwrap_or_else(|| panic!("{line}"));
    // Written before the line was printed.
    assert!(std::fs::read_to_string(&ca)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let direct = format!("https://127.0.0.1:{port}/_control/requests");
    assert_eq!(
        client(Some(&ca), true)
            .get(&direct)
            .send()
            .unwrap()
            .status(),
        200
    );
    let refused = client(None, true).get(&direct).send();
    assert!(refused.is_err(), "an untrusting client must be refused");

    let st = dir.join("stats.json");
    let rtt = 60u64;
    let (_proxy, line) = start(&[
        "delay-proxy",
        "--listen",
        "127.0.0.1:0",
        "--to",
        &format!("127.0.0.1:{port}"),
        "--rtt-ms",
        &rtt.to_string(),
        "--stats-file",
        st.to_str().unwrap(),
    ]);
    let pport = line
        .strip_prefix("listening on 127.0.0.1:")
        .unwrap_or_else(|| panic!("{line}"));
    let url = format!("https://127.0.0.1:{pport}/_control/requests");
    let rtt = Duration::from_millis(rtt);

    // New connection: TCP (1 RTT) + TLS 1.3 (1 RTT) + request (1 RTT).
    let keep = client(Some(&ca), true);
    let t = Instant::now();
    assert_eq!(keep.get(&url).send().unwrap().status(), 200);
    assert!(t.elapsed() >= rtt * 3, "first call {:?}", t.elapsed());
    // Same connection: one RTT.
    let t = Instant::now();
    assert_eq!(keep.get(&url).send().unwrap().status(), 200);
    let warm = t.elapsed();
    assert!(warm >= rtt && warm < rtt * 2, "warm call {warm:?}");
    let s = stats(&st);
    assert_eq!(
        (s["connections"].as_u64(), s["tls_handshakes"].as_u64()),
        (Some(1), Some(1)),
        "{s}"
    );

    // A client that keeps no connection but its TLS session cache: the second handshake resumes.
    let fresh = client(Some(&ca), false);
    fresh.get(&url).send().unwrap();
    fresh.get(&url).send().unwrap();
    let s = stats(&st);
    assert_eq!(s["connections"].as_u64(), Some(3), "{s}");
    assert_eq!(s["tls_handshakes"].as_u64(), Some(3), "{s}");
    assert!(s["tls_resumed"].as_u64() >= Some(1), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}
