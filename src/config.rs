//! Layered settings: compiled-in `config/default.toml`, then an optional local file, then
//! environment variables. Every value is validated here so a bad one stops start-up with the
//! key named, before anything is opened.

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
};

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");

/// Environment variables with names of their own, and the key each one sets.
const NAMED_ENV: &[(&str, &str)] = &[
    ("PLATSA_LISTEN", "listen"),
    ("DATABASE_URL", "database_url"),
    ("PLATSA_POOL_SIZE", "pool_size"),
    ("PLATSA_INDEX_DIR", "index_dir"),
    ("PLATSA_LOG_FORMAT", "log_format"),
    ("PLATSA_BODY_LIMIT", "body_limit"),
    ("PLATSA_BODY_TIMEOUT_MS", "body_timeout_ms"),
    ("PLATSA_CLOCK", "clock"),
    ("PLATSA_TRUSTED_PROXIES", "proxy.trusted"),
    ("PLATSA_APPLICATIONS_PER_MINUTE", "booking.applications_per_minute"),
    ("PLATSA_PUBLIC_URL", "public_url"),
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration key `{key}`: {message}")]
    Invalid { key: String, message: String },
    #[error("configuration file {path}: {message}")]
    File { path: String, message: String },
}

fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key: key.to_string(), message: message.into() }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// How matching weighs its components (see `config/default.toml` for the reasons).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingSettings {
    pub occupation: f64,
    pub must_have: f64,
    pub distance: f64,
    pub text: f64,
    pub nice_to_have: f64,
    pub availability: f64,
    pub fairness_margin: f64,
    pub distance_half_km: f64,
    pub unreachable_factor: f64,
    pub text_saturation: f64,
    /// "Dagens förslag": the local hour of the morning run.
    pub daily_hour: u32,
    /// The least score a suggestion has.
    pub daily_min_score: f64,
    /// At most this many suggestions a day per broker.
    pub daily_per_broker: u32,
}

impl MatchingSettings {
    fn validate(self) -> Result<Self, ConfigError> {
        for (key, w) in [
            ("occupation", self.occupation),
            ("must_have", self.must_have),
            ("distance", self.distance),
            ("text", self.text),
            ("nice_to_have", self.nice_to_have),
            ("availability", self.availability),
        ] {
            if !(0.0..=1.0).contains(&w) {
                return Err(invalid(&format!("matching.{key}"), "a weight is between 0 and 1"));
            }
        }
        if !(0.0..=0.5).contains(&self.fairness_margin) {
            return Err(invalid("matching.fairness_margin", "must be between 0 and 0.5"));
        }
        if self.distance_half_km <= 0.0 {
            return Err(invalid("matching.distance_half_km", "must be positive"));
        }
        if !(0.0..=1.0).contains(&self.unreachable_factor) {
            return Err(invalid("matching.unreachable_factor", "must be between 0 and 1"));
        }
        // One missing must-have halves the must-have part; that must outweigh every
        // nice-to-have together, or a list could put a person missing a requirement first.
        if self.must_have / 2.0 <= self.nice_to_have {
            return Err(invalid("matching.must_have", "half of must_have must exceed nice_to_have"));
        }
        if self.text_saturation <= 0.0 {
            return Err(invalid("matching.text_saturation", "must be positive"));
        }
        if self.daily_hour > 23 {
            return Err(invalid("matching.daily_hour", "must be an hour, 0 to 23"));
        }
        if !(0.0..=1.0).contains(&self.daily_min_score) {
            return Err(invalid("matching.daily_min_score", "must be between 0 and 1"));
        }
        if self.daily_per_broker > 100 {
            return Err(invalid("matching.daily_per_broker", "must be 0 (off) to 100"));
        }
        Ok(self)
    }
}

/// Pushing monthly figures to the process-metrics endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    pub metrics_endpoint: String,
    pub push_day_of_month: u32,
    pub attempts_per_run: u32,
    pub retry_base_ms: u64,
    pub timeout_ms: u64,
}

impl ReportSettings {
    fn validate(self) -> Result<Self, ConfigError> {
        let e = self.metrics_endpoint.trim();
        if !(e.is_empty() || e.starts_with("http://") || e.starts_with("https://")) {
            return Err(invalid("reports.metrics_endpoint", "must be an http:// or https:// URL, or empty"));
        }
        if !(1..=28).contains(&self.push_day_of_month) {
            return Err(invalid("reports.push_day_of_month", "must be between 1 and 28"));
        }
        if !(1..=20).contains(&self.attempts_per_run) {
            return Err(invalid("reports.attempts_per_run", "must be between 1 and 20"));
        }
        Ok(self)
    }
}

/// Signals: when a process or a person needs someone to act, and where new ones are pushed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalSettings {
    pub pace_tolerance: f64,
    pub no_contact_days: u32,
    pub no_show_share: f64,
    pub no_show_min_meetings: u32,
    pub deadline_working_days: u32,
    pub no_plan_days: u32,
    pub invalid_absences: u32,
    pub invalid_absence_days: u32,
    pub webhook: String,
    pub interval_minutes: u32,
    pub attempts_per_run: u32,
    pub retry_base_ms: u64,
    pub timeout_ms: u64,
    /// The decision clock (`[decisions]`), which the decision measures and the signal of an
    /// application without a decision read.
    #[serde(skip)]
    pub decisions: DecisionSettings,
    /// Whether `serve` takes daily backups (`backup.dir`): a missing one is then signalled.
    #[serde(skip)]
    pub backups_scheduled: bool,
    /// `accountability.never_shown_share`, which the exposure signal reads.
    #[serde(skip)]
    pub never_shown_share: f64,
}

