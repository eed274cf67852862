//! The technical documentation, assembled: the accountability capability's facts and the
//! evaluation of the shipped sets (`platsa eval`, a developer tool above the capabilities),
//! served to admins (`GET /api/v1/accountability/document`) and written by
//! `platsa accountability document`.

use std::sync::Mutex;

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;

use crate::accountability::document::{self, EvalFigures, Lang};
use crate::auth::{Principal, Role};
use crate::config::MatchingSettings;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

crate::api_handlers!(show);

/// The shipped sets: `platsa eval --write-set` with its defaults, coded and free-text.
const SETS: [(bool, &str, &str); 2] = [
    (false, "genererad, frö 13, kodade profiler", "generated, seed 13, coded profiles"),
    (true, "genererad, frö 13, endast fri text", "generated, seed 13, free text only"),
];

/// Evaluations by ranking version: the same weights and rules give the same figures, and a
/// run builds two throw-away indexes (seconds), so once per version and process.
static EVALUATED: Mutex<Vec<(String, Vec<EvalFigures>)>> = Mutex::new(Vec::new());

/// The shipped sets' figures under `weights`, run in throw-away indexes under `dir`.
pub fn shipped_eval(weights: &MatchingSettings, dir: &std::path::Path) -> anyhow::Result<Vec<EvalFigures>> {
    let hash = crate::matching::version(weights).hash;
    if let Some((_, figures)) = EVALUATED.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|(h, _)| *h == hash) {
        return Ok(figures.clone());
    }
    let mut out = Vec::new();
    for (i, (free_text, sv, en)) in SETS.iter().enumerate() {
        let set = crate::eval::generate::generate(13, 40, 2000, *free_text);
        let run_dir = dir.join(format!("set-{i}-{}", std::process::id()));
        let report = crate::eval::run(&set, weights, &run_dir);
        let _ = std::fs::remove_dir_all(&run_dir);
        let report = report?;
        out.push(EvalFigures {
            set: format!("{sv} / {en}"),
            openings: report.openings,
            seekers: report.seekers,
            ndcg_at_10: report.ndcg_at_10,
            recall_at_50: report.recall_at_50,
            violations: report.violations,
        });
    }
    EVALUATED.lock().unwrap_or_else(|p| p.into_inner()).push((hash, out.clone()));
    Ok(out)
}

crate::text_enum! {
    /// The document's format.
    #[derive(Default)]
    pub enum Format {
        #[default]
        Markdown = "markdown",
        Html = "html",
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DocumentQuery {
    /// `markdown` (the default) or `html`.
    format: Option<String>,
    /// `both` (Swedish, then English; the default), `sv` or `en`.
    lang: Option<String>,
}

impl DocumentQuery {
    fn parse(&self) -> AppResult<(Format, Lang)> {
        let format = match self.format.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Format::default(),
            Some(f) => Format::parse(f)
                .ok_or_else(|| AppError::field("format", crate::error::Fault::Unknown, "is markdown or html"))?,
        };
        let lang = match self.lang.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Lang::default(),
            Some(l) => Lang::parse(l)
                .ok_or_else(|| AppError::field("lang", crate::error::Fault::Unknown, "is both, sv or en"))?,
        };
        Ok((format, lang))
    }
}

/// Where the throw-away evaluation indexes go: beside the service's own.
pub fn eval_dir(index_dir: &std::path::Path) -> std::path::PathBuf {
    index_dir.join("eval-documentation")
}

/// The document in `format` and `lang`, with its content type.
pub fn render(facts: &document::Facts, format: Format, lang: Lang) -> (String, &'static str) {
    match format {
        Format::Markdown => (document::markdown(facts, lang), "text/markdown; charset=utf-8"),
        Format::Html => (document::html(facts, lang), "text/html; charset=utf-8"),
    }
}

#[utoipa::path(
    tag = "accountability",
    summary = "The technical documentation of the ranking (purpose, rules and weights in force and their history, data used and not used, evaluation figures of the shipped sets, last month's exposure and oversight, limitations, log retention, how a person gets an explanation), in Swedish and English",
    description = "Roles: admin. The first request after a change of weights runs the evaluation (seconds).",
    params(DocumentQuery),
    responses(
        (status = 200, description = "Markdown (or HTML with format=html)", content(
            (String = "text/markdown"),
            (String = "text/html"),
        )),
    ),
)]
#[get("/api/v1/accountability/document")]
async fn show(state: web::Data<AppState>, who: Principal, q: web::Query<DocumentQuery>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let (format, lang) = q.parse()?;
    let (weights, dir) = (state.settings.matching, eval_dir(&state.settings.index_dir));
    let eval = tokio::task::spawn_blocking(move || shipped_eval(&weights, &dir))
        .await
        .map_err(|e| AppError::internal(format!("the evaluation stopped: {e}")))?
        .map_err(|e| AppError::Internal(e.context("evaluating the shipped sets")))?;
    let (st, accountability) = (state.clone(), state.settings.accountability);
    let facts = db::run(&state.pool, move |c| document::facts(c, st.lookup(), accountability, eval)).await?;
    let (body, content_type) = render(&facts, format, lang);
    Ok(HttpResponse::Ok().content_type(content_type).body(body))
}
