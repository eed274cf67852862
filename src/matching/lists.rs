//! The ranked lists brokers work from, as plain functions: the JSON API and the web pages
//! both call these, so the two always show the same order and explanations.

use std::collections::HashMap;

use serde::Serialize;

use super::Explanation;
use super::rank::{OpeningProfile, SeekerProfile, candidates, explain_opening, openings_for};
use crate::auth::Principal;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::index::Lookup;
use crate::{audit, openings, ranking_log, seekers};

/// A candidate as a broker sees it: who, and why here. No personnummer or contact details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub id: String,
    pub rank: usize,
    pub score: f64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub municipality_code: crate::vocabulary::MunicipalityCode,
    pub occupations: Vec<String>,
    pub available_from: Option<crate::clock::Day>,
    pub explanation: Explanation,
}

/// Narrows a candidate list by the person's home municipality, a driving licence, a
/// language (any level) and availability.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_before: Option<chrono::NaiveDate>,
}

impl CandidateFilter {
    pub fn is_empty(&self) -> bool {
        self.municipality.is_none()
            && self.licence.is_none()
            && self.language.is_none()
            && self.available_before.is_none()
    }

    /// Empty fields mean no filter; unknown codes are named.
    pub fn validate(mut self) -> AppResult<Self> {
        let blank = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        self.municipality = blank(self.municipality);
        self.licence = blank(self.licence);
        self.language = blank(self.language);
        let r = crate::reference::reference();
        if self.municipality.as_ref().is_some_and(|m| !r.municipalities.contains_key(m)) {
            return Err(AppError::field("municipality", crate::error::Fault::Unknown, "is not a municipality code"));
        }
        if self.licence.as_ref().is_some_and(|l| !r.driving_licences.contains(l)) {
            return Err(AppError::field("licence", crate::error::Fault::Unknown, "is not a driving licence class"));
        }
        if self.language.as_ref().is_some_and(|l| !r.languages.contains_key(l)) {
            return Err(AppError::field("language", crate::error::Fault::Unknown, "is not a language code"));
        }
        Ok(self)
    }

    fn keeps(&self, s: &seekers::Seeker) -> bool {
        self.municipality.as_deref().is_none_or(|m| s.municipality_code.as_str() == m)
            && self.licence.as_ref().is_none_or(|l| s.driving_licences.contains(l))
            && self.language.as_ref().is_none_or(|l| s.languages.iter().any(|x| x.code == *l))
            && self.available_before.is_none_or(|d| s.available_from.as_ref().is_none_or(|a| a.date() <= d))
    }
}

/// How far down the ranking a filtered list looks: a filter narrows the best this many.
pub const FILTER_WINDOW: usize = 500;

/// A ranked page as served: its items, the total, and the id it was logged under (what a
/// proposal from it names, `ranking_log_id`).
#[derive(Debug)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub ranking_log_id: String,
}

/// A page of candidates over the API: `{items, total, limit, offset}` and the logged list's id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidatePage {
    pub items: Vec<Candidate>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// The ranking log's id of this list: send it with a proposal made from it
    /// (`POST /api/v1/placements`, `ranking_log_id`), so oversight counts the rank.
    pub ranking_log_id: String,
}

/// A page of openings ranked for a person, with the logged list's id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpeningMatchPage {
    pub items: Vec<OpeningMatch>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// The ranking log's id of this list (see [`CandidatePage::ranking_log_id`]).
    pub ranking_log_id: String,
}

/// Seekers ranked for an opening the caller may see; the shown seekers are audited under
/// `action` (the route that showed them) and the list is logged (`ranking_log`). Returns the
/// page and the number of candidates. With a filter, the page is taken from the best
/// [`FILTER_WINDOW`] that pass it.
pub fn candidates_for_opening(
    c: &mut DbConnection,
    at: Lookup<'_>,
    who: &Principal,
    opening_id: &str,
    (limit, offset): (i64, i64),
    filter: &CandidateFilter,
    action: &audit::Action,
) -> AppResult<Listed<Candidate>> {
    let now = at.now;
    let opening = openings::store::get_visible(c, who, opening_id)?;
    let exclude = crate::placements::store::seekers_on_opening(c, opening_id)?;
    let profile = OpeningProfile::new(&opening);
    let window = if filter.is_empty() { (limit as usize, offset as usize) } else { (FILTER_WINDOW, 0) };
    let (ranked, total) = candidates(&at.index.seekers, &profile, at.weights, &exclude, window.0, window.1)
        .map_err(|e| AppError::Internal(e.context("ranking candidates")))?;
    let ids: Vec<String> = ranked.iter().map(|r| r.id.clone()).collect();
    let version = super::version(at.weights);
    // The page's rows, their audit and the list's log in one transaction: what was shown is
    // exactly what was recorded. Ranking stays outside it, so SQLite's single writer is held
    // for the few statements only.
    crate::db::write_tx(c, |c| {
        let rows = seekers::store::rows_by_ids(c, &ids)?;
        let (items, total) = page_of(ranked, rows, total, (limit, offset), filter);
        let shown: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        crate::privacy::shown(c, who, &shown, action, now)?;
        let served = ranking_log::Served {
            who,
            list: ranking_log::ListKind::Candidates,
            route: &action.0,
            opening_id: Some(opening_id),
            seeker_id: None,
            version: &version,
            filters: serde_json::to_value(filter).unwrap_or_default(),
            total,
            shown: items
                .iter()
                .map(|i| ranking_log::Shown {
                    rank: i.rank as i32,
                    seeker_id: Some(i.id.clone()),
                    opening_id: None,
                    score: i.score,
                })
                .collect(),
        };
        let ranking_log_id = ranking_log::record(c, now, served)?;
        Ok(Listed { items, total, ranking_log_id })
    })
}

