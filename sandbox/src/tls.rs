//! `serve --tls` (sandbox/README.md "HTTPS"): HTTPS in front of the plain HTTP server. At start-up
//! a throw-away CA and a certificate for `localhost` and `127.0.0.1` signed by it are generated
//! (nothing is stored in the repository); the CA's PEM is what clients add to their trusted roots
//! (`ca_file` in the extension, `CURLOPT_CAINFO` in curl). Each accepted TLS connection is
//! terminated here and its plaintext forwarded to the plain server on an internal loopback
//! port, so `http.rs` (and its fault injection: a dropped connection stays a dropped
//! connection) is the same for both schemes. Session resumption (TLS 1.3 tickets) is on, as at
//! real providers, so a client that keeps its session cache can skip the full handshake.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;

/// The generated CA (PEM, for clients) and the server's TLS configuration.
pub struct Identity {
    pub ca_pem: String,
    pub config: Arc<rustls::ServerConfig>,
}

fn err(what: &'static str) -> impl Fn(rcgen::Error) -> String {
    move |e| format!("{what}: {e}")
}

pub fn generate() -> Result<Identity, String> {
    let ca_key = KeyPair::generate().map_err(err("CA key"))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err("CA"))?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "paybridge-sandbox local CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err("CA cert"))?;

    let leaf_key = KeyPair::generate().map_err(err("server key"))?;
    let mut leaf_params = CertificateParams::new(Vec::<String>::new()).map_err(err("server"))?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "paybridge-sandbox");
    leaf_params.subject_alt_names = vec![
        SanType::DnsName("localhost".try_into().map_err(err("SAN"))?),
        SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    ];
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .map_err(err("server cert"))?;

    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS config: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    // Stateless tickets, as real providers' CDNs issue: resumption survives our restarts of
    // nothing and costs no server memory per client.
    config.ticketer =
        rustls::crypto::ring::Ticketer::new().map_err(|e| format!("TLS tickets: {e}"))?;
    Ok(Identity {
        ca_pem: ca_cert.pem(),
        config: Arc::new(config),
    })
}

/// Accepts TLS on `public` and forwards each connection's plaintext to `inner`, on its own thread
/// (a current-thread Tokio runtime: the sandbox is for one machine's tests and benchmarks).
pub fn spawn_front(
    public: TcpListener,
    inner: SocketAddr,
    config: Arc<rustls::ServerConfig>,
) -> Result<(), String> {
    public
        .set_nonblocking(true)
        .map_err(|e| format!("listener: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    std::thread::Builder::new()
        .name("tls-front".into())
        .spawn(move || runtime.block_on(accept_loop(public, inner, config)))
        .map_err(|e| format!("thread: {e}"))?;
    Ok(())
}

async fn accept_loop(public: TcpListener, inner: SocketAddr, config: Arc<rustls::ServerConfig>) {
    let Ok(listener) = tokio::net::TcpListener::from_std(public) else {
        return;
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            // A failed handshake (an untrusting client) just closes the connection.
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            let Ok(mut plain) = tokio::net::TcpStream::connect(inner).await else {
                return;
            };
            let _ = plain.set_nodelay(true);
            let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
        });
    }
}
