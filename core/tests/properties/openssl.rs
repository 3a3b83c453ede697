//! Our HMAC agrees with `openssl dgst` on arbitrary keys and messages.

use super::*;

fn openssl_hmac_hex(key: &str, msg: &[u8]) -> String {
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-hmac", key])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl installed");
    child.stdin.take().unwrap().write_all(msg).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .rsplit("= ")
        .next()
        .unwrap()
        .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn our_hmac_agrees_with_openssl_on_random_inputs(key in "[A-Za-z0-9_]{1,64}", msg in proptest::collection::vec(any::<u8>(), 0..2048)) {
        prop_assert_eq!(sign(key.as_bytes(), &[&msg], Encoding::Hex), openssl_hmac_hex(&key, &msg));
    }
}