/// The ranked hits that are still on record and pass the filter, as a page of candidates.
fn page_of(
    ranked: Vec<super::Ranked>,
    rows: Vec<seekers::store::SeekerRow>,
    total: usize,
    (limit, offset): (i64, i64),
    filter: &CandidateFilter,
) -> (Vec<Candidate>, i64) {
    let mut rows: HashMap<String, _> = rows.into_iter().map(|r| (r.id.clone(), r)).collect();
    let kept: Vec<(super::Ranked, seekers::Seeker)> = ranked
        .into_iter()
        .filter_map(|r| {
            let s = seekers::Seeker::from(rows.remove(&r.id).filter(|row| row.erased_at.is_none())?);
            filter.keeps(&s).then_some((r, s))
        })
        .collect();
    let (total, page): (usize, Vec<_>) = if filter.is_empty() {
        (total, kept)
    } else {
        (kept.len(), kept.into_iter().skip(offset as usize).take(limit as usize).collect())
    };
    let items: Vec<Candidate> = page
        .into_iter()
        .enumerate()
        .map(|(i, (mut r, s))| {
            r.explanation.cite(s.inferred.as_ref());
            Candidate {
                id: r.id,
                rank: offset as usize + i + 1,
                score: r.score,
                first_name: s.first_name,
                last_name: s.last_name,
                municipality_code: s.municipality_code,
                occupations: s.occupations,
                available_from: s.available_from,
                explanation: r.explanation,
            }
        })
        .collect();
    (items, total as i64)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpeningMatch {
    pub id: String,
    pub rank: usize,
    pub score: f64,
    pub headline: String,
    pub employer_id: String,
    pub occupation: crate::vocabulary::SsykCode,
    pub occupation_name: Option<String>,
    pub municipality_code: String,
    pub employment_type: crate::openings::EmploymentType,
    pub start_date: Option<crate::clock::Day>,
    pub application_deadline: Option<crate::clock::Day>,
    pub explanation: Explanation,
}

/// Open openings ranked for a seeker the caller read through the privacy gate
/// (`seekers::service::read_person`): ranking reads the whole profile. The list is logged
/// (`ranking_log`) under `action`; call inside the transaction of the read.
pub fn openings_for_seeker(
    c: &mut DbConnection,
    at: Lookup<'_>,
    (who, action): (&Principal, &audit::Action),
    seeker: &seekers::Seeker,
    (limit, offset): (i64, i64),
) -> AppResult<Listed<OpeningMatch>> {
    let weights = at.weights;
    let profile = SeekerProfile::new(seeker);
    let (scored, total) = openings_for(&at.index.openings, &profile, weights, limit as usize, offset as usize)
        .map_err(|e| AppError::Internal(e.context("ranking openings")))?;
    let ids: Vec<String> = scored.iter().map(|s| s.id.clone()).collect();
    let mut rows: HashMap<String, _> =
        openings::store::rows_by_ids(c, &ids)?.into_iter().map(|r| (r.id.clone(), r)).collect();
    let items: Vec<OpeningMatch> = scored
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let o = openings::Opening::from(rows.remove(&s.id).filter(|r| r.deleted_at.is_none())?);
            let (_, mut explanation) = explain_opening(weights, &profile, &o, s.bm25);
            explanation.cite(seeker.inferred.as_ref());
            // How long this person has waited for a proposal, the same on every opening.
            explanation.waiting_since = seeker.last_proposed_at.unwrap_or(seeker.registered_at);
            Some(OpeningMatch {
                id: o.id,
                rank: offset as usize + i + 1,
                score: (s.score * 10_000.0).round() / 10_000.0,
                headline: o.headline,
                employer_id: o.employer_id,
                occupation: o.occupation,
                occupation_name: o.occupation_name,
                municipality_code: o.workplace_address.municipality_code,
                employment_type: o.employment_type,
                start_date: o.start_date,
                application_deadline: o.application_deadline,
                explanation,
            })
        })
        .collect();
    let served = ranking_log::Served {
        who,
        list: ranking_log::ListKind::Openings,
        route: &action.0,
        opening_id: None,
        seeker_id: Some(&seeker.id),
        version: &super::version(weights),
        filters: serde_json::json!({}),
        total: total as i64,
        shown: items
            .iter()
            .map(|o| ranking_log::Shown {
                rank: o.rank as i32,
                seeker_id: None,
                opening_id: Some(o.id.clone()),
                score: o.score,
            })
            .collect(),
    };
    let ranking_log_id = ranking_log::record(c, at.now, served)?;
    Ok(Listed { items, total: total as i64, ranking_log_id })
}
