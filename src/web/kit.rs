//! The page kit every page builds with: the search form and its query, the pager, and the
//! notice after an action. Runs no query.

use maud::{Markup, html};

use super::labels::Label;
use crate::db::text_enum::TextEnum;
use crate::index::query::SearchQuery;

/// Rows on a page of a list.
pub const PAGE: i64 = 20;

/// The search form shared by the lists: free text and the API's filters.
pub fn search_form<S: TextEnum + Label>(action: &str, q: &SearchQuery, with_available: bool) -> Markup {
    html! {
        form.filters method="get" action=(action) {
            @if q.mine.as_deref() == Some("1") { input type="hidden" name="mine" value="1"; }
            label { "Sök"
                input type="search" name="q" value=(q.q)
                    placeholder=(if with_available { "namn, personnummer, telefon, e-post, ort eller yrke" } else { "t.ex. undersköterska, svetsare, truckkort" });
            }
            label { "Kommun" input #f-municipality name="municipality" value=(q.municipality.clone().unwrap_or_default()) placeholder="t.ex. Trelleborg" data-typeahead="municipalities" autocomplete="off"; }
            label { "Yrke" input #f-occupation name="occupation" value=(q.occupation.clone().unwrap_or_default()) placeholder="t.ex. undersköterska" data-typeahead="occupations" autocomplete="off"; }
            label { "Körkort" input name="licence" value=(q.licence.clone().unwrap_or_default()) placeholder="B" size="4"; }
            @if with_available {
                label { "Tillgänglig före" input type="date" name="available_before" value=(q.available_before.clone().unwrap_or_default()); }
            }
            label { "Status"
                select name="status" {
                    option value="" { "Alla" }
                    @for s in S::all() {
                        option value=(s.word()) selected[q.status.as_deref() == Some(s.word())] { (s.label()) }
                    }
                }
            }
            button type="submit" { "Sök" }
        }
    }
}

/// Empty form fields mean "no filter".
pub fn clean(mut q: SearchQuery) -> SearchQuery {
    for f in [&mut q.municipality, &mut q.occupation, &mut q.licence, &mut q.status, &mut q.available_before] {
        if f.as_deref().is_some_and(|v| v.trim().is_empty()) {
            *f = None;
        }
    }
    q
}

/// The query with municipality and occupation names (as picked in the form, or typed: then
/// the best match) read as their codes; a name that matches nothing is left for validation
/// to name.
pub fn with_codes(mut q: SearchQuery) -> SearchQuery {
    use crate::taxonomy::{Vocabulary, best, resolve};
    let codes = |v: Vocabulary, text: &str| {
        // A picked term ("Undersköterskor, hemtjänst … (5321)") may itself hold commas.
        if let Some(term) = resolve(v, text) {
            return term.code;
        }
        text.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                if t.chars().all(|c| c.is_ascii_digit()) {
                    t.to_string()
                } else {
                    best(v, t).map(|term| term.code).unwrap_or_else(|| t.to_string())
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    q.municipality = q.municipality.map(|m| codes(Vocabulary::Municipalities, &m));
    q.occupation = q.occupation.map(|o| codes(Vocabulary::Occupations, &o));
    q
}

/// An occupation as typed or picked in a typeahead field: a code stays a code, a picked term
/// or a typed name becomes its best match's code; a name that matches nothing is left for
/// validation to name.
pub fn occupation_code(text: &str) -> String {
    use crate::taxonomy::{Vocabulary, best, resolve};
    let text = text.trim();
    if text.chars().all(|c| c.is_ascii_digit()) {
        return text.to_string();
    }
    resolve(Vocabulary::Occupations, text)
        .or_else(|| best(Vocabulary::Occupations, text))
        .map(|t| t.code)
        .unwrap_or_else(|| text.to_string())
}

/// Previous/next links keeping the query.
pub fn pager(path: &str, query: &str, offset: i64, shown: usize, total: i64) -> Markup {
    let link = |o: i64| format!("{path}?{query}{}offset={o}", if query.is_empty() { "" } else { "&" });
    html! {
        nav.pager aria-label="Bläddra i listan" {
            @if offset > 0 { a href=(link((offset - PAGE).max(0))) { "← Föregående" } }
            @if shown == 0 { span { "Inga träffar" } }
            @else { span { (offset + 1) "–" (offset + shown as i64) " av " (total) } }
            @if offset + (shown as i64) < total { a href=(link(offset + PAGE)) { "Nästa →" } }
        }
    }
}

/// The request's query string without its `offset`, for the pager's links.
pub fn query_without_offset(req: &actix_web::HttpRequest) -> String {
    req.query_string().split('&').filter(|p| !p.starts_with("offset=") && !p.is_empty()).collect::<Vec<_>>().join("&")
}

/// A message shown at the top of a page after an action.
pub enum Flash {
    Done(String),
    Failed(String),
}

pub fn flash(f: &Option<Flash>) -> Markup {
    html! {
        @match f {
            Some(Flash::Done(m)) => div.notice.ok role="status" { (m) },
            Some(Flash::Failed(m)) => div.notice.error role="alert" { (m) },
            None => {},
        }
    }
}
