use actix_web::{HttpResponse, get, web};
use serde::Deserialize;

use super::{Vocabulary, lookup};
use crate::auth::Principal;
use crate::error::{AppError, AppResult, Fault, Thing};
use crate::http::Paging;

crate::api_handlers!(typeahead);

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TypeaheadQuery {
    #[serde(default)]
    q: String,
}

/// `GET /api/v1/taxonomy/{occupations|skills|municipalities|languages}?q=`: open to every
/// signed-in role (employers describe their openings with the same codes). Reference data
/// only, so nothing is audited.
#[utoipa::path(
    tag = "taxonomy",
    summary = "Typeahead over a reference vocabulary: occupations (JobTech occupation names and SSYK groups → SSYK code), skills, municipalities, languages; by name, code or concept id, ranked, a typo forgiven",
    description = "Roles: every signed-in role.",
    params(
        TypeaheadQuery,
        crate::http::Paging,
        ("vocabulary" = inline(super::Vocabulary), Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::taxonomy::Term>),
    ),
)]
#[get("/api/v1/taxonomy/{vocabulary}")]
async fn typeahead(
    _who: Principal,
    vocabulary: web::Path<String>,
    q: web::Query<TypeaheadQuery>,
    paging: Paging,
) -> AppResult<HttpResponse> {
    let vocabulary = Vocabulary::parse(&vocabulary).ok_or(AppError::NotFound(Thing::Vocabulary))?;
    let q = q.into_inner().q;
    if q.trim().is_empty() {
        return Err(AppError::field("q", Fault::Required, "type a few letters of a name, or a code"));
    }
    if q.chars().count() > 100 {
        return Err(AppError::field("q", Fault::Length, "must be at most 100 characters"));
    }
    let (items, total) = lookup(vocabulary, &q, paging.limit as usize, paging.offset as usize);
    Ok(HttpResponse::Ok().json(paging.page(items, total as i64)))
}