/// How hours to an assistance decision are counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionClock {
    /// Every hour from the application to the decision.
    #[default]
    Hours,
    /// Only the hours of working days (weekends and public holidays do not count).
    WorkingHours,
}

/// `[decisions]`: the decision clock and when an application without a decision is signalled.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionSettings {
    pub clock: DecisionClock,
    /// An application this many hours old without a decision is a signal for its unit (0: none).
    pub warn_after_hours: u32,
}

impl Default for DecisionSettings {
    fn default() -> Self {
        Self { clock: DecisionClock::Hours, warn_after_hours: 20 }
    }
}

impl DecisionSettings {
    fn validate(self) -> Result<Self, ConfigError> {
        if self.warn_after_hours > 720 {
            return Err(invalid("decisions.warn_after_hours", "must be 0 (off) to 720 hours"));
        }
        Ok(self)
    }
}

impl SignalSettings {
    fn validate(self) -> Result<Self, ConfigError> {
        if !(0.0..1.0).contains(&self.pace_tolerance) {
            return Err(invalid("signals.pace_tolerance", "must be at least 0 and below 1"));
        }
        if !(1..=365).contains(&self.no_contact_days) {
            return Err(invalid("signals.no_contact_days", "must be between 1 and 365"));
        }
        if !(0.0..=1.0).contains(&self.no_show_share) {
            return Err(invalid("signals.no_show_share", "must be between 0 and 1"));
        }
        if !(1..=20).contains(&self.deadline_working_days) {
            return Err(invalid("signals.deadline_working_days", "must be between 1 and 20"));
        }
        if !(1..=365).contains(&self.no_plan_days) {
            return Err(invalid("signals.no_plan_days", "must be between 1 and 365"));
        }
        if !(1..=31).contains(&self.invalid_absences) {
            return Err(invalid("signals.invalid_absences", "must be between 1 and 31"));
        }
        if !(1..=365).contains(&self.invalid_absence_days) {
            return Err(invalid("signals.invalid_absence_days", "must be between 1 and 365"));
        }
        let w = self.webhook.trim();
        if !(w.is_empty() || w.starts_with("http://") || w.starts_with("https://")) {
            return Err(invalid("signals.webhook", "must be an http:// or https:// URL, or empty"));
        }
        if !(1..=1440).contains(&self.interval_minutes) {
            return Err(invalid("signals.interval_minutes", "must be between 1 and 1440"));
        }
        if !(1..=20).contains(&self.attempts_per_run) {
            return Err(invalid("signals.attempts_per_run", "must be between 1 and 20"));
        }
        Ok(self)
    }
}

/// What the assistance case system's reads of a plan status are recorded under.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanStatusSettings {
    pub legal_basis: String,
}

impl PlanStatusSettings {
    fn validate(mut self) -> Result<Self, ConfigError> {
        self.legal_basis = self.legal_basis.trim().to_string();
        if !(3..=300).contains(&self.legal_basis.chars().count()) {
            return Err(invalid("plan_status.legal_basis", "must be 3 to 300 characters: the provision reads rest on"));
        }
        Ok(self)
    }
}

/// Mina sidor: what the person sees of their own case.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinaSidorSettings {
    /// The register extract names the staff who read the record; otherwise only their role
    /// and unit (the municipality decides).
    pub show_reader_names: bool,
    /// Days the unit's manager has to answer a request for review.
    pub review_days: u32,
}

impl MinaSidorSettings {
    fn validate(self) -> Result<Self, ConfigError> {
        if !(1..=90).contains(&self.review_days) {
            return Err(invalid("mina_sidor.review_days", "must be 1 to 90 days"));
        }
        Ok(self)
    }
}

/// Reading every public vacancy from Arbetsförmedlingen's JobStream (Platsbanken).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobStreamSettings {
    /// The service's address, without `/snapshot` or `/stream`; empty: off.
    pub base_url: String,
    pub interval_minutes: u32,
    /// Sent as the `api-key` header when not empty.
    pub api_key: String,
    /// Comma-separated filters; an ad is read when it matches every filter given.
    pub municipality_codes: String,
    pub region_codes: String,
    pub occupation_fields: String,
    pub attempts: u32,
    pub retry_base_ms: u64,
    pub timeout_ms: u64,
    /// The largest answer read, in MB: a larger one is refused, not stored.
    pub max_mb: u32,
}

/// The filters, parsed once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobStreamFilters {
    pub municipality_codes: Vec<String>,
    pub region_codes: Vec<String>,
    pub occupation_fields: Vec<String>,
}

fn list(raw: &str) -> Vec<String> {
    raw.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).collect()
}

