//! Unit tests of money.rs: ISO exponents, parsing, formatting, bounds.

use super::*;

fn eur() -> Currency {
    Currency::from_code("EUR").unwrap()
}

#[test]
fn table_is_sorted_and_unique_so_binary_search_is_valid() {
    assert!(ISO_4217.windows(2).all(|w| w[0].0 < w[1].0));
}

#[test]
fn knows_exponents_of_zero_two_three_and_four_decimal_currencies() {
    for (code, exp) in [("JPY", 0), ("EUR", 2), ("KWD", 3), ("CLF", 4), ("usd", 2)] {
        assert_eq!(Currency::from_code(code).unwrap().exponent(), exp, "{code}");
    }
}

#[test]
fn rejects_unknown_or_malformed_currency_codes() {
    for code in ["XXX", "EU", "EURO", "", " EUR", "€€€", "E1R"] {
        assert_eq!(
            Currency::from_code(code).unwrap_err().code(),
            "unsupported_currency"
        );
    }
}

#[test]
fn parses_decimal_strings_into_exact_minor_units() {
    assert_eq!(Money::parse("12.50", eur()).unwrap().minor(), 1250);
    assert_eq!(Money::parse("12.5", eur()).unwrap().minor(), 1250);
    assert_eq!(Money::parse("12", eur()).unwrap().minor(), 1200);
    assert_eq!(Money::parse("0.01", eur()).unwrap().minor(), 1);
    let jpy = Currency::from_code("JPY").unwrap();
    assert_eq!(Money::parse("1000", jpy).unwrap().minor(), 1000);
    let kwd = Currency::from_code("KWD").unwrap();
    assert_eq!(Money::parse("1.234", kwd).unwrap().minor(), 1234);
}

#[test]
fn rejects_every_bad_amount_of_the_common_rules() {
    let bad = [
        "-1.00",
        "1.005",
        "1e3",
        "1E3",
        " 1.00",
        "1.00 ",
        "1,00",
        "+1",
        "",
        ".5",
        "1.",
        "01.00",
        "0x10",
        "NaN",
        "inf",
        "1.0.0",
        "١٢",
        "99999999999999999999",
    ];
    for s in bad {
        let err = Money::parse_payment(s, eur()).unwrap_err();
        assert_eq!(err.code(), "invalid_amount", "{s:?}");
    }
    assert_eq!(
        Money::parse_payment("0.00", eur()).unwrap_err().code(),
        "invalid_amount"
    );
    assert_eq!(
        Money::parse("1.5", Currency::from_code("JPY").unwrap())
            .unwrap_err()
            .code(),
        "invalid_amount"
    );
}

#[test]
fn accepts_the_largest_amount_that_fits_and_rejects_one_more() {
    assert_eq!(
        Money::parse("92233720368547758.07", eur()).unwrap().minor(),
        i64::MAX
    );
    assert!(Money::parse("92233720368547758.08", eur()).is_err());
}

#[test]
fn formats_with_the_currency_exponent() {
    assert_eq!(Money::from_minor(1250, eur()).to_decimal(), "12.50");
    assert_eq!(Money::from_minor(5, eur()).to_decimal(), "0.05");
    assert_eq!(
        Money::from_minor(1000, Currency::from_code("JPY").unwrap()).to_decimal(),
        "1000"
    );
    assert_eq!(
        Money::from_minor(1005, Currency::from_code("KWD").unwrap()).to_decimal(),
        "1.005"
    );
    assert_eq!(Money::from_minor(-250, eur()).to_decimal(), "-2.50");
}

#[test]
fn provider_decimals_may_carry_trailing_zeros_but_not_extra_digits() {
    assert_eq!(
        Money::parse_provider("15.990", eur()).unwrap().minor(),
        1599
    );
    assert_eq!(
        Money::parse_provider("100.000", Currency::from_code("JPY").unwrap())
            .unwrap()
            .minor(),
        100
    );
    assert!(Money::parse_provider("15.991", eur()).is_err());
}

#[test]
fn provider_decimals_with_multibyte_characters_are_invalid_amounts_not_panics() {
    // A multi-byte character right after the exponent's digits: cutting the string by byte
    // position there would split 'é' and panic; it must be an invalid amount.
    let eur = eur();
    let jpy = Currency::from_code("JPY").unwrap();
    for s in [
        "1.1é",
        "12.5€",
        "1.€",
        "1.é0",
        "0.0\u{200b}",
        "1.00\u{202e}",
        "١.٢٣٤",
        "1.😀",
        "😀.00",
        "1.0\0",
        "\u{0}",
        "é",
        ".é",
        "1.1\u{301}",
    ] {
        for c in [eur, jpy, Currency::from_code("KWD").unwrap()] {
            let err = Money::parse_provider(s, c).unwrap_err();
            assert_eq!(err.code(), "invalid_amount", "{s:?} {}", c.code());
        }
    }
}
