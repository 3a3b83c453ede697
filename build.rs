//! Build metadata for `php --ri paybridge`: git revision, profile and the PHP API number the
//! `.so` was built against (a `.so` only loads into that PHP API).

use std::process::Command;

fn run(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    // PAYBRIDGE_GIT_REV: set by scripts/release for builds inside a Debian root that has no git
    // (or no access to the clone's .git); otherwise asked from git.
    let rev = std::env::var("PAYBRIDGE_GIT_REV")
        .ok()
        .filter(|r| !r.is_empty())
        .or_else(|| run("git", &["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    let php_config = std::env::var("PHP_CONFIG").unwrap_or_else(|_| "php-config".into());
    let api = run(&php_config, &["--phpapi"]).unwrap_or_else(|| "unknown".into());
    let php_version = run(&php_config, &["--version"]).unwrap_or_else(|| "unknown".into());
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=PAYBRIDGE_GIT_REV={rev}");
    println!("cargo:rustc-env=PAYBRIDGE_PHP_API={api}");
    println!("cargo:rustc-env=PAYBRIDGE_PHP_VERSION={php_version}");
    println!("cargo:rustc-env=PAYBRIDGE_PROFILE={profile}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-env-changed=PHP_CONFIG");
    println!("cargo:rerun-if-env-changed=PAYBRIDGE_GIT_REV");
}
