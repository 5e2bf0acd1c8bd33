//! Configuration, read once from the environment into one typed [`Config`].
//!
//! Every variable is documented in `docs/operations.md`. A missing or malformed value is a
//! [`ConfigError`] naming the variable; `main` prints it as one line and exits with code 2.

use std::{fmt, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use helpdesk_types::tickets::Priority;
use rand::RngCore;

/// Where the server runs. Production refuses insecure defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Log line format on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A value that must never appear in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where attachments are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageLocation {
    /// A local directory, never served statically.
    Directory(PathBuf),
    /// An S3-compatible bucket (`s3://bucket/prefix`), credentials from the usual AWS variables.
    S3 { bucket: String, prefix: String },
}

/// hCaptcha settings; the captcha is only enforced when a secret is configured.
#[derive(Debug, Clone)]
pub struct Captcha {
    pub sitekey: Option<String>,
    pub secret: Option<Secret>,
    pub verify_url: String,
}

/// Retention periods and session lifetimes (P2, P4, P7, P8, P10, P11, P15).
#[derive(Debug, Clone)]
pub struct Policies {
    pub access_token_ttl: Duration,
    pub session_idle_timeout: Duration,
    pub session_max_lifetime: Duration,
    /// How long the last used refresh token may be presented again (two tabs refreshing at once).
    pub refresh_grace: Duration,
    pub login_failures_per_account: u32,
    pub login_failures_per_ip: u32,
    pub login_failure_window: Duration,
    pub password_reset_ttl: Duration,
    pub invitation_ttl: Duration,
    /// Requests per minute and client IP on the unauthenticated auth endpoints.
    pub auth_requests_per_minute: u32,
    /// Registrations per client IP and hour before a captcha is asked for (or, without one, 429).
    pub registrations_per_ip_hour: u32,
    /// Password-reset mails per address and hour.
    pub reset_mails_per_address_hour: u32,
    /// Verification links one account may ask for again per hour.
    pub verification_resends_per_hour: u32,
    /// Wrong `current_password` answers per account and hour before 429.
    pub wrong_current_password_per_hour: u32,
    pub email_log_retention_days: u32,
    pub request_log_retention_days: u32,
    pub auto_close_resolved_after_days: u32,
    pub inactive_account_deletion_days: u32,
    pub inactive_account_warning_days: u32,
    pub audit_log_retention_days: u32,
    /// Contact-form tickets are deleted this long after closing (P14).
    pub contact_retention_days: u32,
    /// A pending ticket's requester is reminded after this many days, and again after each
    /// further period.
    pub pending_reminder_days: u32,
    /// A pending ticket without an answer is resolved after this many days.
    pub pending_auto_resolve_days: u32,
    /// Seconds between runs of every scheduled job, overriding each job's own schedule (tests
    /// and demos); `None` in production.
    pub job_interval_override: Option<u64>,
}

/// The highest priority customers of each contract tier may choose.
#[derive(Debug, Clone, Copy)]
pub struct PriorityCaps {
    pub none: helpdesk_types::tickets::Priority,
    pub standard: helpdesk_types::tickets::Priority,
    pub premium: helpdesk_types::tickets::Priority,
}

