//! `paybridge-sandbox`: a local fake of NeroPay, Payrexx and Noxipay (shared/specs/architecture.md,
//! "The sandbox"). See sandbox/README.md for the CLI, URL layout and control endpoints.

mod actions;
mod checkout;
mod control;
mod delay_proxy;
mod delivery;
mod http;
mod neropay;
mod noxipay;
mod payrexx;
mod provider;
mod refunds;
mod server;
mod state;
mod tls;
mod trigger;
mod util;

use state::{App, Config, WebhookFormat};
use std::collections::HashMap;
use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

const USAGE: &str = "usage:
  paybridge-sandbox serve [--port N] [--neropay-secret-key K] [--neropay-webhook-secret S]
      [--payrexx-instance I] [--payrexx-secret K] [--payrexx-webhook-key K]
      [--payrexx-webhook-format json|form] [--payrexx-webhook-url URL]
      [--noxipay-secret-key K] [--noxipay-webhook-secret S] [--retry-schedule-ms 200,500,...]
      [--tls --tls-ca-out PATH]
  paybridge-sandbox delay-proxy --listen 127.0.0.1:PORT --to 127.0.0.1:PORT --rtt-ms N
      [--stats-file PATH]
  paybridge-sandbox trigger <neropay|payrexx|noxipay> <event> --payment ID --to URL
      [--sandbox BASE_URL] [--webhook-secret S] [--format json|form]";

/// `--name value` / `--name=value` options and positional words; every option takes a value.
pub fn parse_args(
    args: &[String],
    known: &[&str],
) -> Result<(HashMap<String, String>, Vec<String>), String> {
    let mut opts = HashMap::new();
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(name) = a.strip_prefix("--") else {
            positional.push(a.clone());
            continue;
        };
        let (name, value) = match name.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => {
                let v = it.next().ok_or(format!("--{name} needs a value"))?;
                (name.to_string(), v.clone())
            }
        };
        if !known.contains(&name.as_str()) {
            return Err(format!("unknown option --{name}"));
        }
        opts.insert(name, value);
    }
    Ok((opts, positional))
}

fn config_from(opts: &HashMap<String, String>) -> Result<Config, String> {
    let mut c = Config::default();
    let get = |k: &str| opts.get(k).cloned();
    if let Some(v) = get("neropay-secret-key") {
        c.neropay_secret = v;
    }
    c.neropay_webhook_secret = get("neropay-webhook-secret");
    if let Some(v) = get("payrexx-instance") {
        c.payrexx_instance = v;
    }
    if let Some(v) = get("payrexx-secret") {
        c.payrexx_secret = v;
    }
    c.payrexx_webhook_key = get("payrexx-webhook-key");
    if let Some(v) = get("payrexx-webhook-format") {
        c.payrexx_webhook_format =
            WebhookFormat::parse(&v).ok_or("--payrexx-webhook-format must be json or form")?;
    }
    c.payrexx_webhook_url = get("payrexx-webhook-url");
    if let Some(v) = get("noxipay-secret-key") {
        c.noxipay_secret = v;
    }
    if let Some(v) = get("noxipay-webhook-secret") {
        c.noxipay_webhook_secret = v;
    }
    if let Some(v) = get("retry-schedule-ms") {
        c.retry_schedule = v
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<u64>())
            .collect::<Result<_, _>>()
            .map_err(|_| "--retry-schedule-ms must be comma-separated milliseconds")?;
    }
    Ok(c)
}

fn serve(args: &[String]) -> Result<(), String> {
    // `--tls` is the one option without a value: taken out before the rest is read as
    // `--key value` pairs.
    let tls = args.iter().any(|a| a == "--tls");
    let args: Vec<String> = args.iter().filter(|a| *a != "--tls").cloned().collect();
    let known = [
        "tls-ca-out",
        "port",
        "neropay-secret-key",
        "neropay-webhook-secret",
        "payrexx-instance",
        "payrexx-secret",
        "payrexx-webhook-key",
        "payrexx-webhook-format",
        "payrexx-webhook-url",
        "noxipay-secret-key",
        "noxipay-webhook-secret",
        "retry-schedule-ms",
    ];
    let (opts, positional) = parse_args(&args, &known)?;
    if let Some(p) = positional.first() {
        return Err(format!("unexpected argument {p}"));
    }
    let port: u16 = match opts.get("port") {
        Some(p) => p.parse().map_err(|_| "--port must be 0..65535")?,
        None => 0,
    };
    let cfg = config_from(&opts)?;
    if tls != opts.contains_key("tls-ca-out") {
        return Err("--tls and --tls-ca-out PATH go together".into());
    }
    let mut listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("bind: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let mut base = format!("http://127.0.0.1:{port}");
    if let Some(ca_out) = opts.get("tls-ca-out") {
        // The public port speaks TLS; the plain server moves to an internal loopback port.
        let identity = tls::generate()?;
        std::fs::write(ca_out, &identity.ca_pem).map_err(|e| format!("--tls-ca-out: {e}"))?;
        let inner = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("bind: {e}"))?;
        let inner_addr = inner.local_addr().map_err(|e| e.to_string())?;
        tls::spawn_front(listener, inner_addr, identity.config)?;
        listener = inner;
        base = format!("https://127.0.0.1:{port}");
    }
    let app = Arc::new(App {
        cfg,
        state: Mutex::new(state::State::default()),
        client: delivery::http_client(),
        base: base.clone(),
    });
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on {base}");
    let _ = out.flush();
    let handler: http::Handler = Arc::new(move |req| server::handle(&app, req));
    http::serve(listener, handler);
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]).map(|_| 0),
        Some("trigger") => trigger::run(&args[1..]),
        Some("delay-proxy") => delay_proxy::run(&args[1..]).map(|_| 0),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(0)
        }
        _ => Err("missing or unknown subcommand".to_string()),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("paybridge-sandbox: {e}\n{USAGE}");
            std::process::exit(2);
        }
    }
}
