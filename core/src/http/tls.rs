//! The `ca_file` setting: a PEM bundle added to the trusted roots (as stripe-php's
//! `setCABundlePath`), for a local HTTPS sandbox or a corporate TLS-inspecting proxy (README
//! "TLS"). It is checked when the gateway is built, so a wrong path fails at configuration time
//! with a `config` error instead of at the first payment. The parsed certificates are kept per
//! process, keyed by path, modification time and length, so a php-fpm worker reads the file once
//! and a rotated bundle is picked up without a restart.

use crate::error::{Error, Result};
use std::cell::RefCell;
use std::path::PathBuf;
use std::time::UNIX_EPOCH;

/// Which bundle a client trusts: the path plus a stamp of the file's content (mtime, length).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaFile {
    pub path: PathBuf,
    stamp: (u128, u64),
}

thread_local! {
    static LOADED: RefCell<Vec<(CaFile, Vec<reqwest::Certificate>)>> = const { RefCell::new(Vec::new()) };
}

/// At most this many bundles are kept per process (a worker normally sees one).
const MAX_LOADED: usize = 8;

/// The largest bundle read: the Mozilla bundle is ~220 KiB.
const MAX_BUNDLE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads and validates the bundle at `path` (messages name the key, never the path's content).
pub fn load(path: &str) -> Result<CaFile> {
    let unreadable = || Error::config("ca_file could not be read");
    let meta = std::fs::metadata(path).map_err(|_| unreadable())?;
    if !meta.is_file() {
        return Err(unreadable());
    }
    if meta.len() > MAX_BUNDLE_BYTES {
        return Err(Error::config("ca_file is larger than 4 MiB"));
    }
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let ca = CaFile {
        path: PathBuf::from(path),
        stamp: (mtime, meta.len()),
    };
    if LOADED.with(|l| l.borrow().iter().any(|(c, _)| *c == ca)) {
        return Ok(ca);
    }
    let pem = std::fs::read(path).map_err(|_| unreadable())?;
    let invalid = || Error::config("ca_file holds no valid PEM certificate");
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| invalid())?;
    if certs.is_empty() {
        return Err(invalid());
    }
    // Building a client with the roots is what parses each certificate (rustls' root store);
    // it opens no connection and starts no thread.
    let mut probe = reqwest::Client::builder();
    for c in &certs {
        probe = probe.add_root_certificate(c.clone());
    }
    probe.build().map_err(|_| invalid())?;
    LOADED.with(|l| {
        let mut l = l.borrow_mut();
        l.retain(|(c, _)| c.path != ca.path);
        if l.len() >= MAX_LOADED {
            l.remove(0);
        }
        l.push((ca.clone(), certs));
    });
    Ok(ca)
}

/// The certificates of a bundle loaded by `load` in this process (empty if it was evicted;
/// the caller then trusts only the built-in roots and the handshake fails as `tls_error`).
pub fn certificates(ca: &CaFile) -> Vec<reqwest::Certificate> {
    LOADED.with(|l| {
        l.borrow()
            .iter()
            .find(|(c, _)| c == ca)
            .map(|(_, certs)| certs.clone())
            .unwrap_or_default()
    })
}

/// Whether a request error is a failed TLS handshake (an untrusted or invalid certificate, a
/// protocol mismatch): such an error comes before any byte of the request was sent.
pub fn is_tls_failure(e: &reqwest::Error) -> bool {
    // The chain is reqwest → hyper-util → io::Error(Other) → io::Error(InvalidData) → rustls::Error;
    // an io::Error's `source()` skips its payload, so `get_ref()` is followed instead.
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if err.is::<rustls_marker::Error>() {
            return true;
        }
        next = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}

/// rustls is already in the tree through reqwest (feature rustls-tls); only its error type is
/// named here.
mod rustls_marker {
    pub use rustls::Error;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_non_pem_ca_file_is_a_config_error() {
        let e = load("/nonexistent/paybridge-ca.pem").unwrap_err();
        assert_eq!(e.code(), "config");
        assert!(e.to_string().contains("ca_file could not be read"), "{e}");
        let dir = std::env::temp_dir().join(format!("pb-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let junk = dir.join("junk.pem");
        std::fs::write(&junk, b"not a certificate").unwrap();
        let e = load(junk.to_str().unwrap()).unwrap_err();
        assert!(e.to_string().contains("no valid PEM certificate"), "{e}");
        let bad = dir.join("bad.pem");
        std::fs::write(
            &bad,
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let e = load(bad.to_str().unwrap()).unwrap_err();
        assert_eq!(e.code(), "config", "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