impl PriorityCaps {
    pub fn for_tier(&self, tier: helpdesk_types::organizations::ContractTier) -> helpdesk_types::tickets::Priority {
        use helpdesk_types::organizations::ContractTier;
        match tier {
            ContractTier::None => self.none,
            ContractTier::Standard => self.standard,
            ContractTier::Premium => self.premium,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub database_url: Secret,
    pub bind: SocketAddr,
    pub public_url: String,
    pub jwt_secret: Secret,
    /// Earlier secrets still accepted for verifying access tokens while keys rotate.
    pub jwt_previous_secrets: Vec<Secret>,
    /// True when no secret was configured and a random one was generated for this process.
    pub jwt_secret_generated: bool,
    pub smtp_url: Option<Secret>,
    /// After SIGTERM, how long `/health/ready` answers 503 while requests are still served, so a
    /// load balancer stops sending new ones before the instance stops accepting.
    pub shutdown_drain: std::time::Duration,
    /// Bearer token for `GET /metrics`; unset: no metrics are served.
    pub metrics_token: Option<Secret>,
    /// Emails sent at once, each over a pooled SMTP connection of its own.
    pub smtp_connections: u32,
    pub mail_dir: PathBuf,
    pub mail_from: String,
    pub storage: StorageLocation,
    pub max_upload_bytes: u64,
    /// What one account may upload within 24 hours.
    pub upload_quota_bytes_per_day: u64,
    pub captcha: Captcha,
    pub bcrypt_cost: u32,
    /// Password hashes that may wait for a core; more get a 503.
    pub bcrypt_queue: usize,
    pub web_dir: PathBuf,
    pub log_format: LogFormat,
    /// Request logs also go to daily files here, deleted after their retention (P10).
    pub log_dir: Option<PathBuf>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (see `middleware::client_ip`).
    pub trusted_proxies: crate::middleware::TrustedProxies,
    /// Connections per instance (default [`default_pool_size`]).
    pub db_pool_size: u32,
    pub policies: Policies,
    pub priority_caps: PriorityCaps,
    /// Staff must set up two-factor sign-in before anything else.
    pub require_2fa_for_staff: bool,
    /// Agents and customers may create API tokens for their own account (admins always may).
    pub user_api_tokens: bool,
    /// Webhooks may reach private and loopback addresses (tests, on-premises receivers).
    pub webhook_allow_private: bool,
    /// Requests per minute per API token or per signed-in person, across all instances.
    pub rate_limit_per_minute: u32,
    /// Inbound email (#14): the mailbox to poll, and which folders go to which category.
    pub inbound: Inbound,
}

/// Mail to the support address (`inbound`).
#[derive(Debug, Clone)]
pub struct Inbound {
    /// `imaps://user:password@host:993/INBOX`, or `imap://` (STARTTLS; plain only to loopback).
    pub imap_url: Option<Secret>,
    /// Folders of that account polled besides the URL's, each with the category its tickets
    /// get: `HELPDESK_IMAP_MAILBOXES="INBOX=Support;Billing=Billing"`.
    pub mailboxes: Vec<(String, Option<String>)>,
    /// New tickets one sender may open by mail per hour; more go to the `Failed` folder.
    pub max_per_sender_per_hour: u32,
    /// How long the original message (`original.eml`, staff-only) is kept.
    pub raw_email_retention_days: u32,
    /// Seconds between polls when the server does not offer IDLE (and the longest IDLE).
    pub poll_seconds: u64,
}

/// A configuration variable that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {var} {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

/// Reads variables by name; the process environment in production, a map in tests.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Source for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl<const N: usize> Source for [(&str, &str); N] {
    fn get(&self, name: &str) -> Option<String> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }
}

impl Source for Vec<(&str, &str)> {
    fn get(&self, name: &str) -> Option<String> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }
}

fn inbound(r: &Reader<'_>) -> Result<Inbound, ConfigError> {
    let imap_url = match r.raw("HELPDESK_IMAP_URL") {
        None => None,
        Some(url) if url.starts_with("imaps://") || url.starts_with("imap://") => Some(Secret::new(url)),
        Some(_) => {
            return Err(ConfigError { var: "HELPDESK_IMAP_URL", problem: "must be an imaps:// or imap:// URL".into() });
        }
    };
    let mailboxes = r
        .raw("HELPDESK_IMAP_MAILBOXES")
        .map(|v| {
            v.split(';')
                .filter(|e| !e.trim().is_empty())
                .map(|entry| match entry.split_once('=') {
                    Some((folder, category)) => (folder.trim().to_owned(), Some(category.trim().to_owned())),
                    None => (entry.trim().to_owned(), None),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Inbound {
        imap_url,
        mailboxes,
        max_per_sender_per_hour: r.ranged("HELPDESK_INBOUND_MAX_PER_SENDER_PER_HOUR", 20, 1..=100_000)?,
        raw_email_retention_days: r.ranged("HELPDESK_RAW_EMAIL_RETENTION_DAYS", 30, 1..=3650)?,
        poll_seconds: u64::from(r.ranged("HELPDESK_IMAP_POLL_SECONDS", 60, 1..=3600)?),
    })
}

struct Reader<'a>(&'a dyn Source);

impl Reader<'_> {
    /// The value, with empty strings treated as unset.
    fn raw(&self, var: &str) -> Option<String> {
        self.0.get(var).filter(|v| !v.trim().is_empty())
    }

    fn required(&self, var: &'static str) -> Result<String, ConfigError> {
        self.raw(var).ok_or_else(|| ConfigError { var, problem: "is not set".into() })
    }

    fn parsed<T: FromStr>(&self, var: &'static str, default: T, expected: &str) -> Result<T, ConfigError> {
        match self.raw(var) {
            None => Ok(default),
            Some(v) => {
                v.trim().parse().map_err(|_| ConfigError { var, problem: format!("must be {expected}, got {v:?}") })
            }
        }
    }

    fn ranged(
        &self,
        var: &'static str,
        default: u32,
        range: std::ops::RangeInclusive<u32>,
    ) -> Result<u32, ConfigError> {
        let expected = format!("a whole number from {} to {}", range.start(), range.end());
        let value = self.parsed(var, default, &expected)?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(ConfigError { var, problem: format!("must be {expected}, got {value}") })
        }
    }

    fn minutes(&self, var: &'static str, default: u32) -> Result<Duration, ConfigError> {
        Ok(Duration::from_secs(u64::from(self.ranged(var, default, 1..=525_600)?) * 60))
    }
}

