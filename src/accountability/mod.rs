//! Accountable ranking: what a municipality must be able to show about the ranking of people
//! for jobs (high-risk under the EU AI Act, Annex III 4(a) and 5(a), whether or not a
//! hand-weighted score counts as an "AI system"), built on the ranking log
//! (`ranking_log`, Art. 12):
//!
//! - [`exposure`]: who the ranking could show, who was shown, proposed, or never shown
//!   ("alla blir synliggjorda"), by unit, broker and waiting time; a signal per unit;
//! - [`oversight`]: whether brokers follow the ranking or depart from it (Art. 14; GDPR
//!   Art. 22 as the Austrian VwGH read it in 2023);
//! - [`requirements`]: hard requirements that leave out most otherwise matching people;
//! - [`document`]: the technical documentation (Art. 11, 13, Annex IV), generated from what
//!   is in force.

pub mod document;
pub mod exposure;
pub mod http;
pub mod oversight;
pub mod requirements;

use crate::error::{AppError, AppResult, Fault};
use exposure::Period;

/// A period from a query: `from` (first day) and `to` (the day after the last), the last 30
/// days when left out.
pub fn period(
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> AppResult<Period> {
    let default = Period::trailing(today, exposure::TRAILING_DAYS);
    let to = to.unwrap_or(default.to);
    let from = from.unwrap_or_else(|| to - chrono::Days::new(exposure::TRAILING_DAYS));
    if to <= from {
        return Err(AppError::field("to", Fault::Order, "must be after from"));
    }
    if (to - from).num_days() > 366 {
        return Err(AppError::field("from", Fault::Range, "a period is at most a year"));
    }
    Ok(Period { from, to })
}
