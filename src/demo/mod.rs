//! Generated data: bulk seeding for measurements (`platsa seed`).

pub mod generate;
pub mod municipality;

use chrono::NaiveDate;

use crate::auth::{Role, store::create_user};
use crate::db::{DbConnection, new_id, schema::employers, write_tx};
use crate::error::AppResult;
use crate::{openings, seekers};
use diesel::prelude::*;
use generate::Generator;

/// A Luhn-valid organisation number of a limited company (55…), unique per `n`.
pub fn organization_number(n: u64) -> String {
    let body = format!("55{:07}", 1_000_000 + n);
    let digits: Vec<u32> = body.chars().map(|c| c.to_digit(10).unwrap()).collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let d = d * if i % 2 == 0 { 2 } else { 1 };
            if d > 9 { d - 9 } else { d }
        })
        .sum();
    let check = (10 - sum % 10) % 10;
    format!("{}-{}{check}", &body[..6], &body[6..])
}

pub fn create_employer(c: &mut DbConnection, now: i64, name: &str, orgnr: &str, municipal: bool) -> AppResult<String> {
    let id = new_id();
    diesel::insert_into(employers::table)
        .values((
            employers::id.eq(&id),
            employers::name.eq(name),
            employers::organization_number.eq(orgnr),
            employers::municipal.eq(municipal),
            employers::created_at.eq(now),
        ))
        .execute(c)?;
    Ok(id)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Seeded {
    pub seekers: u64,
    pub openings: u64,
}

/// Adds `n_seekers` seekers and `n_openings` openings (with 20 employers) in chunks of one
/// transaction each. `offset` keeps personnummer unique across repeated runs.
pub fn seed_bulk(
    conn: &mut DbConnection,
    now: i64,
    today: NaiveDate,
    n_seekers: u64,
    n_openings: u64,
    seed: u64,
    mut progress: impl FnMut(u64, u64),
) -> AppResult<Seeded> {
    let mut g = Generator::new(seed, today);
    let offset = seekers::store::count_all(conn)? as u64;
    let employer_ids = write_tx(conn, |c| {
        let by = create_user(c, now, Role::Admin, "Platsa seed", None)?;
        let mut ids = Vec::new();
        let base = crate::employers::count(c)? as u64;
        for i in 0..20u64 {
            let name = format!(
                "{} {}",
                g.rng().pick(&["Bygg", "Vård", "Lager", "Städ", "Restaurang", "Transport", "Handel"]),
                g.rng().pick(&["AB", "i Sverige AB", "Service AB", "& Co AB"])
            );
            ids.push((create_employer(c, now, &name, &organization_number(base + i), i == 0)?, i == 0));
        }
        Ok::<_, crate::error::AppError>((by, ids))
    })?;
    let (by, employer_ids) = employer_ids;
    let total = n_seekers + n_openings;
    let mut done = Seeded::default();
    const CHUNK: u64 = 1000;
    while done.seekers < n_seekers {
        let end = (done.seekers + CHUNK).min(n_seekers);
        write_tx(conn, |c| {
            for i in done.seekers..end {
                let data = g.seeker(offset + i, None, None).validate(today)?;
                seekers::store::create_in_tx(c, now, &data)?;
            }
            Ok::<_, crate::error::AppError>(())
        })?;
        done.seekers = end;
        progress(done.seekers + done.openings, total);
    }
    while done.openings < n_openings {
        let end = (done.openings + CHUNK).min(n_openings);
        write_tx(conn, |c| {
            for _ in done.openings..end {
                let (employer, municipal) = g.rng().pick(&employer_ids).clone();
                let data = g.opening(&employer, None, municipal).validate(today, None)?;
                openings::store::create_in_tx(c, now, &employer, &by, &data)?;
            }
            Ok::<_, crate::error::AppError>(())
        })?;
        done.openings = end;
        progress(done.seekers + done.openings, total);
    }
    Ok(done)
}