/// `HELPDESK_JWT_PREVIOUS_SECRETS`: keys still accepted while they rotate; each as long as a
/// current one must be.
fn previous_secrets(r: &Reader<'_>) -> Result<Vec<Secret>, ConfigError> {
    let list = r.raw("HELPDESK_JWT_PREVIOUS_SECRETS").unwrap_or_default();
    let secrets: Vec<&str> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if secrets.iter().any(|s| s.len() < 32) {
        return Err(ConfigError {
            var: "HELPDESK_JWT_PREVIOUS_SECRETS",
            problem: "must list secrets of at least 32 characters each".into(),
        });
    }
    Ok(secrets.into_iter().map(|s| Secret::new(s.to_owned())).collect())
}

/// `HELPDESK_TRUSTED_PROXIES`: a comma-separated list of proxy addresses or CIDRs. The old
/// all-or-nothing `HELPDESK_TRUST_PROXY` let any client choose its address; it is refused with a
/// pointer to the replacement.
fn trusted_proxies(r: &Reader<'_>) -> Result<crate::middleware::TrustedProxies, ConfigError> {
    if r.raw("HELPDESK_TRUST_PROXY").is_some() {
        return Err(ConfigError {
            var: "HELPDESK_TRUST_PROXY",
            problem: "is replaced by HELPDESK_TRUSTED_PROXIES (the addresses or CIDRs of your reverse proxies)".into(),
        });
    }
    let list = r.raw("HELPDESK_TRUSTED_PROXIES").unwrap_or_default();
    let cidrs = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<Vec<_>, String>>()
        .map_err(|problem| ConfigError { var: "HELPDESK_TRUSTED_PROXIES", problem })?;
    Ok(crate::middleware::TrustedProxies(cidrs))
}

