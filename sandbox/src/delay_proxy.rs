//! `delay-proxy` (sandbox/README.md "CLI"): a TCP forwarder that makes loopback cost what a network
//! costs (this machine has no `netem`). Every chunk read from either side is held for half the
//! RTT before it is written to the other side, so a TCP connect costs one RTT (the client's first
//! bytes wait for the forwarder's upstream connect and then RTT/2), a TLS 1.3 handshake one more,
//! and a request one more. Chunks are pipelined (a timestamped queue per direction), not
//! stop-and-wait, so bandwidth is not throttled.
//!
//! It counts what a benchmark needs: accepted connections, TLS ClientHellos (one per handshake),
//! how many of them offered a session to resume (`pre_shared_key` extension) and how many the
//! server accepted (the ServerHello carries `pre_shared_key`). The counters are written as one
//! JSON line to `--stats-file` after every change (renamed into place, so a reader never sees a
//! half-written file); a benchmark reads it before and after a run and takes the difference.

use crate::parse_args;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

#[derive(Default)]
struct Stats {
    connections: AtomicU64,
    client_hellos: AtomicU64,
    resumption_offers: AtomicU64,
    resumed: AtomicU64,
}

impl Stats {
    fn line(&self) -> String {
        format!(
            "{{\"connections\":{},\"tls_handshakes\":{},\"tls_resumption_offers\":{},\"tls_resumed\":{}}}\n",
            self.connections.load(Ordering::SeqCst),
            self.client_hellos.load(Ordering::SeqCst),
            self.resumption_offers.load(Ordering::SeqCst),
            self.resumed.load(Ordering::SeqCst),
        )
    }

