//! "Mina arbetssökande": a broker's caseload, every seeker assigned to them with when they
//! were last proposed (or registered), the last contact and the next planned one from the
//! journal, sortable so nobody is forgotten. A broker's caseload is at most a few hundred
//! people, so it is read whole and sorted here.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::clock::Day;
use crate::db::DbConnection;
use crate::db::schema::{journal_entries, seekers};
use crate::error::AppResult;
use crate::seekers::store::SeekerRow;
use crate::seekers::{Seeker, SeekerStatus};

crate::text_enum! {
    /// How the caseload is ordered.
    #[derive(Default)]
    pub enum Sort {
        /// Longest since the last proposal (or registration) first.
        #[default]
        Waited = "waited",
        /// Longest since the last contact first; never contacted before anyone.
        LastContact = "last_contact",
        /// The soonest planned contact first; none planned last.
        NextContact = "next_contact",
        Status = "status",
        Name = "name",
    }
}

/// One seeker in the caseload.
#[derive(Debug, Clone)]
pub struct Assigned {
    pub seeker: Seeker,
    /// Since when they have waited: the last proposal, else registration.
    pub waiting_since: i64,
    pub last_contact_at: Option<i64>,
    /// The contact the latest journal entry planned.
    pub next_contact_on: Option<Day>,
}

/// Every seeker assigned to `broker_id` (not erased), with `status` when given, in `sort` order.
pub fn assigned(
    conn: &mut DbConnection,
    broker_id: &str,
    status: Option<SeekerStatus>,
    sort: Sort,
) -> AppResult<Vec<Assigned>> {
    let mut q = seekers::table
        .filter(seekers::erased_at.is_null())
        .filter(seekers::broker_id.eq(broker_id.to_string()))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(seekers::status.eq(s));
    }
    let rows: Vec<SeekerRow> = q.select(SeekerRow::as_select()).load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.id).collect();
    // Each person's journal in one query: the latest entry (ids are time-ordered) plans the
    // next contact; the latest `at` is the last contact.
    let entries: Vec<(String, String, i64, Option<Day>)> = journal_entries::table
        .filter(journal_entries::seeker_id.eq_any(ids))
        .select((
            journal_entries::seeker_id,
            journal_entries::id,
            journal_entries::at,
            journal_entries::next_contact_on,
        ))
        .load(conn)?;
    let mut last: HashMap<String, i64> = HashMap::new();
    let mut latest: HashMap<String, (String, Option<Day>)> = HashMap::new();
    for (seeker, id, at, next) in entries {
        let l = last.entry(seeker.clone()).or_insert(at);
        *l = (*l).max(at);
        match latest.get(&seeker) {
            Some((newest, _)) if *newest >= id => {}
            _ => {
                latest.insert(seeker, (id, next));
            }
        }
    }
    let mut out: Vec<Assigned> = rows
        .into_iter()
        .map(|r| {
            let seeker = Seeker::from(r);
            Assigned {
                waiting_since: seeker.last_proposed_at.unwrap_or(seeker.registered_at),
                last_contact_at: last.get(&seeker.id).copied(),
                next_contact_on: latest.get(&seeker.id).and_then(|(_, n)| n.clone()),
                seeker,
            }
        })
        .collect();
    sort_by(&mut out, sort);
    Ok(out)
}

fn sort_by(list: &mut [Assigned], sort: Sort) {
    let name = |a: &Assigned| {
        (a.seeker.last_name.clone().unwrap_or_default().to_lowercase(), a.seeker.first_name.clone().unwrap_or_default())
    };
    // Every order ends on the id, so equal rows keep one order from page to page.
    match sort {
        Sort::Waited => {
            list.sort_by(|a, b| a.waiting_since.cmp(&b.waiting_since).then_with(|| a.seeker.id.cmp(&b.seeker.id)))
        }
        Sort::LastContact => list.sort_by(|a, b| {
            a.last_contact_at
                .unwrap_or(i64::MIN)
                .cmp(&b.last_contact_at.unwrap_or(i64::MIN))
                .then_with(|| a.seeker.id.cmp(&b.seeker.id))
        }),
        Sort::NextContact => list.sort_by(|a, b| {
            let key = |x: &Assigned| x.next_contact_on.as_ref().map(|d| d.to_string()).unwrap_or_else(|| "9999".into());
            key(a).cmp(&key(b)).then_with(|| a.seeker.id.cmp(&b.seeker.id))
        }),
        Sort::Status => list.sort_by(|a, b| {
            (a.seeker.status, name(a)).cmp(&(b.seeker.status, name(b))).then_with(|| a.seeker.id.cmp(&b.seeker.id))
        }),
        Sort::Name => list.sort_by(|a, b| name(a).cmp(&name(b)).then_with(|| a.seeker.id.cmp(&b.seeker.id))),
    }
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for Sort {
    fn label(self) -> &'static str {
        use crate::caseload::Sort;
        match self {
            Sort::Waited => "väntat längst",
            Sort::LastContact => "längst sedan kontakt",
            Sort::NextContact => "nästa kontakt",
            Sort::Status => "status",
            Sort::Name => "namn",
        }
    }
}
