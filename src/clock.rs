//! The one source of "now". Fixed by `PLATSA_CLOCK` for demos, training and tests; times are
//! stored in UTC and shown in Europe/Stockholm.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;

#[derive(Clone, Debug)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { fixed: None }
    }

    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self { fixed: Some(at) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(Utc::now)
    }

    /// Unix seconds, the form instants are stored in.
    pub fn now_ts(&self) -> i64 {
        self.now().timestamp()
    }

    /// Today's date in Stockholm, the date a person in the office would say.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&Stockholm).date_naive()
    }
}

/// An instant stored as unix seconds, rendered RFC 3339 in Stockholm time with its offset.
pub fn format_ts(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&Stockholm)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

crate::text_newtype! {
    /// A calendar date, stored and answered as `YYYY-MM-DD` text (the columns are text on both
    /// backends); read back with [`Day::date`]. A stored value that is not a date is an error.
    pub struct Day; plain
}

impl Day {
    pub fn from_stored(s: String) -> Option<Self> {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok().map(|_| Self(s))
    }

    pub fn date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0, "%Y-%m-%d").expect("a Day holds a valid date")
    }
}

impl From<NaiveDate> for Day {
    fn from(d: NaiveDate) -> Self {
        Self(d.format("%Y-%m-%d").to_string())
    }
}

/// Serde helpers so models can keep `i64` and the API shows RFC 3339.
pub mod rfc3339 {
    use serde::Serializer;

    pub fn serialize<S: Serializer>(ts: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_ts(*ts))
    }

    pub mod option {
        use serde::Serializer;

        pub fn serialize<S: Serializer>(ts: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
            match ts {
                Some(ts) => s.serialize_str(&crate::clock::format_ts(*ts)),
                None => s.serialize_none(),
            }
        }
    }
}

/// Midnight of a Stockholm date, as unix seconds.
pub fn start_of_day_ts(d: NaiveDate) -> i64 {
    use chrono::TimeZone;
    let midnight = d.and_hms_opt(0, 0, 0).expect("valid time");
    Stockholm
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| midnight.and_utc().timestamp())
}

/// The Stockholm date of an instant.
pub fn stockholm_date(ts: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or_default().with_timezone(&Stockholm).date_naive()
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let month = Month { year: y.parse().ok()?, month: m.parse().ok()? };
        NaiveDate::from_ymd_opt(month.year, month.month, 1)?;
        Some(month)
    }

    pub fn of(d: NaiveDate) -> Month {
        Month { year: d.year(), month: d.month() }
    }

    pub fn first(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// The first day of the next month (exclusive end).
    pub fn end(self) -> NaiveDate {
        self.first() + Months::new(1)
    }

    pub fn previous(self) -> Month {
        Month::of(self.first() - Months::new(1))
    }

    pub fn contains(self, d: NaiveDate) -> bool {
        d >= self.first() && d < self.end()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
