//! `/imports`: admins upload a municipality's register (CSV from Excel, XLSX, JSON Lines),
//! try it first as a dry run, and read the report row by row in Swedish; Post/Redirect/Get
//! to `/imports/{id}`, where every import's report stays.

use actix_multipart::Multipart;
use actix_web::{get, http::StatusCode, post, web};
use maud::html;

use super::labels::{Label, field_name};
use super::layout::{self, instant};
use super::{Staff, WebResult, ok, page_response, see_other};
use crate::auth::Role;
use crate::db;
use crate::error::Fault;
use crate::imports::http::{read_upload, run};
use crate::imports::{ImportReport, RowProblem, get as get_import, recent};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(page).service(upload).service(report_page);
}

/// A problem as a sentence: the field by name, what is wrong with it.
fn sentence(p: &RowProblem) -> String {
    let base = p.field.split(['.', '[']).next().unwrap_or(&p.field);
    let what = match p.code.as_str() {
        "personnummer.duplicate" => "finns redan på en tidigare rad".to_string(),
        "languages.format" => "skrivs som kod:nivå, till exempel sv:native, en:good".to_string(),
        "row.unknown_field" => "har ett fält som inte finns (mappa det eller ta bort det)".to_string(),
        "row.format" => "är inte ett JSON-objekt".to_string(),
        "phone.leading_zero" => {
            "har nio siffror utan inledande nolla (Excel tar bort nollan i en talcell: formatera kolumnen som text)"
                .to_string()
        }
        "broker.not_found" => "finns inte som jobbmäklare i Platsa (skriv namnet eller e-postadressen)".to_string(),
        "broker.duplicate" => "passar flera jobbmäklare (skriv e-postadressen)".to_string(),
        code => code
            .rsplit('.')
            .next()
            .and_then(Fault::parse)
            .map(|f| f.label().to_string())
            .unwrap_or_else(|| "kunde inte sparas".to_string()),
    };
    let name = if base == "row" { "Raden" } else { field_name(base) };
    format!("{name} {what}.")
}

fn form(staff: &Staff) -> maud::Markup {
    html! {
        form.stack.import method="post" action="/imports" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(staff.csrf);
            label.field { "Fil (CSV från Excel, XLSX eller JSON Lines)"
                input type="file" name="file" required accept=".csv,.txt,.xlsx,.jsonl,.ndjson"; }
            label.field { "Kolumnmappning (valfri, JSON: {\"Personnr\": \"personnummer\"})"
                textarea name="mapping" rows="3" {} }
            label.check { input type="checkbox" name="dry_run" value="true" checked; " Provkör: kontrollera utan att spara" }
            label.check { input type="checkbox" name="all_or_nothing" value="true"; " Allt eller inget: spara ingenting om någon rad är fel" }
            button type="submit" { "Läs in" }
        }
    }
}

#[get("/imports")]
async fn page(state: web::Data<AppState>, staff: Staff) -> WebResult {
    staff.require(&[Role::Admin])?;
    let list = db::run(&state.pool, |c| recent(c, 30)).await?;
    let body = html! {
        h1 { "Läs in arbetssökande" }
        p { "Kolumnerna hittas på sina namn (Personnummer, Förnamn, Efternamn, E-post, Telefon, Kommun, Yrken, Kompetenser, Språk, Körkort, Tillgänglig från, Max pendling km, Sammanfattning, Enhet, Jobbmäklare med namn eller e-post) eller genom mappningen. En fil som Excel sparat som \"CSV (semikolonavgränsad)\" läses som den är. Varje rad kontrolleras som när en profil registreras; finns personnumret redan uppdateras personen." }
        (form(&staff))
        @if !list.is_empty() {
            h2 { "Tidigare inläsningar" }
            ul.list { @for r in &list {
                li { a href=(format!("/imports/{}", r.id)) { (r.rows) " rader" } " · " (r.format.as_str()) " · "
                    @if r.dry_run { "provkörning" } @else { (r.created) " nya, " (r.updated) " uppdaterade" } ", " (r.failed) " med fel" }
            } }
        }
    };
    ok(layout::page("Läs in arbetssökande", &staff.chrome(), body))
}

#[post("/imports")]
async fn upload(state: web::Data<AppState>, staff: Staff, parts: Multipart) -> WebResult {
    staff.require(&[Role::Admin])?;
    let up = read_upload(parts).await?;
    staff.check(&up.csrf)?;
    match run(&state, &staff.who, up).await {
        Ok(report) => Ok(see_other(&format!("/imports/{}", report.id))),
        Err(e) => {
            let (title, message) = super::labels::app_error(&e);
            let body = html! {
                h1 { "Läs in arbetssökande" }
                section.notice.error { h2 { (title) } p { (message) } }
                (form(&staff))
            };
            Ok(page_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                layout::page("Läs in arbetssökande", &staff.chrome(), body),
            ))
        }
    }
}

fn summary(r: &ImportReport) -> String {
    if r.dry_run {
        format!("Provkörning: {} rader, {} går att läsa in, {} har fel. Ingenting sparades.", r.rows, r.valid, r.failed)
    } else if !r.applied && r.failed > 0 && r.all_or_nothing {
        format!("{} rader, {} har fel: ingenting sparades (allt eller inget).", r.rows, r.failed)
    } else {
        format!("{} rader: {} nya, {} uppdaterade, {} med fel.", r.rows, r.created, r.updated, r.failed)
    }
}

#[get("/imports/{id}")]
async fn report_page(state: web::Data<AppState>, staff: Staff, id: web::Path<String>) -> WebResult {
    staff.require(&[Role::Admin])?;
    let id = id.into_inner();
    let (r, at) = db::run(&state.pool, move |c| {
        let r = get_import(c, &id)?;
        let at: i64 = {
            use crate::db::schema::imports;
            use diesel::prelude::*;
            imports::table.find(&r.id).select(imports::at).first(c)?
        };
        Ok((r, at))
    })
    .await?;
    let body = html! {
        h1 { "Inläsning " (instant(at)) }
        p.notice.ok #summary { (summary(&r)) }
        @if !r.unknown_columns.is_empty() {
            section.notice.warn #unknown-columns {
                h2 { "Kolumner som inte lästes" }
                p { "Ingen uppgift i Platsa har de här rubrikerna, så inget i dem lästes in. Mappa dem eller ta bort dem: " }
                ul { @for c in &r.unknown_columns { li { (c) } } }
            }
        }
        @if !r.problems.is_empty() {
            div.scroll tabindex="0" role="region" aria-label="Problem per rad" {
                table.differences #problems {
                    thead { tr { th scope="col" { "Rad" } th scope="col" { "Fält" } th scope="col" { "Problem" } } }
                    tbody { @for p in &r.problems {
                        tr { td { (p.row) } td { (field_name(p.field.split(['.', '[']).next().unwrap_or(&p.field))) } td { (sentence(p)) } }
                    } }
                }
            }
        }
        p { a href="/imports" { "Läs in en fil till" } }
    };
    ok(layout::page("Inläsning", &staff.chrome(), body))
}
