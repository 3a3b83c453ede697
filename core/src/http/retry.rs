//! The retry policy of providers.md §0 as a pure function, so every branch is unit-tested:
//! retry connect errors, timeouts, 429 and 5xx at most `max_retries` times with capped, jittered
//! exponential backoff (base 200 ms, cap 2 s), honouring `Retry-After`; never other 4xx.
//!
//! README "Retries and idempotency": a failure before any byte of the request was sent
//! (`Outcome::NotSent`) is always safe to repeat. Anything after that may have reached the
//! provider: it is repeated only in `RetryMode::All` and only for requests that are idempotent
//! (a read, or a create carrying an Idempotency-Key the provider honours). Payrexx creates have no
//! idempotency (providers.md §P1/§P3) and always run as `RetryMode::Unsent`.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base: Duration,
    pub cap: Duration,
    /// A `Retry-After` longer than this is not waited for: the caller's own timeout would pass.
    pub max_retry_after: Duration,
    /// Config key `retry`: `"all"` (default, providers.md §0) or `"unsent"`.
    pub mode: RetryMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetryMode {
    /// Connect errors, timeouts, 429 and 5xx (providers.md §0).
    #[default]
    All,
    /// Only failures where no byte of the request was sent (nothing can have happened twice).
    Unsent,
}

impl RetryMode {
    pub fn parse(value: &str) -> Option<RetryMode> {
        match value {
            "all" => Some(RetryMode::All),
            "unsent" => Some(RetryMode::Unsent),
            _ => None,
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(10),
            mode: RetryMode::All,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The connection could not be made (refused, DNS, TLS handshake, connect timeout): no byte
    /// of the request left this process, so repeating it cannot do anything twice.
    NotSent,
    /// Timed out or the connection dropped after the request may have been sent: the provider
    /// may or may not have acted on it.
    NoResponse,
    Status {
        code: u16,
        retry_after: Option<Duration>,
    },
    /// An answer that repeating cannot improve (a redirect, an oversized body): never retried.
    Unusable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Retry(Duration),
    GiveUp,
}

impl RetryPolicy {
    /// `attempt` is the number of attempts already made (1 after the first). `jitter` is any
    /// random u64; it only picks a point in the upper half of the backoff window.
    pub fn decide(&self, attempt: u32, outcome: Outcome, jitter: u64) -> Decision {
        let retryable = match (self.mode, outcome) {
            (_, Outcome::NotSent) => true,
            (_, Outcome::Unusable) => false,
            (RetryMode::Unsent, Outcome::NoResponse | Outcome::Status { .. }) => false,
            (RetryMode::All, Outcome::NoResponse) => true,
            (RetryMode::All, Outcome::Status { code, .. }) => {
                code == 429 || (500..=599).contains(&code)
            }
        };
        if !retryable || attempt > self.max_retries {
            return Decision::GiveUp;
        }
        if let Outcome::Status {
            retry_after: Some(wait),
            ..
        } = outcome
        {
            if wait > self.max_retry_after {
                return Decision::GiveUp;
            }
            return Decision::Retry(wait);
        }
        let exp = self.base.saturating_mul(1u32 << (attempt - 1).min(16));
        let window = exp.min(self.cap).as_millis() as u64;
        let half = window / 2;
        Decision::Retry(Duration::from_millis(half + jitter % (half + 1)))
    }
}

/// `Retry-After` in delta-seconds form; the HTTP-date form is rare for APIs and is ignored.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn retries_server_errors_rate_limits_and_network_failures() {
        for o in [
            Outcome::NotSent,
            Outcome::NoResponse,
            Outcome::Status {
                code: 500,
                retry_after: None,
            },
            Outcome::Status {
                code: 503,
                retry_after: None,
            },
            Outcome::Status {
                code: 429,
                retry_after: None,
            },
        ] {
            assert!(matches!(p().decide(1, o, 0), Decision::Retry(_)), "{o:?}");
        }
    }

    #[test]
    fn never_retries_other_client_errors_or_success() {
        for code in [200, 201, 400, 401, 404, 409, 422] {
            let o = Outcome::Status {
                code,
                retry_after: None,
            };
            assert_eq!(p().decide(1, o, 0), Decision::GiveUp, "{code}");
        }
    }

    #[test]
    fn gives_up_after_max_retries() {
        let o = Outcome::NoResponse;
        assert!(matches!(p().decide(2, o, 0), Decision::Retry(_)));
        assert_eq!(p().decide(3, o, 0), Decision::GiveUp);
        let none = RetryPolicy {
            max_retries: 0,
            ..p()
        };
        assert_eq!(none.decide(1, o, 0), Decision::GiveUp);
    }

    #[test]
    fn backoff_grows_exponentially_within_the_jitter_window_and_is_capped() {
        let o = Outcome::NotSent;
        let many = RetryPolicy {
            max_retries: 10,
            ..p()
        };
        for (attempt, lo, hi) in [
            (1, 100, 200),
            (2, 200, 400),
            (3, 400, 800),
            (5, 1000, 2000),
            (9, 1000, 2000),
        ] {
            for jitter in [0u64, 1, 77, u64::MAX] {
                let Decision::Retry(d) = many.decide(attempt, o, jitter) else {
                    panic!()
                };
                let ms = d.as_millis() as u64;
                assert!((lo..=hi).contains(&ms), "attempt {attempt} gave {ms} ms");
            }
        }
    }

    #[test]
    fn unsent_mode_retries_only_failures_before_any_byte_was_sent() {
        let unsent = RetryPolicy {
            mode: RetryMode::Unsent,
            ..p()
        };
        assert!(matches!(
            unsent.decide(1, Outcome::NotSent, 0),
            Decision::Retry(_)
        ));
        for o in [
            Outcome::NoResponse,
            Outcome::Unusable,
            Outcome::Status {
                code: 503,
                retry_after: None,
            },
            Outcome::Status {
                code: 429,
                retry_after: Some(Duration::from_secs(1)),
            },
        ] {
            assert_eq!(unsent.decide(1, o, 0), Decision::GiveUp, "{o:?}");
        }
        assert_eq!(unsent.decide(3, Outcome::NotSent, 0), Decision::GiveUp);
    }

    #[test]
    fn an_unusable_answer_is_never_retried() {
        assert_eq!(p().decide(1, Outcome::Unusable, 0), Decision::GiveUp);
    }

    #[test]
    fn retry_mode_is_all_by_default_and_parses_only_known_values() {
        assert_eq!(p().mode, RetryMode::All);
        assert_eq!(RetryMode::parse("all"), Some(RetryMode::All));
        assert_eq!(RetryMode::parse("unsent"), Some(RetryMode::Unsent));
        assert_eq!(RetryMode::parse("none"), None);
        assert_eq!(RetryMode::parse("ALL"), None);
    }

    #[test]
    fn honours_retry_after_unless_it_is_longer_than_worth_waiting() {
        let o = Outcome::Status {
            code: 429,
            retry_after: Some(Duration::from_secs(1)),
        };
        assert_eq!(p().decide(1, o, 5), Decision::Retry(Duration::from_secs(1)));
        let o = Outcome::Status {
            code: 429,
            retry_after: Some(Duration::from_secs(60)),
        };
        assert_eq!(p().decide(1, o, 5), Decision::GiveUp);
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