impl JobStreamSettings {
    fn validate(self) -> Result<Self, ConfigError> {
        let u = self.base_url.trim();
        if !(u.is_empty() || u.starts_with("http://") || u.starts_with("https://")) {
            return Err(invalid("jobstream.base_url", "must be an http:// or https:// URL, or empty"));
        }
        // The service allows about one request a minute.
        if !(1..=1440).contains(&self.interval_minutes) {
            return Err(invalid("jobstream.interval_minutes", "must be between 1 and 1440"));
        }
        if !(1..=20).contains(&self.attempts) {
            return Err(invalid("jobstream.attempts", "must be between 1 and 20"));
        }
        if !(1..=65_536).contains(&self.max_mb) {
            return Err(invalid("jobstream.max_mb", "must be between 1 and 65536"));
        }
        if !(1_000..=3_600_000).contains(&self.timeout_ms) {
            return Err(invalid("jobstream.timeout_ms", "must be between 1000 and 3600000"));
        }
        let r = crate::reference::reference();
        if let Some(bad) = list(&self.municipality_codes).iter().find(|c| !r.municipalities.contains_key(*c)) {
            return Err(invalid("jobstream.municipality_codes", format!("`{bad}` is not a municipality code")));
        }
        let counties: std::collections::HashSet<&str> = r.municipalities.keys().map(|c| &c[..2]).collect();
        if let Some(bad) = list(&self.region_codes).iter().find(|c| !counties.contains(c.as_str())) {
            return Err(invalid("jobstream.region_codes", format!("`{bad}` is not a county code (län, 2 digits)")));
        }
        Ok(self)
    }

    pub fn enabled(&self) -> bool {
        !self.base_url.trim().is_empty()
    }

    pub fn filters(&self) -> JobStreamFilters {
        JobStreamFilters {
            municipality_codes: list(&self.municipality_codes),
            region_codes: list(&self.region_codes),
            occupation_fields: list(&self.occupation_fields),
        }
    }
}

/// Client addresses and CIDR blocks. As `proxy.trusted`, the reverse proxies in front of
/// Platsa: only a request from one of these may say (in `X-Forwarded-For` /
/// `X-Forwarded-Proto`) who the client is and whether it came over TLS; from anyone else those
/// headers are ignored. As `metrics.allow`, who may read `/metrics` without a token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddressSet(Vec<(IpAddr, u8)>);

impl AddressSet {
    /// Comma-separated addresses or CIDR blocks (`127.0.0.1, 10.0.0.0/8, ::1`); empty: none.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let bad = || invalid("proxy.trusted", "must be IP addresses or CIDR blocks, separated by commas");
        let mut out = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (addr, bits) = match part.split_once('/') {
                Some((a, b)) => (a.parse::<IpAddr>().map_err(|_| bad())?, Some(b.parse::<u8>().map_err(|_| bad())?)),
                None => (part.parse::<IpAddr>().map_err(|_| bad())?, None),
            };
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits = bits.unwrap_or(max);
            if bits > max {
                return Err(bad());
            }
            out.push((addr, bits));
        }
        Ok(Self(out))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 peer may arrive mapped into IPv6 (`::ffff:a.b.c.d`).
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        self.0.iter().any(|(net, bits)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if *bits == 0 { 0 } else { u32::MAX << (32 - u32::from(*bits)) };
                u32::from(*n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if *bits == 0 { 0 } else { u128::MAX << (128 - u32::from(*bits)) };
                u128::from(*n) & mask == u128::from(a) & mask
            }
            _ => false,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProxySettings {
    trusted: String,
}

crate::text_enum! {
    /// Which SMS gateway `[messages]` speaks to.
    pub enum SmsGateway {
        /// A JSON POST with an `Idempotency-Key`, as every other webhook.
        Webhook = "webhook",
        /// 46elks' `POST /a1/sms` (form-encoded, HTTP basic auth, `whendelivered` reports).
        Elks = "46elks",
    }
}

/// `[messages]`: where texts to people and employers go.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageSettings {
    pub sms_gateway: String,
    pub sms_url: String,
    pub sms_user: String,
    pub sms_password: String,
    /// The sender shown on the phone: up to 11 letters and digits, or a number in E.164.
    pub sms_from: String,
    pub email_webhook: String,
    /// Sends tried before a message counts as failed ("ring i stället").
    pub max_attempts: u32,
    /// Parsed from `sms_gateway`.
    #[serde(skip)]
    pub gateway: Option<SmsGateway>,
}

