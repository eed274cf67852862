//! Swedish identity numbers: personnummer, samordningsnummer and organisationsnummer.

use chrono::{Datelike, NaiveDate};

use crate::error::Fault;

const PNR_FORMAT: &str = "must be YYYYMMDDNNNN or YYMMDD-NNNN (a hyphen before the last four is allowed)";
const ORG_FORMAT: &str = "must be 10 digits, NNNNNN-NNNN";

/// Luhn (mod 10) over the digits, the last one being the check digit.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn digits_of(s: &str, allowed_sep: &[char]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(12);
    for c in s.trim().chars() {
        match c {
            '0'..='9' => out.push(c as u8 - b'0'),
            c if allowed_sep.contains(&c) => {}
            _ => return None,
        }
    }
    Some(out)
}

crate::text_newtype! {
    /// A personnummer or samordningsnummer as 12 digits, checked (date of birth, check digit).
    /// Its `Debug` shows no digits, so it cannot reach a log through `{:?}`.
    pub struct Personnummer; redacted
}

impl Personnummer {
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, (Fault, &'static str)> {
        normalize_personnummer(raw, today).map(Self)
    }

    /// A stored value: 12 digits with a valid check digit.
    pub fn from_stored(s: String) -> Option<Self> {
        let digits: Option<Vec<u8>> = s.bytes().map(|b| b.is_ascii_digit().then(|| b - b'0')).collect();
        digits.filter(|d| d.len() == 12 && luhn_valid(&d[2..])).map(|_| Self(s))
    }
}

/// Validates a personnummer or samordningsnummer and returns it as 12 digits. Accepted:
/// `YYYYMMDDNNNC` and the 10-digit `YYMMDD-NNNC` (the `-` optional), whose century is the
/// latest that puts the birth on or before today; a `+` instead of `-` means a hundred years
/// more, as Skatteverket writes it for people of 100 and over. A samordningsnummer has 60
/// added to the day.
pub fn normalize_personnummer(raw: &str, today: NaiveDate) -> Result<String, (Fault, &'static str)> {
    let mut d = digits_of(raw, &['-', '+']).ok_or((Fault::Format, PNR_FORMAT))?;
    if d.len() == 10 {
        let yy = i32::from(d[0]) * 10 + i32::from(d[1]);
        let (month, mut day) = (u32::from(d[2]) * 10 + u32::from(d[3]), u32::from(d[4]) * 10 + u32::from(d[5]));
        if day > 60 {
            day -= 60;
        }
        let mut year = today.year() - today.year().rem_euclid(100) + yy;
        if NaiveDate::from_ymd_opt(year, month, day).is_none_or(|b| b > today) {
            year -= 100;
        }
        if raw.contains('+') {
            year -= 100;
        }
        let century = (year / 100) as u8;
        d.splice(0..0, [century / 10, century % 10]);
    }
    if d.len() != 12 {
        return Err((Fault::Format, PNR_FORMAT));
    }
    let num = |r: std::ops::Range<usize>| d[r].iter().fold(0u32, |acc, &x| acc * 10 + u32::from(x));
    let year = num(0..4) as i32;
    let month = num(4..6);
    let mut day = num(6..8);
    if day > 60 {
        day -= 60; // samordningsnummer
    }
    let birth = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or((Fault::DateOfBirth, "does not contain a valid date of birth"))?;
    if birth > today || year < 1880 {
        return Err((Fault::DateOfBirth, "does not contain a plausible date of birth"));
    }
    if !luhn_valid(&d[2..]) {
        return Err((Fault::CheckDigit, "has a wrong check digit"));
    }
    Ok(d.iter().map(|x| char::from(b'0' + x)).collect())
}

/// Validates an organisationsnummer (`NNNNNN-NNNN`, hyphen optional, or with the `16`
/// century prefix) and returns it as `NNNNNN-NNNN`.
pub fn normalize_organization_number(raw: &str) -> Result<String, (Fault, &'static str)> {
    let mut d = digits_of(raw, &['-']).ok_or((Fault::Format, ORG_FORMAT))?;
    if d.len() == 12 && d[0] == 1 && d[1] == 6 {
        d.drain(0..2);
    }
    if d.len() != 10 {
        return Err((Fault::Format, ORG_FORMAT));
    }
    if !luhn_valid(&d) {
        return Err((Fault::CheckDigit, "has a wrong check digit"));
    }
    let s: String = d.iter().map(|x| char::from(b'0' + x)).collect();
    Ok(format!("{}-{}", &s[..6], &s[6..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn personnummer_accepts_valid_forms() {
        // Skatteverket's published test numbers.
        assert_eq!(normalize_personnummer("198112289874", today()).unwrap(), "198112289874");
        assert_eq!(normalize_personnummer("19811228-9874", today()).unwrap(), "198112289874");
        // Ten digits: the century is the latest that has the person born by today; `+` for 100+.
        assert_eq!(normalize_personnummer("811228-9874", today()).unwrap(), "198112289874");
        assert_eq!(normalize_personnummer("8112289874", today()).unwrap(), "198112289874");
        assert_eq!(normalize_personnummer("811228+9874", today()).unwrap(), "188112289874");
        assert_eq!(normalize_personnummer("900101-1239", today()).unwrap(), "199001011239");
        // Samordningsnummer: day 28 + 60.
        assert!(normalize_personnummer("198112889889", today()).is_ok());
    }

    #[test]
    fn personnummer_rejects_bad_ones() {
        assert!(normalize_personnummer("198112289875", today()).is_err(), "check digit");
        assert!(normalize_personnummer("198113289874", today()).is_err(), "month 13");
        assert!(normalize_personnummer("81122898", today()).is_err(), "8 digits");
        assert!(normalize_personnummer("811228-9875", today()).is_err(), "check digit, 10 digits");
        assert!(normalize_personnummer("20991228xxxx", today()).is_err());
        assert!(normalize_personnummer("209912280000", today()).is_err(), "future");
    }

    #[test]
    fn a_personnummer_never_shows_in_debug_output() {
        let p = Personnummer::parse("19811228-9874", today()).unwrap();
        assert_eq!(p.as_str(), "198112289874");
        assert_eq!(format!("{p:?}"), "Personnummer(…)");
        assert_eq!(format!("{:?}", Some(&p)), "Some(Personnummer(…))");
        assert!(Personnummer::from_stored("198112289875".into()).is_none(), "a stored value is checked");
    }

    #[test]
    fn organization_numbers() {
        // A municipal organisation number (21…), with and without hyphen and century.
        assert_eq!(normalize_organization_number("212000-1165").unwrap(), "212000-1165");
        assert_eq!(normalize_organization_number("2120001165").unwrap(), "212000-1165");
        assert_eq!(normalize_organization_number("162120001165").unwrap(), "212000-1165");
        assert!(normalize_organization_number("212000-1166").is_err());
    }
}
