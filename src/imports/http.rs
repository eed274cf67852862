use actix_multipart::Multipart;
use actix_web::{HttpResponse, get, post, web};
use futures_util::StreamExt;

use super::{Format, ImportReport, Mapping, Options, get as get_import, import, recent, stream_rows};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::state::AppState;

crate::api_handlers!(upload, list, show);

/// The largest file taken over HTTP (the command line has no limit).
pub const MAX_UPLOAD_BYTES: usize = 100 * 1024 * 1024;

/// An uploaded file, streamed to a temporary file as it arrives (never held in memory) and
/// read through a memory map, so the operating system pages it in and out as rows are read.
/// The temporary file is removed when this is dropped.
pub struct Uploaded {
    _file: tempfile::NamedTempFile,
    map: Option<memmap2::Mmap>,
}

impl Uploaded {
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or_default()
    }
}

/// Streams a part into a temporary file, at most `room` bytes; answers the file and its size.
async fn to_temporary_file(part: &mut actix_multipart::Field, room: usize) -> AppResult<(Uploaded, usize)> {
    use std::io::Write;
    let unwritable = |_| AppError::internal("a temporary file for the upload could not be written");
    let mut file = tempfile::NamedTempFile::new().map_err(unwritable)?;
    let mut size = 0usize;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file.as_file_mut());
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| AppError::field("file", Fault::Format, "the upload could not be read"))?;
            size += chunk.len();
            if size > room {
                return Err(too_large());
            }
            out.write_all(&chunk).map_err(unwritable)?;
        }
        out.flush().map_err(unwritable)?;
    }
    // SAFETY: the file is this upload's own temporary file, created above and written by
    // nobody else while it is mapped; it is removed only after the map (with `Uploaded`).
    let map = if size == 0 { None } else { Some(unsafe { memmap2::Mmap::map(file.as_file()) }.map_err(unwritable)?) };
    Ok((Uploaded { _file: file, map }, size))
}

fn too_large() -> AppError {
    AppError::field("file", Fault::Length, "must be at most 100 MiB (use `platsa import seekers` for larger files)")
}

/// A multipart upload: the file (with its name), an optional mapping, the two switches,
/// and for the page its CSRF token.
#[derive(Default)]
pub struct Upload {
    pub file: Option<(String, Uploaded)>,
    pub mapping: Option<String>,
    pub format: Option<String>,
    pub dry_run: bool,
    pub all_or_nothing: bool,
    pub csrf: String,
}

fn yes(v: &str) -> bool {
    matches!(v.trim(), "true" | "1" | "on" | "yes")
}

/// Reads the parts: `file` (required), `mapping` (a JSON file or text), `format`, `dry_run`,
/// `all_or_nothing`, `csrf`; others are refused.
pub async fn read_upload(mut parts: Multipart) -> AppResult<Upload> {
    let mut up = Upload::default();
    let mut total = 0usize;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| AppError::field("file", Fault::Format, "the upload could not be read"))?;
        let name = part.name().unwrap_or_default().to_string();
        let filename = part.content_disposition().and_then(|d| d.get_filename()).unwrap_or_default().to_string();
        if name == "file" {
            let (file, size) = to_temporary_file(&mut part, MAX_UPLOAD_BYTES.saturating_sub(total)).await?;
            total += size;
            up.file = Some((filename, file));
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| AppError::field(&name, Fault::Format, "the upload could not be read"))?;
            total += chunk.len();
            if total > MAX_UPLOAD_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        let text =
            || String::from_utf8(bytes.clone()).map_err(|_| AppError::field(&name, Fault::Format, "must be text"));
        match name.as_str() {
            "mapping" => up.mapping = Some(text()?).filter(|m| !m.trim().is_empty()),
            "format" => up.format = Some(text()?).filter(|m| !m.trim().is_empty()),
            "dry_run" => up.dry_run = yes(&text()?),
            "all_or_nothing" => up.all_or_nothing = yes(&text()?),
            "csrf" => up.csrf = text()?,
            _ => return Err(AppError::field(&name, Fault::Unknown, "is not a part of an import")),
        }
    }
    Ok(up)
}

/// Runs an upload as `who`.
pub async fn run(state: &AppState, who: &Principal, up: Upload) -> AppResult<ImportReport> {
    let (name, file) = up.file.ok_or_else(|| AppError::field("file", Fault::Required, "attach the file to import"))?;
    let format = match up.format.as_deref() {
        Some(f) => Format::parse(f.trim())
            .ok_or_else(|| AppError::field("format", Fault::Unknown, "must be csv, xlsx or jsonl"))?,
        None => Format::of_name(&name).ok_or_else(|| {
            AppError::field(
                "format",
                Fault::Required,
                "name the format (csv, xlsx, jsonl) or use a file name ending in one",
            )
        })?,
    };
    let mapping = match &up.mapping {
        Some(m) => Mapping::parse(m)?,
        None => Mapping::default(),
    };
    let opts = Options { dry_run: up.dry_run, all_or_nothing: up.all_or_nothing };
    let (now, today, who) = (state.clock.now_ts(), state.clock.today(), who.clone());
    db::run(&state.pool, move |c| {
        import(c, (now, today), &who, format, stream_rows(file.bytes(), format, &mapping)?, opts, &mut |_| {})
    })
    .await
}

/// The upload form, as the OpenAPI document describes it ([`read_upload`] reads it part by part).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// JSON object: the file's column name to a seeker field.
    mapping: Option<String>,
    /// Default: from the file name.
    #[schema(value_type = Option<String>, pattern = "^(csv|xlsx|jsonl)$")]
    format: Option<String>,
    #[schema(value_type = Option<String>, pattern = "^(true|false)$")]
    dry_run: Option<String>,
    #[schema(value_type = Option<String>, pattern = "^(true|false)$")]
    all_or_nothing: Option<String>,
}

/// Imports seekers from an uploaded file (admins); answers the report.
#[utoipa::path(
    tag = "imports",
    summary = "Import seekers from a CSV (`;` or `,`, with or without BOM), XLSX or JSON Lines file: every row validated as by POST /api/v1/seekers, matched by personnummer (updated, never duplicated); answers the report (row, field, code, message; never a value)",
    description = "Roles: admin",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "the report", body = crate::imports::ImportReport),
    ),
)]
#[post("/api/v1/imports/seekers")]
async fn upload(state: web::Data<AppState>, who: Principal, parts: Multipart) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let up = read_upload(parts).await?;
    let report = run(&state, &who, up).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(
    tag = "imports",
    summary = "The latest imports (dry runs too) with their reports",
    description = "Roles: admin.",
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::imports::ImportReport>),
    ),
)]
#[get("/api/v1/imports")]
async fn list(state: web::Data<AppState>, who: Principal) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let items = db::run(&state.pool, |c| recent(c, 100)).await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(crate::http::Page::new(items, total, total.max(1), 0)))
}

#[utoipa::path(
    tag = "imports",
    summary = "One import's report",
    description = "Roles: admin.",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "OK", body = crate::imports::ImportReport),
    ),
)]
#[get("/api/v1/imports/{id}")]
async fn show(state: web::Data<AppState>, who: Principal, id: web::Path<String>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(db::run(&state.pool, move |c| get_import(c, &id)).await?))
}