impl MessageSettings {
    fn validate(mut self, legacy_webhook: &str) -> Result<Self, ConfigError> {
        let url = |v: &str| v.is_empty() || v.starts_with("http://") || v.starts_with("https://");
        self.gateway = Some(
            SmsGateway::parse(self.sms_gateway.trim())
                .ok_or_else(|| invalid("messages.sms_gateway", "must be webhook or 46elks"))?,
        );
        self.sms_url = self.sms_url.trim().to_string();
        self.email_webhook = self.email_webhook.trim().to_string();
        if !url(&self.sms_url) {
            return Err(invalid("messages.sms_url", "must be an http:// or https:// URL, or empty"));
        }
        if !url(&self.email_webhook) {
            return Err(invalid("messages.email_webhook", "must be an http:// or https:// URL, or empty"));
        }
        // The webhooks of earlier versions (`consent.message_webhook`, then
        // `booking.reminder_webhook`) received texts by SMS and e-mail alike: they still do
        // when no `[messages]` receiver is set.
        if self.gateway == Some(SmsGateway::Webhook) && self.sms_url.is_empty() {
            self.sms_url = legacy_webhook.to_string();
        }
        if self.email_webhook.is_empty() {
            self.email_webhook = legacy_webhook.to_string();
        }
        if self.gateway == Some(SmsGateway::Elks) && !self.sms_url.is_empty() {
            if self.sms_user.trim().is_empty() || self.sms_password.is_empty() {
                return Err(invalid("messages.sms_user", "46elks needs the API username and password"));
            }
            let from = self.sms_from.trim();
            let name = (3..=11).contains(&from.len())
                && from.chars().all(|c| c.is_ascii_alphanumeric())
                && from.starts_with(|c: char| c.is_ascii_alphabetic());
            let number = from.starts_with('+') && from.len() > 8 && from[1..].chars().all(|c| c.is_ascii_digit());
            if !(name || number) {
                return Err(invalid(
                    "messages.sms_from",
                    "must be 3 to 11 letters and digits starting with a letter, or a number like +46701234567",
                ));
            }
        }
        if !(1..=20).contains(&self.max_attempts) {
            return Err(invalid("messages.max_attempts", "must be between 1 and 20"));
        }
        Ok(self)
    }

    pub fn gateway(&self) -> SmsGateway {
        self.gateway.unwrap_or(SmsGateway::Webhook)
    }

    /// Whether texts by SMS have somewhere to go.
    pub fn sms_configured(&self) -> bool {
        !self.sms_url.is_empty()
    }

    pub fn email_configured(&self) -> bool {
        !self.email_webhook.is_empty()
    }
}

/// `[accountability]`: the ranking log, exposure and the requirement check.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountabilitySettings {
    /// Months the ranking log is kept (at least six: AI Act Art. 19 and 26).
    pub log_months: u32,
    /// A unit whose eligible people were never shown in a larger share than this is signalled.
    pub never_shown_share: f64,
    /// A hard requirement that excludes a larger share of otherwise matching people is warned of.
    pub requirement_exclusion_share: f64,
}

impl Default for AccountabilitySettings {
    fn default() -> Self {
        Self { log_months: 6, never_shown_share: 0.2, requirement_exclusion_share: 0.5 }
    }
}

impl AccountabilitySettings {
    fn validate(self) -> Result<Self, ConfigError> {
        if !(6..=120).contains(&self.log_months) {
            return Err(invalid(
                "accountability.log_months",
                "must be 6 to 120 (the AI Act asks for six months at least)",
            ));
        }
        if !(0.0..=1.0).contains(&self.never_shown_share) {
            return Err(invalid("accountability.never_shown_share", "must be between 0 and 1"));
        }
        if !(0.0..=1.0).contains(&self.requirement_exclusion_share) {
            return Err(invalid("accountability.requirement_exclusion_share", "must be between 0 and 1"));
        }
        Ok(self)
    }
}

/// Erasing people automatically after a period without activity or after their exit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    /// Months after the exit date, or after the last activity, when a person is erased; 0: never.
    pub inactive_months: u32,
    /// Local hour from which the daily run may start.
    pub hour: u32,
    /// On PostgreSQL, an erasure rewrites the tables it touched (`VACUUM FULL`), so no old
    /// row version of the erased values stays in the table files. Takes an exclusive lock
    /// on each table while it is rewritten.
    pub rewrite_tables: bool,
    /// The longest a backup may be kept (`backup.keep` days at most).
    pub backups_max_days: u32,
    /// `backup.keep`, which the retention run checks against [`Self::backups_max_days`].
    #[serde(skip)]
    pub backup_keep: u32,
    /// `accountability.log_months`: the daily run deletes older ranking-log rows.
    #[serde(skip)]
    pub ranking_log_months: u32,
}

impl RetentionSettings {
    /// An erasure reaches the backups only when the oldest copy made before it is rotated out:
    /// the retention run refuses to run when backups are kept longer than allowed.
    pub fn check_backups(&self) -> Result<(), String> {
        if self.backup_keep > self.backups_max_days {
            return Err(format!(
                "backup.keep ({}) keeps backups longer than retention.backups_max_days ({}) allows: \
                 erased people would stay in them; lower backup.keep",
                self.backup_keep, self.backups_max_days
            ));
        }
        Ok(())
    }
}

/// `[backup]`: the daily backup `serve` takes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSettings {
    /// Where the daily copies go; empty: no scheduled backups.
    pub dir: String,
    pub hour: u32,
    /// How many daily copies are kept.
    pub keep: u32,
    /// An age X25519 recipient (`age1…`) every scheduled backup is encrypted to; empty: none.
    pub recipient: String,
}

