//! The one source of "now". Fixed by `PLATSA_CLOCK` for demos, training and tests; times are
//! stored in UTC and shown in Europe/Stockholm.

use chrono::{DateTime, NaiveDate, Utc};
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