impl Config {
    /// Reads the whole configuration. `DATABASE_URL` is required; everything else has a default.
    pub fn from_env(source: &dyn Source) -> Result<Self, ConfigError> {
        let r = Reader(source);
        let environment = match r.raw("HELPDESK_ENV").as_deref().map(str::trim) {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(ConfigError {
                    var: "HELPDESK_ENV",
                    problem: format!("must be development or production, got {other:?}"),
                });
            }
        };
        let database_url = r.required("DATABASE_URL")?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError {
                var: "DATABASE_URL",
                problem: "must be a postgres:// or postgresql:// URL".into(),
            });
        }
        let bind: SocketAddr =
            r.parsed("HELPDESK_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)), "an address like 127.0.0.1:8080")?;
        let public_url = match r.raw("HELPDESK_PUBLIC_URL") {
            None => format!("http://{bind}"),
            Some(url) => parse_public_url(&url)?,
        };
        let (jwt_secret, jwt_secret_generated) = match r.raw("HELPDESK_JWT_SECRET") {
            Some(s) if s.len() >= 32 => (Secret::new(s), false),
            Some(_) => {
                return Err(ConfigError {
                    var: "HELPDESK_JWT_SECRET",
                    problem: "must be at least 32 characters long".into(),
                });
            }
            None if environment == Environment::Production => {
                return Err(ConfigError {
                    var: "HELPDESK_JWT_SECRET",
                    problem: "is not set (required with HELPDESK_ENV=production)".into(),
                });
            }
            None => (Secret::new(random_secret()), true),
        };
        if environment == Environment::Production && !public_url.starts_with("https://") {
            return Err(ConfigError {
                var: "HELPDESK_PUBLIC_URL",
                problem: "must be an https:// URL in production (sessions would lose their Secure cookie and HSTS)"
                    .into(),
            });
        }
        let smtp_url = match r.raw("HELPDESK_SMTP_URL") {
            None if environment == Environment::Production => {
                return Err(ConfigError {
                    var: "HELPDESK_SMTP_URL",
                    problem: "is not set (required in production: without it, mail with reset links would only be written to files)".into(),
                });
            }
            None => None,
            Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => Some(Secret::new(url)),
            Some(_) => {
                return Err(ConfigError {
                    var: "HELPDESK_SMTP_URL",
                    problem: "must be an smtp:// or smtps:// URL".into(),
                });
            }
        };
        let mail_from = r.raw("HELPDESK_MAIL_FROM").unwrap_or_else(|| "Helpdesk <helpdesk@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError {
                var: "HELPDESK_MAIL_FROM",
                problem: format!("must be an address like 'Helpdesk <help@example.com>', got {mail_from:?}"),
            });
        }
        let storage = match r.raw("HELPDESK_STORAGE") {
            None => StorageLocation::Directory(PathBuf::from(".data/attachments")),
            Some(s) => parse_storage(&s)?,
        };
        let captcha = Captcha {
            sitekey: r.raw("HELPDESK_HCAPTCHA_SITEKEY"),
            secret: r.raw("HELPDESK_HCAPTCHA_SECRET").map(Secret::new),
            verify_url: match r.raw("HELPDESK_HCAPTCHA_VERIFY_URL") {
                None => "https://api.hcaptcha.com/siteverify".into(),
                Some(u) if u.starts_with("http://") || u.starts_with("https://") => u,
                Some(_) => {
                    return Err(ConfigError {
                        var: "HELPDESK_HCAPTCHA_VERIFY_URL",
                        problem: "must be an http:// or https:// URL".into(),
                    });
                }
            },
        };
        let log_format = match r.raw("HELPDESK_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    var: "HELPDESK_LOG_FORMAT",
                    problem: format!("must be text or json, got {other:?}"),
                });
            }
        };
        Ok(Self {
            environment,
            database_url: Secret::new(database_url),
            bind,
            public_url,
            jwt_secret,
            jwt_secret_generated,
            jwt_previous_secrets: previous_secrets(&r)?,
            smtp_url,
            mail_dir: r.raw("HELPDESK_MAIL_DIR").map_or_else(|| PathBuf::from(".data/mail"), PathBuf::from),
            mail_from,
            storage,
            max_upload_bytes: r.parsed("HELPDESK_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, "a number of bytes")?,
            upload_quota_bytes_per_day: u64::from(r.ranged("HELPDESK_UPLOAD_QUOTA_MB_PER_DAY", 200, 1..=1_000_000)?)
                * 1024
                * 1024,
            captcha,
            bcrypt_cost: r.ranged("HELPDESK_BCRYPT_COST", 12, 4..=31)?,
            bcrypt_queue: r.ranged("HELPDESK_BCRYPT_QUEUE", 64, 0..=100_000)? as usize,
            web_dir: r.raw("HELPDESK_WEB_DIR").map_or_else(|| PathBuf::from("web-ui/dist"), PathBuf::from),
            log_format,
            log_dir: r.raw("HELPDESK_LOG_DIR").map(PathBuf::from),
            trusted_proxies: trusted_proxies(&r)?,
            db_pool_size: r.ranged("HELPDESK_DB_POOL_SIZE", default_pool_size(), 1..=200)?,
            metrics_token: r.raw("HELPDESK_METRICS_TOKEN").filter(|t| !t.is_empty()).map(Secret::new),
            shutdown_drain: std::time::Duration::from_secs(
                r.ranged("HELPDESK_SHUTDOWN_DRAIN_SECONDS", 0, 0..=300)?.into(),
            ),
            smtp_connections: r.ranged("HELPDESK_SMTP_CONNECTIONS", 8, 1..=100)?,
            require_2fa_for_staff: r.parsed("HELPDESK_REQUIRE_2FA_FOR_STAFF", false, "true or false")?,
            user_api_tokens: r.parsed("HELPDESK_USER_API_TOKENS", false, "true or false")?,
            webhook_allow_private: r.parsed("HELPDESK_WEBHOOK_ALLOW_PRIVATE", false, "true or false")?,
            rate_limit_per_minute: r.ranged("HELPDESK_RATE_LIMIT_PER_MINUTE", 6000, 1..=10_000_000)?,
            inbound: inbound(&r)?,
            priority_caps: PriorityCaps {
                none: r.parsed(
                    "HELPDESK_CUSTOMER_MAX_PRIORITY_NONE",
                    Priority::Normal,
                    "low, normal, high or urgent",
                )?,
                standard: r.parsed(
                    "HELPDESK_CUSTOMER_MAX_PRIORITY_STANDARD",
                    Priority::High,
                    "low, normal, high or urgent",
                )?,
                premium: r.parsed(
                    "HELPDESK_CUSTOMER_MAX_PRIORITY_PREMIUM",
                    Priority::Urgent,
                    "low, normal, high or urgent",
                )?,
            },
            policies: Policies {
                access_token_ttl: r.minutes("HELPDESK_ACCESS_TOKEN_MINUTES", 15)?,
                session_idle_timeout: r.minutes("HELPDESK_SESSION_IDLE_MINUTES", 30)?,
                session_max_lifetime: r.minutes("HELPDESK_SESSION_MAX_MINUTES", 12 * 60)?,
                refresh_grace: Duration::from_secs(r.ranged("HELPDESK_REFRESH_GRACE_SECONDS", 30, 0..=300)?.into()),
                login_failures_per_account: r.ranged("HELPDESK_LOGIN_FAILURES_PER_ACCOUNT", 5, 1..=1000)?,
                login_failures_per_ip: r.ranged("HELPDESK_LOGIN_FAILURES_PER_IP", 20, 1..=100_000)?,
                login_failure_window: r.minutes("HELPDESK_LOGIN_FAILURE_WINDOW_MINUTES", 60)?,
                password_reset_ttl: r.minutes("HELPDESK_PASSWORD_RESET_MINUTES", 60)?,
                invitation_ttl: r.minutes("HELPDESK_INVITATION_MINUTES", 7 * 24 * 60)?,
                auth_requests_per_minute: r.ranged("HELPDESK_AUTH_RATE_PER_MINUTE", 60, 1..=100_000)?,
                registrations_per_ip_hour: r.ranged("HELPDESK_REGISTRATIONS_PER_IP_HOUR", 10, 1..=100_000)?,
                reset_mails_per_address_hour: r.ranged("HELPDESK_RESET_MAILS_PER_HOUR", 3, 1..=1000)?,
                verification_resends_per_hour: r.ranged("HELPDESK_VERIFICATION_RESENDS_PER_HOUR", 3, 1..=1000)?,
                wrong_current_password_per_hour: r.ranged("HELPDESK_WRONG_PASSWORD_PER_HOUR", 5, 1..=1000)?,
                email_log_retention_days: r.ranged("HELPDESK_EMAIL_LOG_RETENTION_DAYS", 30, 1..=3650)?,
                request_log_retention_days: r.ranged("HELPDESK_REQUEST_LOG_RETENTION_DAYS", 90, 1..=3650)?,
                auto_close_resolved_after_days: r.ranged("HELPDESK_AUTO_CLOSE_DAYS", 30, 1..=3650)?,
                inactive_account_deletion_days: r.ranged("HELPDESK_INACTIVE_ACCOUNT_DAYS", 730, 30..=36500)?,
                inactive_account_warning_days: r.ranged("HELPDESK_INACTIVE_ACCOUNT_WARNING_DAYS", 30, 1..=365)?,
                audit_log_retention_days: r.ranged("HELPDESK_AUDIT_LOG_RETENTION_DAYS", 3 * 365, 30..=36500)?,
                contact_retention_days: r.ranged("HELPDESK_CONTACT_RETENTION_DAYS", 180, 1..=36500)?,
                pending_reminder_days: r.ranged("HELPDESK_PENDING_REMINDER_DAYS", 3, 1..=365)?,
                pending_auto_resolve_days: r.ranged("HELPDESK_PENDING_AUTO_RESOLVE_DAYS", 14, 1..=3650)?,
                job_interval_override: match r.ranged("HELPDESK_JOB_INTERVAL_SECONDS", 0, 0..=86_400)? {
                    0 => None,
                    n => Some(n.into()),
                },
            },
        })
    }

    /// Whether clients reach us over TLS (enables HSTS and `Secure` cookies).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