impl BackupSettings {
    fn validate(self) -> Result<Self, ConfigError> {
        if self.hour > 23 {
            return Err(invalid("backup.hour", "must be an hour, 0 to 23"));
        }
        if self.keep == 0 || self.keep > 3660 {
            return Err(invalid("backup.keep", "must be between 1 and 3660 copies"));
        }
        let r = self.recipient.trim();
        if !r.is_empty() && recipient(r).is_err() {
            return Err(invalid("backup.recipient", "must be an age recipient (age1pq1… or age1…) or empty"));
        }
        Ok(Self { recipient: r.to_string(), dir: self.dir.trim().to_string(), ..self })
    }

    /// Whether `serve` takes daily backups.
    pub fn scheduled(&self) -> bool {
        !self.dir.is_empty()
    }
}

/// An age recipient a backup is encrypted to.
pub type Recipient = Box<dyn age::Recipient + Send + Sync>;

/// Parses an age recipient, saying what is wrong without repeating the value: a post-quantum
/// hybrid one (`age1pq1…`, what `age-keygen -pq` makes) or a classic X25519 one (`age1…`,
/// what most existing keys are).
pub fn recipient(text: &str) -> anyhow::Result<Recipient> {
    let text = text.trim();
    if let Ok(r) = text.parse::<age::pq::Recipient>() {
        return Ok(Box::new(r));
    }
    // Classic keys stay usable: age marks them deprecated for new keys, not for existing ones.
    #[allow(deprecated)]
    let classic = text.parse::<age::x25519::Recipient>();
    classic
        .map(|r| Box::new(r) as Recipient)
        .map_err(|e| anyhow::anyhow!("the recipient is not an age recipient (age1pq1… or age1…): {e}"))
}

/// `[metrics]`: who may read `/metrics` without an admin's token.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetricsSettings {
    allow: String,
}

impl RetentionSettings {
    fn validate(self) -> Result<Self, ConfigError> {
        if self.inactive_months > 1200 {
            return Err(invalid("retention.inactive_months", "must be between 0 (off) and 1200"));
        }
        if self.hour > 23 {
            return Err(invalid("retention.hour", "must be an hour, 0 to 23"));
        }
        Ok(self)
    }
}

/// Application intake and booking.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingSettings {
    pub municipality_code: String,
    pub horizon_working_days: u32,
    pub applications_per_minute: u32,
    pub reminder_webhook: String,
    pub reminder_hour: u32,
    /// How long a freed earlier meeting is held for the person on the waiting list it is
    /// offered to before it passes to the next.
    pub offer_hold_minutes: u32,
    /// The number applicants call when the pages cannot help (shown where the booking
    /// cannot go on, e.g. a meeting booked on another device); empty: not shown.
    #[serde(default)]
    pub phone: String,
}

impl BookingSettings {
    fn validate(self) -> Result<Self, ConfigError> {
        if !crate::reference::reference().municipalities.contains_key(&self.municipality_code) {
            return Err(invalid("booking.municipality_code", "is not a municipality code (kommunkod)"));
        }
        if !(1..=60).contains(&self.horizon_working_days) {
            return Err(invalid("booking.horizon_working_days", "must be between 1 and 60"));
        }
        if self.applications_per_minute == 0 {
            return Err(invalid("booking.applications_per_minute", "must be at least 1"));
        }
        let w = self.reminder_webhook.trim();
        if !(w.is_empty() || w.starts_with("http://") || w.starts_with("https://")) {
            return Err(invalid("booking.reminder_webhook", "must be an http:// or https:// URL, or empty"));
        }
        if self.reminder_hour > 23 {
            return Err(invalid("booking.reminder_hour", "must be an hour, 0 to 23"));
        }
        if self.phone.chars().count() > 40 || crate::text::forbidden_char(&self.phone, false).is_some() {
            return Err(invalid("booking.phone", "must be a phone number of at most 40 characters"));
        }
        if !(5..=24 * 60).contains(&self.offer_hold_minutes) {
            return Err(invalid("booking.offer_hold_minutes", "must be 5 to 1440 minutes"));
        }
        Ok(self)
    }
}

/// Asking people for their consent before they are presented to an employer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentSettings {
    /// Receives each consent request (with the person's contact details and their answer
    /// link) for an SMS or e-mail gateway; empty: requests are kept until one is set.
    pub message_webhook: String,
    /// The address people open their answer link at (this service, as the public sees it).
    pub public_url: String,
}

impl ConsentSettings {
    fn validate(mut self) -> Result<Self, ConfigError> {
        let w = self.message_webhook.trim();
        if !(w.is_empty() || w.starts_with("http://") || w.starts_with("https://")) {
            return Err(invalid("consent.message_webhook", "must be an http:// or https:// URL, or empty"));
        }
        self.public_url = self.public_url.trim().trim_end_matches('/').to_string();
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(invalid("consent.public_url", "must be an http:// or https:// URL"));
        }
        Ok(self)
    }
}

/// Staff sign-in through the municipality's OpenID provider (`[staff_oidc]`); off while
/// `issuer` is empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStaffOidc {
    issuer: String,
    client_id: String,
    client_secret: String,
    role_claim: String,
    roles: String,
    unit_claim: String,
    only: bool,
}