    fn write(&self, path: &Option<String>) {
        let Some(path) = path else { return };
        let tmp = format!("{path}.tmp{}", std::process::id());
        if std::fs::write(&tmp, self.line()).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let (opts, positional) = parse_args(args, &["listen", "to", "rtt-ms", "stats-file"])?;
    if let Some(p) = positional.first() {
        return Err(format!("unexpected argument {p}"));
    }
    let listen: SocketAddr = opts
        .get("listen")
        .map_or(
            Ok("127.0.0.1:0".parse().unwrap_or_else(|_| unreachable!())),
            |s| s.parse(),
        )
        .map_err(|_| "--listen must be IP:PORT")?;
    let to: SocketAddr = opts
        .get("to")
        .ok_or("--to IP:PORT is required")?
        .parse()
        .map_err(|_| "--to must be IP:PORT")?;
    let rtt_ms: u64 = opts
        .get("rtt-ms")
        .ok_or("--rtt-ms N is required")?
        .parse()
        .map_err(|_| "--rtt-ms must be a number of milliseconds")?;
    let stats_file = opts.get("stats-file").cloned();
    let half = Duration::from_micros(rtt_ms * 500);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("bind: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let stats = Arc::new(Stats::default());
        stats.write(&stats_file);
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on {local}");
        let _ = out.flush();
        loop {
            let Ok((client, _)) = listener.accept().await else {
                continue;
            };
            stats.connections.fetch_add(1, Ordering::SeqCst);
            stats.write(&stats_file);
            let stats = stats.clone();
            let stats_file = stats_file.clone();
            tokio::spawn(async move {
                // The SYN/SYN-ACK exchange: the client's connect already succeeded locally, so
                // its first bytes reach the server 1.5 RTT after the connection was accepted
                // (one RTT for the handshake it skipped, RTT/2 for the bytes) — see `pump`.
                let Ok(server) = tokio::net::TcpStream::connect(to).await else {
                    return;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                let up = pump(
                    cr,
                    sw,
                    half,
                    half * 3,
                    Dir::Up,
                    stats.clone(),
                    stats_file.clone(),
                );
                let down = pump(sr, cw, half, half, Dir::Down, stats, stats_file);
                let up = tokio::spawn(up);
                down.await;
                let _ = up.await;
            });
        }
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Up,
    Down,
}

/// Forwards one direction: a reader stamps each chunk with its due time, a writer sleeps until
/// then. `first_delay` applies until the first chunk (the connect's extra half RTT upstream).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
    first_delay: Duration,
    dir: Dir,
    stats: Arc<Stats>,
    stats_file: Option<String>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let opened = Instant::now();
    let reader = async move {
        let mut first = true;
        loop {
            let mut buf = vec![0u8; 64 * 1024];
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            buf.truncate(n);
            if first {
                count_hello(&buf, dir, &stats);
                stats.write(&stats_file);
            }
            let due = if first {
                (Instant::now() + delay).max(opened + first_delay)
            } else {
                Instant::now() + delay
            };
            first = false;
            if tx.send((due, buf)).is_err() {
                break;
            }
        }
        // Dropping `tx` tells the writer to half-close after the last chunk, RTT/2 later.
        let _ = tx.send((Instant::now() + delay, Vec::new()));
    };
    let writer = async move {
        while let Some((due, chunk)) = rx.recv().await {
            // Tokio's timer has 1 ms granularity: a chunk already due (RTT 0) is not put through it.
            if due > Instant::now() {
                tokio::time::sleep_until(due).await;
            }
            if chunk.is_empty() {
                break;
            }
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    };
    let writer = tokio::spawn(writer);
    reader.await;
    let _ = writer.await;
}

/// TLS 1.3 `pre_shared_key` extension: offered by a client resuming a session, echoed by a
/// server that accepts it (RFC 8446 §4.2.11).
const EXT_PRE_SHARED_KEY: u16 = 41;

fn count_hello(chunk: &[u8], dir: Dir, stats: &Stats) {
    let Some((kind, exts)) = hello_extensions(chunk) else {
        return;
    };
    let has_psk = exts.contains(&EXT_PRE_SHARED_KEY);
    match (dir, kind) {
        (Dir::Up, 1) => {
            stats.client_hellos.fetch_add(1, Ordering::SeqCst);
            if has_psk {
                stats.resumption_offers.fetch_add(1, Ordering::SeqCst);
            }
        }
        (Dir::Down, 2) if has_psk => {
            stats.resumed.fetch_add(1, Ordering::SeqCst);
        }
        _ => {}
    }
}

/// The handshake type (1 ClientHello, 2 ServerHello) and extension types of the first handshake
/// message of a TLS stream, if the chunk starts with one. Bounds-checked; None on anything else.
fn hello_extensions(b: &[u8]) -> Option<(u8, Vec<u16>)> {
    // Record: type 22 (handshake), version 3.x, length; then handshake type and 3-byte length.
    if b.len() < 9 || b[0] != 0x16 || b[1] != 0x03 {
        return None;
    }
    let kind = b[5];
    let mut p = 9 + 2 + 32; // legacy version, random
    let sid_len = *b.get(p)? as usize;
    p += 1 + sid_len;
    if kind == 1 {
        let suites = u16::from_be_bytes([*b.get(p)?, *b.get(p + 1)?]) as usize;
        p += 2 + suites;
        let comp = *b.get(p)? as usize;
        p += 1 + comp;
    } else if kind == 2 {
        p += 2 + 1; // cipher suite, compression
    } else {
        return None;
    }
    let ext_len = u16::from_be_bytes([*b.get(p)?, *b.get(p + 1)?]) as usize;
    p += 2;
    let end = (p + ext_len).min(b.len());
    let mut exts = Vec::new();
    while p + 4 <= end {
        let t = u16::from_be_bytes([b[p], b[p + 1]]);
        let len = u16::from_be_bytes([b[p + 2], b[p + 3]]) as usize;
        exts.push(t);
        p += 4 + len;
    }
    Some((kind, exts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_parsing_never_panics_on_truncated_or_foreign_bytes() {
        for n in 0..80 {
            let mut b = vec![0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0, 0, 0x3c];
            b.resize(n.max(9), 0xff);
            b.truncate(n);
            let _ = hello_extensions(&b);
        }
        assert!(hello_extensions(b"GET / HTTP/1.1\r\n\r\n").is_none());
    }
}