fn parse_public_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(trimmed.to_owned()),
        _ => Err(ConfigError {
            var: "HELPDESK_PUBLIC_URL",
            problem: format!("must be an http:// or https:// URL, got {url:?}"),
        }),
    }
}

fn parse_storage(value: &str) -> Result<StorageLocation, ConfigError> {
    if let Some(rest) = value.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(ConfigError {
                var: "HELPDESK_STORAGE",
                problem: "names no bucket (s3://bucket/prefix)".into(),
            });
        }
        return Ok(StorageLocation::S3 { bucket: bucket.into(), prefix: prefix.trim_matches('/').into() });
    }
    if value.contains("://") {
        return Err(ConfigError {
            var: "HELPDESK_STORAGE",
            problem: format!("must be a directory or an s3:// URL, got {value:?}"),
        });
    }
    Ok(StorageLocation::Directory(PathBuf::from(value)))
}

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Two database connections per CPU core, at least four. More connections than the cores can
/// serve do not add throughput; they add waiting inside PostgreSQL instead of in the pool, where
/// a query that was switched out mid-way stretches the slowest answers (measured on 2 cores at 16
/// concurrent reads: p99 about 12 ms with 4 connections, 14-80 ms with 10, the same throughput).
fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    u32::try_from(cores * 2).unwrap_or(200).clamp(4, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DB: (&str, &str) = ("DATABASE_URL", "postgres://localhost/helpdesk");

    #[test]
    fn defaults_apply_when_only_the_database_is_set() {
        let config = Config::from_env(&[DB]).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert!(config.jwt_secret_generated);
        assert_eq!(config.max_upload_bytes, 5_242_880);
        assert_eq!(config.bcrypt_cost, 12);
        assert_eq!(config.policies.session_idle_timeout, Duration::from_secs(30 * 60));
        assert_eq!(config.storage, StorageLocation::Directory(".data/attachments".into()));
    }

    #[test]
    fn a_missing_database_url_names_the_variable() {
        let err = Config::from_env(&[("HELPDESK_BIND", "127.0.0.1:1")]).unwrap_err();
        assert_eq!(err.var, "DATABASE_URL");
        assert_eq!(err.to_string(), "configuration error: DATABASE_URL is not set");
    }

    #[test]
    fn malformed_values_name_their_variable() {
        let cases: [(&str, &str); 8] = [
            ("HELPDESK_BIND", "localhost"),
            ("HELPDESK_PUBLIC_URL", "ftp://x"),
            ("HELPDESK_SMTP_URL", "mail.example.com"),
            ("HELPDESK_BCRYPT_COST", "3"),
            ("HELPDESK_MAIL_FROM", "not an address"),
            ("HELPDESK_STORAGE", "gs://bucket"),
            ("HELPDESK_ENV", "staging"),
            ("HELPDESK_JWT_SECRET", "short"),
        ];
        for (var, value) in cases {
            let err = Config::from_env(&[DB, (var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{value}");
        }
    }

    #[test]
    fn production_requires_a_jwt_secret() {
        let err = Config::from_env(&[DB, ("HELPDESK_ENV", "production")]).unwrap_err();
        assert_eq!(err.var, "HELPDESK_JWT_SECRET");
    }

    #[test]
    fn production_refuses_unsafe_settings() {
        let secret = "s".repeat(32);
        let base = [DB, ("HELPDESK_ENV", "production"), ("HELPDESK_JWT_SECRET", secret.as_str())];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut vars: Vec<(&str, &str)> = base.to_vec();
            vars.extend_from_slice(extra);
            Config::from_env(&vars).map(|_| ()).map_err(|e| e.var)
        };
        assert_eq!(with(&[("HELPDESK_PUBLIC_URL", "http://help.example.com")]), Err("HELPDESK_PUBLIC_URL"));
        assert_eq!(with(&[("HELPDESK_PUBLIC_URL", "https://help.example.com")]), Err("HELPDESK_SMTP_URL"));
        let ok = [("HELPDESK_PUBLIC_URL", "https://help.example.com"), ("HELPDESK_SMTP_URL", "smtp://relay:25")];
        assert_eq!(with(&ok), Ok(()));
        let short = [ok[0], ok[1], ("HELPDESK_JWT_PREVIOUS_SECRETS", "short")];
        assert_eq!(with(&short), Err("HELPDESK_JWT_PREVIOUS_SECRETS"));
        assert_eq!(with(&[ok[0], ok[1], ("HELPDESK_TRUST_PROXY", "true")]), Err("HELPDESK_TRUST_PROXY"));
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let config = Config::from_env(&[DB, ("HELPDESK_JWT_SECRET", "x".repeat(40).as_str())]).unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("xxxx"));
        assert!(!debug.contains("postgres://"));
    }

    #[test]
    fn s3_storage_is_parsed_into_bucket_and_prefix() {
        let config = Config::from_env(&[DB, ("HELPDESK_STORAGE", "s3://files/helpdesk/")]).unwrap();
        assert_eq!(config.storage, StorageLocation::S3 { bucket: "files".into(), prefix: "helpdesk".into() });
    }
}