/// Applicants' e-legitimation through an OpenID broker (`[citizen_oidc]`); off while
/// `issuer` is empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCitizenOidc {
    issuer: String,
    client_id: String,
    client_secret: String,
    personnummer_claim: String,
    required: bool,
}

/// An OpenID provider Platsa is a client of.
#[derive(Clone)]
pub struct OidcClient {
    /// Discovery is at `{issuer}/.well-known/openid-configuration`; ID tokens must name it.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for OidcClient {
    // The secret stays out of every log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcClient").field("issuer", &self.issuer).field("client_id", &self.client_id).finish()
    }
}

impl OidcClient {
    fn parse(section: &str, issuer: &str, client_id: &str, client_secret: &str) -> Result<Option<Self>, ConfigError> {
        let issuer = issuer.trim().trim_end_matches('/');
        if issuer.is_empty() {
            return Ok(None);
        }
        if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
            return Err(invalid(
                &format!("{section}.issuer"),
                "must be an https:// URL (http:// only for a local test provider)",
            ));
        }
        if client_id.trim().is_empty() {
            return Err(invalid(&format!("{section}.client_id"), "must be set when issuer is"));
        }
        Ok(Some(Self {
            issuer: issuer.to_string(),
            client_id: client_id.trim().to_string(),
            client_secret: client_secret.trim().to_string(),
        }))
    }
}

/// The roles a provider's groups may give: the municipal ones (`auth::Role::STAFF`, which
/// the kit cannot name; a test in `identity` holds the two together).
pub const STAFF_ROLES: &[&str] = &["admin", "broker", "officer", "manager"];

/// Validated `[staff_oidc]`.
#[derive(Debug, Clone)]
pub struct StaffOidc {
    pub client: OidcClient,
    /// The claim holding the person's groups or app roles (a string or a list of strings).
    pub role_claim: String,
    /// Claim value → role name, in the order given (the first that matches wins); only
    /// the municipal roles, [`STAFF_ROLES`].
    pub roles: Vec<(String, String)>,
    /// The claim whose values naming known units become the user's units; empty: units are
    /// left as an admin set them.
    pub unit_claim: Option<String>,
    /// The token form is not offered to staff.
    pub only: bool,
}

/// Validated `[citizen_oidc]`.
#[derive(Debug, Clone)]
pub struct CitizenOidc {
    pub client: OidcClient,
    pub personnummer_claim: String,
    /// Applications are taken only after e-legitimation.
    pub required: bool,
}

impl RawStaffOidc {
    fn validate(self) -> Result<Option<StaffOidc>, ConfigError> {
        let Some(client) = OidcClient::parse("staff_oidc", &self.issuer, &self.client_id, &self.client_secret)? else {
            return Ok(None);
        };
        let mut roles = Vec::new();
        for pair in self.roles.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((value, role)) = pair.rsplit_once('=') else {
                return Err(invalid("staff_oidc.roles", "each entry is claim-value=role, separated by commas"));
            };
            let role = role.trim();
            if !STAFF_ROLES.contains(&role) {
                return Err(invalid("staff_oidc.roles", "roles are admin, broker, officer or manager"));
            }
            roles.push((value.trim().to_string(), role.to_string()));
        }
        if roles.is_empty() {
            return Err(invalid("staff_oidc.roles", "name at least one claim value and its role"));
        }
        if self.role_claim.trim().is_empty() {
            return Err(invalid("staff_oidc.role_claim", "must not be empty"));
        }
        let unit_claim = Some(self.unit_claim.trim().to_string()).filter(|c| !c.is_empty());
        Ok(Some(StaffOidc {
            client,
            role_claim: self.role_claim.trim().to_string(),
            roles,
            unit_claim,
            only: self.only,
        }))
    }
}

impl RawCitizenOidc {
    fn validate(self) -> Result<Option<CitizenOidc>, ConfigError> {
        let Some(client) = OidcClient::parse("citizen_oidc", &self.issuer, &self.client_id, &self.client_secret)?
        else {
            if self.required {
                return Err(invalid(
                    "citizen_oidc.required",
                    "needs citizen_oidc.issuer: e-legitimation cannot be required without a provider",
                ));
            }
            return Ok(None);
        };
        if self.personnummer_claim.trim().is_empty() {
            return Err(invalid("citizen_oidc.personnummer_claim", "must not be empty"));
        }
        Ok(Some(CitizenOidc {
            client,
            personnummer_claim: self.personnummer_claim.trim().to_string(),
            required: self.required,
        }))
    }
}

/// The raw file shape; unknown keys are an error so a typo never silently does nothing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    listen: String,
    database_url: String,
    pool_size: u32,
    index_dir: String,
    log_format: String,
    body_limit: usize,
    body_timeout_ms: u64,
    clock: String,
    matching: MatchingSettings,
    proxy: ProxySettings,
    retention: RetentionSettings,
    backup: BackupSettings,
    metrics: RawMetricsSettings,
    reports: ReportSettings,
    signals: SignalSettings,
    plan_status: PlanStatusSettings,
    mina_sidor: MinaSidorSettings,
    decisions: DecisionSettings,
    booking: BookingSettings,
    consent: ConsentSettings,
    jobstream: JobStreamSettings,
    accountability: AccountabilitySettings,
    messages: MessageSettings,
    public_url: String,
    staff_oidc: RawStaffOidc,
    citizen_oidc: RawCitizenOidc,
}

