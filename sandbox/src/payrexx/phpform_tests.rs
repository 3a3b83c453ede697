use super::*;
use crate::util::verify_base64;

/// providers.md §P1 [3rd] known answers, secret `test-secret`.
const VECTORS: [(&str, &str); 5] = [
    (
        "model=Page&id=17",
        "zp8vWZDr2rL9gGz3TxuYoxR6/rZFt2mJrqkLj5cwgXI=",
    ),
    (
        "a=1&b=0&d=0",
        "IxQIzEIateU8B5sj05mbfBBRDXCxE0I5Rp4U059eEbU=",
    ),
    ("", "pBvG2B1kE1dq4JlJleCtiaQW7Jc4lRXDYE9HciEi7us="),
    (
        "purpose=Abo+Basis&title=a%26b%3Dc%2Bd&sym=%C3%A4%7E%21%2A%28%29",
        "LubCkW6b2BWdGfMH5+5mrWDSqIiX2KOGnisZDF7fr3I=",
    ),
    (
        "contact%5Bemail%5D=a%40b.ch&contact%5Bname%5D=Jane+Doe",
        "FtyH7rOrETdLP1b0OPxdwQFva0HAkWi9wa8+ajqSpoM=",
    ),
];

#[test]
fn verifies_every_known_answer_vector_after_a_parse_and_rebuild() {
    for (query, signature) in VECTORS {
        let rebuilt = build_query(&parse_form(query));
        assert_eq!(rebuilt, query, "rebuild of {query:?}");
        assert!(
            verify_base64(b"test-secret", rebuilt.as_bytes(), signature),
            "vector {query:?}"
        );
    }
}

#[test]
fn rejects_a_known_signature_with_another_secret() {
    let (query, signature) = VECTORS[0];
    assert!(!verify_base64(b"other", query.as_bytes(), signature));
}

#[test]
fn rebuilds_percent_twenty_spaces_as_plus() {
    let rebuilt = build_query(&parse_form(
        "purpose=Abo%20Basis&title=a%26b%3Dc%2Bd&sym=%C3%A4~!*()",
    ));
    assert_eq!(rebuilt, VECTORS[3].0);
}

#[test]
fn rebuilds_json_bodies_like_php_json_decode_then_http_build_query() {
    let params = parse_json(br#"{"a":true,"b":false,"c":null,"d":0}"#).expect("object");
    assert_eq!(build_query(&params), "a=1&b=0&d=0");
    let nested =
        parse_json(br#"{"contact":{"email":"a@b.ch","name":"Jane Doe"}}"#).expect("object");
    assert_eq!(build_query(&nested), VECTORS[4].0);
    let list = parse_json(br#"{"pm":["visa",null,"twint"]}"#).expect("object");
    assert_eq!(build_query(&list), "pm%5B0%5D=visa&pm%5B2%5D=twint");
    assert!(parse_json(b"[1]").is_none());
}

#[test]
fn parses_php_brackets_in_insertion_order() {
    let p = parse_form("b=1&fields%5Bemail%5D%5Bvalue%5D=x%40y.ch&pm[]=visa&pm[]=twint&b=2");
    assert_eq!(get_str(&p, "b"), Some("2"));
    assert_eq!(p[0].0, "b", "an overwritten key keeps its first position");
    assert_eq!(
        build_query(&p),
        "b=2&fields%5Bemail%5D%5Bvalue%5D=x%40y.ch&pm%5B0%5D=visa&pm%5B1%5D=twint"
    );
}
