//! The HTTP side of a sync: one request at a time, at least `delay` apart, each
//! with a timeout and a limit on the size of its body (after any gzip
//! decoding), retried with exponential backoff on a timeout, a dropped or cut
//! connection, HTTP 429 or 5xx, and on a body that fails its check.

use std::time::{Duration, Instant};

use crate::{Error, Result};

/// How the client talks to the API.
#[derive(Clone, Debug)]
pub(crate) struct ClientOptions {
    pub base_url: String,
    pub timeout: Duration,
    pub retries: u32,
    pub backoff: Duration,
    pub delay: Duration,
    pub max_bytes: u64,
}

/// A retry about to happen, for progress reports.
#[derive(Debug)]
pub struct Retry<'a> {
    /// The address asked.
    pub url: &'a str,
    /// The attempt that failed (1 for the first).
    pub attempt: u32,
    /// How many attempts there will be at most.
    pub attempts: u32,
    /// How long the client waits before the next.
    pub wait: Duration,
    /// What went wrong.
    pub error: &'a str,
}

/// A request that failed for good.
#[derive(Debug)]
pub(crate) struct Failure {
    pub url: String,
    pub message: String,
    /// HTTP 404: the API has no such thing (not worth asking again).
    pub not_found: bool,
}

impl Failure {
    pub(crate) fn into_error(self) -> Error {
        Error::Fetch {
            url: self.url,
            message: self.message,
        }
    }
}

/// What one attempt came to.
enum Attempt {
    /// Worth another try, after at least this long (a `Retry-After`).
    Again(String, Option<Duration>),
    /// Not worth another (404, other 4xx, a body over the limit).
    Final(String, bool),
}

/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

pub(crate) struct Client {
    agent: ureq::Agent,
    options: ClientOptions,
    last: Option<Instant>,
}

impl Client {
    pub(crate) fn new(options: ClientOptions) -> Result<Client> {
        let base = options.base_url.trim_end_matches('/');
        let Some(rest) = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
        else {
            return Err(Error::Invalid(format!(
                "--base-url {base:?}: not an http:// or https:// address"
            )));
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() {
            return Err(Error::Invalid(format!("--base-url {base:?}: no host")));
        }
        // A loopback server (the tests') is never reached through a proxy.
        let loopback = ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .any(|h| host == *h || host.starts_with(&format!("{h}:")));
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .user_agent(concat!(
                "frontline/",
                env!("CARGO_PKG_VERSION"),
                " (frontline sync)"
            ));
        if loopback {
            config = config.proxy(None);
        }
        let agent: ureq::Agent = config.build().into();
        Ok(Client {
            agent,
            options: ClientOptions {
                base_url: base.to_string(),
                ..options
            },
            last: None,
        })
    }

    /// `{base}{path}`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.options.base_url)
    }

    /// GETs `url` until `check` accepts its body, or the attempts run out.
    pub(crate) fn fetch<T>(
        &mut self,
        url: &str,
        check: impl Fn(&[u8]) -> std::result::Result<T, String>,
        on_retry: &mut dyn FnMut(&Retry<'_>),
    ) -> std::result::Result<T, Failure> {
        let attempts = self.options.retries + 1;
        let mut attempt = 1;
        loop {
            let (message, after) = match self.attempt(url) {
                Ok(body) => match check(&body) {
                    Ok(value) => return Ok(value),
                    Err(why) => (format!("{why} ({} bytes)", body.len()), None),
                },
                Err(Attempt::Again(message, after)) => (message, after),
                Err(Attempt::Final(message, not_found)) => {
                    return Err(Failure {
                        url: url.to_string(),
                        message,
                        not_found,
                    });
                }
            };
            if attempt >= attempts {
                let tries = if attempts == 1 {
                    String::new()
                } else {
                    format!(" (after {attempts} attempts)")
                };
                return Err(Failure {
                    url: url.to_string(),
                    message: format!("{message}{tries}"),
                    not_found: false,
                });
            }
            let backoff = self
                .options
                .backoff
                .saturating_mul(1 << (attempt - 1).min(16));
            let wait = backoff.max(after.unwrap_or_default().min(MAX_RETRY_AFTER));
            on_retry(&Retry {
                url,
                attempt,
                attempts,
                wait,
                error: &message,
            });
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    /// One GET, at least `delay` after the previous one.
    fn attempt(&mut self, url: &str) -> std::result::Result<Vec<u8>, Attempt> {
        if let Some(last) = self.last {
            let since = last.elapsed();
            if since < self.options.delay {
                std::thread::sleep(self.options.delay - since);
            }
        }
        self.last = Some(Instant::now());
        let mut response = self
            .agent
            .get(url)
            .header("Accept", "application/json")
            .call()
            .map_err(|e| transport(&e, self.options.timeout))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        match status {
            200..=299 => {}
            404 => return Err(Attempt::Final("HTTP 404 Not Found".into(), true)),
            429 | 500..=599 => {
                return Err(Attempt::Again(format!("HTTP {status}"), retry_after));
            }
            _ => return Err(Attempt::Final(format!("HTTP {status}"), false)),
        }
        let max = self.options.max_bytes;
        response
            .body_mut()
            .with_config()
            .limit(max)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Attempt::Final(
                    format!(
                        "the body is larger than {} MB (after any gzip decoding): refused",
                        max / 1_000_000
                    ),
                    false,
                ),
                e => match transport(&e, self.options.timeout) {
                    Attempt::Again(m, a) => Attempt::Again(format!("body cut short: {m}"), a),
                    other => other,
                },
            })
    }
}

/// A failure below HTTP: worth another try (a timeout, a refused or dropped
/// connection, a cut body, a name not resolved while the network is down),
/// except an address that cannot be parsed.
fn transport(error: &ureq::Error, timeout: Duration) -> Attempt {
    match error {
        ureq::Error::Timeout(_) => Attempt::Again(
            format!("timed out after {:.1} s", timeout.as_secs_f64()),
            None,
        ),
        ureq::Error::BadUri(_) => Attempt::Final(error.to_string(), false),
        _ => Attempt::Again(error.to_string(), None),
    }
}