/// Validated settings.
#[derive(Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: DatabaseUrl,
    pub pool_size: u32,
    pub index_dir: PathBuf,
    pub log_format: LogFormat,
    pub body_limit: usize,
    /// How long a request body may take to arrive; a slower one is answered 408.
    pub body_timeout: std::time::Duration,
    pub clock: Option<DateTime<FixedOffset>>,
    pub matching: MatchingSettings,
    pub trusted_proxies: AddressSet,
    pub retention: RetentionSettings,
    pub backup: BackupSettings,
    /// Client addresses that may read `/metrics` without a token (`metrics.allow`).
    pub metrics_allow: AddressSet,
    pub reports: ReportSettings,
    pub signals: SignalSettings,
    pub plan_status: PlanStatusSettings,
    pub mina_sidor: MinaSidorSettings,
    pub booking: BookingSettings,
    pub consent: ConsentSettings,
    pub jobstream: JobStreamSettings,
    pub accountability: AccountabilitySettings,
    pub messages: MessageSettings,
    /// The address people reach the service at, without a trailing slash: answer links and
    /// the OpenID redirect URIs start with it.
    pub public_url: String,
    pub staff_oidc: Option<StaffOidc>,
    pub citizen_oidc: Option<CitizenOidc>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database", &self.database_url.redacted())
            .field("pool_size", &self.pool_size)
            .field("index_dir", &self.index_dir)
            .field("log_format", &self.log_format)
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .field("clock", &self.clock)
            .finish()
    }
}

/// Which backend a URL names. The scheme decides; SQLite would accept any string as a path.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(invalid("database_url", "must not be empty"));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_string()));
        }
        if let Some((scheme, _)) = raw.split_once("://")
            && scheme != "sqlite"
        {
            return Err(invalid(
                "database_url",
                format!("unsupported scheme `{scheme}`: use sqlite://PATH or postgres://…"),
            ));
        }
        let path = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")).unwrap_or(raw);
        if path.is_empty() {
            return Err(invalid("database_url", "the SQLite path is empty"));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// For logs: PostgreSQL URLs may carry a password.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite://{}", p.display()),
            Self::Postgres(url) => match url.split_once('@') {
                Some((_, host)) => format!("postgres://…@{host}"),
                None => url.clone(),
            },
        }
    }
}

impl Settings {
    /// Defaults, then `config/local.toml` (or the file `PLATSA_CONFIG` names), then the
    /// process environment.
    pub fn load() -> Result<Self, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let local = std::env::var("PLATSA_CONFIG").unwrap_or_else(|_| "config/local.toml".into());
        let local_text = match std::fs::read_to_string(&local) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(ConfigError::File { path: local, message: e.to_string() }),
        };
        Self::from_layers(local_text.as_deref().map(|t| (local.as_str(), t)), &env)
    }

    /// The defaults with some keys overridden; what tests use, so they never read the
    /// developer's environment.
    pub fn with_overrides(overrides: &[(&str, &str)]) -> Result<Self, ConfigError> {
        let env: Vec<(String, String)> = overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Self::from_layers(None, &env)
    }

    fn from_layers(local: Option<(&str, &str)>, env: &[(String, String)]) -> Result<Self, ConfigError> {
        let mut table: toml::Table = DEFAULTS.parse().expect("config/default.toml is valid TOML");
        if let Some((path, text)) = local {
            let layer: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| ConfigError::File { path: path.into(), message: e.message().into() })?;
            merge(&mut table, layer);
        }
        for (name, value) in env {
            let key = NAMED_ENV.iter().find(|(n, _)| n == name).map(|(_, k)| k.to_string()).or_else(|| {
                name.strip_prefix("PLATSA_")
                    .filter(|rest| rest.contains("__"))
                    .map(|rest| rest.to_lowercase().replace("__", "."))
            });
            if let Some(key) = key {
                let value = env_value(&table, &key, value)?;
                set_path(&mut table, &key, value);
            }
        }
        let raw: RawSettings = toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| {
            // serde names the key in the message ("unknown field `x`", "invalid type … for key `y`").
            invalid("settings", e.message().to_string())
        })?;
        Self::validate(raw)
    }

    fn validate(raw: RawSettings) -> Result<Self, ConfigError> {
        let listen = raw
            .listen
            .parse()
            .map_err(|_| invalid("listen", format!("`{}` is not an address like 127.0.0.1:8080", raw.listen)))?;
        let database_url = DatabaseUrl::parse(&raw.database_url)?;
        if raw.pool_size == 0 || raw.pool_size > 256 {
            return Err(invalid("pool_size", "must be between 1 and 256"));
        }
        if raw.index_dir.trim().is_empty() {
            return Err(invalid("index_dir", "must not be empty"));
        }
        let log_format = match raw.log_format.as_str() {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => return Err(invalid("log_format", format!("`{other}` is neither `pretty` nor `json`"))),
        };
        if !(100..=600_000).contains(&raw.body_timeout_ms) {
            return Err(invalid("body_timeout_ms", "must be between 100 and 600000"));
        }
        if raw.body_limit < 1024 {
            return Err(invalid("body_limit", "must be at least 1024 bytes"));
        }
        let clock = match raw.clock.trim() {
            "" => None,
            text => Some(DateTime::parse_from_rfc3339(text).map_err(|e| {
                invalid("clock", format!("`{text}` is not an RFC 3339 instant like 2026-12-23T10:00:00+01:00 ({e})"))
            })?),
        };
        // `public_url` is the one address; `consent.public_url` is its older name and follows it.
        let mut consent = raw.consent.validate()?;
        let public_url = match raw.public_url.trim().trim_end_matches('/') {
            "" => consent.public_url.clone(),
            url if url.starts_with("http://") || url.starts_with("https://") => url.to_string(),
            _ => return Err(invalid("public_url", "must be an http:// or https:// URL")),
        };
        consent.public_url = public_url.clone();
        let backup = raw.backup.validate()?;
        let backups_scheduled = backup.scheduled();
        let accountability = raw.accountability.validate()?;
        let legacy = [consent.message_webhook.trim(), raw.booking.reminder_webhook.trim()]
            .into_iter()
            .find(|w| !w.is_empty())
            .unwrap_or_default()
            .to_string();
        let messages = raw.messages.validate(&legacy)?;
        Ok(Self {
            listen,
            database_url,
            pool_size: raw.pool_size,
            index_dir: PathBuf::from(raw.index_dir),
            log_format,
            body_limit: raw.body_limit,
            body_timeout: std::time::Duration::from_millis(raw.body_timeout_ms),
            clock,
            matching: raw.matching.validate()?,
            trusted_proxies: AddressSet::parse(&raw.proxy.trusted)?,
            retention: RetentionSettings {
                backup_keep: backup.keep,
                ranking_log_months: accountability.log_months,
                ..raw.retention.validate()?
            },
            backup,
            metrics_allow: AddressSet::parse(&raw.metrics.allow)
                .map_err(|_| invalid("metrics.allow", "must be addresses or CIDR blocks, comma-separated"))?,
            reports: raw.reports.validate()?,
            signals: SignalSettings {
                decisions: raw.decisions.validate()?,
                backups_scheduled,
                never_shown_share: accountability.never_shown_share,
                ..raw.signals.validate()?
            },
            plan_status: raw.plan_status.validate()?,
            mina_sidor: raw.mina_sidor.validate()?,
            booking: raw.booking.validate()?,
            consent,
            jobstream: raw.jobstream.validate()?,
            accountability,
            messages,
            public_url,
            staff_oidc: raw.staff_oidc.validate()?,
            citizen_oidc: raw.citizen_oidc.validate()?,
        })
    }
}

