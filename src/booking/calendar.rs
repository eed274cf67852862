//! Swedish working days in Europe/Stockholm: not a weekend, not a public holiday (fixed
//! dates, the Easter-based days, Midsommardagen, Alla helgons dag), and not midsommarafton,
//! julafton or nyårsafton, which are de facto days off.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("valid Easter date")
}

/// The Saturday in a date range: Midsommardagen (20–26 June), Alla helgons dag
/// (31 October – 6 November).
fn saturday_between(year: i32, month: u32, day: u32) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(year, month, day).expect("valid");
    let offset = (Weekday::Sat.num_days_from_monday() + 7 - start.weekday().num_days_from_monday()) % 7;
    start + Days::new(u64::from(offset))
}

pub fn midsummer_eve(year: i32) -> NaiveDate {
    saturday_between(year, 6, 20) - Days::new(1)
}

/// Days off that fall on weekdays in Sweden, with their Swedish names.
pub fn days_off(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let d = |m, day| NaiveDate::from_ymd_opt(year, m, day).expect("valid");
    let easter = easter_sunday(year);
    vec![
        (d(1, 1), "Nyårsdagen"),
        (d(1, 6), "Trettondedag jul"),
        (easter - Days::new(2), "Långfredagen"),
        (easter, "Påskdagen"),
        (easter + Days::new(1), "Annandag påsk"),
        (d(5, 1), "Första maj"),
        (easter + Days::new(39), "Kristi himmelsfärdsdag"),
        (easter + Days::new(49), "Pingstdagen"),
        (d(6, 6), "Sveriges nationaldag"),
        (midsummer_eve(year), "Midsommarafton"),
        (saturday_between(year, 6, 20), "Midsommardagen"),
        (saturday_between(year, 10, 31), "Alla helgons dag"),
        (d(12, 24), "Julafton"),
        (d(12, 25), "Juldagen"),
        (d(12, 26), "Annandag jul"),
        (d(12, 31), "Nyårsafton"),
    ]
}

pub fn day_off_name(date: NaiveDate) -> Option<&'static str> {
    days_off(date.year()).into_iter().find(|(d, _)| *d == date).map(|(_, n)| n)
}

pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && day_off_name(date).is_none()
}

/// The first working day after `date`.
pub fn next_working_day(date: NaiveDate) -> NaiveDate {
    let mut d = date + Days::new(1);
    while !is_working_day(d) {
        d = d + Days::new(1);
    }
    d
}

/// The next `count` working days after `from`.
pub fn working_days_after(from: NaiveDate, count: usize) -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(count);
    let mut d = from;
    while out.len() < count {
        d = next_working_day(d);
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Easter Sundays 2000–2035, from the published tables.
    const EASTER: [&str; 36] = [
        "2000-04-23",
        "2001-04-15",
        "2002-03-31",
        "2003-04-20",
        "2004-04-11",
        "2005-03-27",
        "2006-04-16",
        "2007-04-08",
        "2008-03-23",
        "2009-04-12",
        "2010-04-04",
        "2011-04-24",
        "2012-04-08",
        "2013-03-31",
        "2014-04-20",
        "2015-04-05",
        "2016-03-27",
        "2017-04-16",
        "2018-04-01",
        "2019-04-21",
        "2020-04-12",
        "2021-04-04",
        "2022-04-17",
        "2023-04-09",
        "2024-03-31",
        "2025-04-20",
        "2026-04-05",
        "2027-03-28",
        "2028-04-16",
        "2029-04-01",
        "2030-04-21",
        "2031-04-13",
        "2032-03-28",
        "2033-04-17",
        "2034-04-09",
        "2035-03-25",
    ];

    #[test]
    fn easter_2000_to_2035() {
        for (i, expected) in EASTER.iter().enumerate() {
            assert_eq!(easter_sunday(2000 + i as i32), date(expected), "{}", 2000 + i);
        }
    }

    #[test]
    fn midsummer_eve_is_a_friday_between_19_and_25_june() {
        for year in 2000..=2035 {
            let eve = midsummer_eve(year);
            assert_eq!(eve.weekday(), Weekday::Fri, "{year}");
            assert!((19..=25).contains(&eve.day()) && eve.month() == 6, "{year}: {eve}");
            assert!(!is_working_day(eve) && !is_working_day(eve + Days::new(1)));
        }
        assert_eq!(midsummer_eve(2026), date("2026-06-19"));
        assert_eq!(midsummer_eve(2027), date("2027-06-25"));
    }

    #[test]
    fn all_saints_is_a_saturday_between_31_october_and_6_november() {
        for year in 2000..=2035 {
            let d = saturday_between(year, 10, 31);
            assert_eq!(d.weekday(), Weekday::Sat);
            assert!(
                d >= NaiveDate::from_ymd_opt(year, 10, 31).unwrap()
                    && d <= NaiveDate::from_ymd_opt(year, 11, 6).unwrap()
            );
        }
    }

    #[test]
    fn next_working_day_table() {
        let cases = [
            ("2026-12-23", "2026-12-28"), // julafton, juldagen, annandag jul, weekend
            ("2026-12-30", "2027-01-04"), // nyårsafton, nyårsdagen, weekend
            ("2027-01-05", "2027-01-07"), // trettondedag jul
            ("2026-04-02", "2026-04-07"), // Thursday before Långfredagen → after Annandag påsk
            ("2027-03-25", "2027-03-30"), // likewise in 2027
            ("2026-06-18", "2026-06-22"), // Thursday before midsommarafton
            ("2027-06-24", "2027-06-28"), // midsummer week 2027
            ("2026-05-13", "2026-05-15"), // Kristi himmelsfärd 2026-05-14
            ("2026-11-20", "2026-11-23"), // Friday → Monday
            ("2026-11-23", "2026-11-24"), // an ordinary Monday
            ("2026-04-30", "2026-05-04"), // första maj on a Friday
            ("2026-06-05", "2026-06-08"), // nationaldagen on a Saturday: nothing extra
            ("2025-06-05", "2025-06-09"), // nationaldagen 2025 on a Friday
        ];
        for (from, expected) in cases {
            assert_eq!(next_working_day(date(from)), date(expected), "after {from}");
        }
    }

    #[test]
    fn every_year_has_about_250_working_days() {
        for year in 2000..=2035 {
            let days = (1..=366).filter_map(|o| NaiveDate::from_yo_opt(year, o)).filter(|d| is_working_day(*d)).count();
            assert!((244..=254).contains(&days), "{year}: {days}");
        }
    }
}