/// An environment value takes the type of the key it overrides, so `PLATSA_POOL_SIZE=4`
/// becomes an integer while `PLATSA_CLOCK=…` stays a string.
fn env_value(table: &toml::Table, key: &str, raw: &str) -> Result<toml::Value, ConfigError> {
    let mut cur = Some(table);
    let mut existing = None;
    for part in key.split('.') {
        existing = cur.and_then(|t| t.get(part));
        cur = existing.and_then(|v| v.as_table());
    }
    let text = raw.trim();
    Ok(match existing {
        Some(toml::Value::Integer(_)) => {
            toml::Value::Integer(text.parse().map_err(|_| invalid(key, format!("`{text}` is not a whole number")))?)
        }
        Some(toml::Value::Float(_)) => {
            toml::Value::Float(text.parse().map_err(|_| invalid(key, format!("`{text}` is not a number")))?)
        }
        Some(toml::Value::Boolean(_)) => toml::Value::Boolean(match text {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(invalid(key, format!("`{text}` is neither true nor false"))),
        }),
        _ => toml::Value::String(raw.to_string()),
    })
}

fn set_path(table: &mut toml::Table, key: &str, value: toml::Value) {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    let mut cur = table;
    for part in parts {
        let entry = cur.entry(part.to_string()).or_insert_with(|| toml::Value::Table(Default::default()));
        if !entry.is_table() {
            *entry = toml::Value::Table(Default::default());
        }
        cur = entry.as_table_mut().expect("just made a table");
    }
    cur.insert(last.to_string(), value);
}

fn merge(base: &mut toml::Table, layer: toml::Table) {
    for (k, v) in layer {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(l)) => merge(b, l),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod proxy_tests {
    use super::AddressSet;

    #[test]
    fn trusted_proxies_match_addresses_and_blocks() {
        let t = AddressSet::parse("10.0.0.0/8, 192.168.1.1, fd00::/8").unwrap();
        for (ip, yes) in [
            ("10.200.3.4", true),
            ("11.0.0.1", false),
            ("192.168.1.1", true),
            ("192.168.1.2", false),
            ("::ffff:10.1.1.1", true),
            ("fd12::1", true),
            ("fe80::1", false),
        ] {
            assert_eq!(t.contains(ip.parse().unwrap()), yes, "{ip}");
        }
        assert!(AddressSet::parse("").unwrap().0.is_empty());
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0.0/x"] {
            assert!(AddressSet::parse(bad).is_err(), "{bad}");
        }
    }
}
