//! The admin's day in pages (`/admin`): users and their keys (create with role, e-mail and
//! units, the key shown once; revoke), units, employers, and officers with their working
//! hours and absences. Each form calls the same store functions as the API, Post/Redirect/Get.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpRequest, get, http::StatusCode, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::kit::{Flash, flash};
use super::labels::Label;
use super::layout;
use super::{Staff, WebResult, ok, page_response, see_other, urlencode};
use crate::auth::{Role, store as users};
use crate::booking::officers::{self, AbsenceInput, OfficerInput, WeeklyHours};
use crate::db;
use crate::error::{AppError, Errors, Fault, FieldError};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index)
        .service(user_list)
        .service(create_user)
        .service(user_page)
        .service(set_units)
        .service(new_token)
        .service(revoke_token)
        .service(unit_list)
        .service(create_unit)
        .service(unit_active)
        .service(employer_list)
        .service(create_employer)
        .service(officer_list)
        .service(create_officer)
        .service(officer_page)
        .service(update_officer)
        .service(add_absence);
}

/// A new key travels from the form's answer to the page that shows it once in this cookie
/// (HttpOnly, SameSite=Strict, two minutes, only under `/admin/users`), never in a URL or
/// the database; the page clears it as it shows the key.
const NEW_TOKEN_COOKIE: &str = "platsa_new_token";

fn admin(staff: &Staff) -> Result<(), super::WebError> {
    staff.require(&[Role::Admin])
}

/// Problems above a form, in Swedish, naming the fields.
fn problems(errors: &[FieldError]) -> Markup {
    html! { @if !errors.is_empty() { p.notice.error role="alert" { (super::labels::field_problems(errors)) } } }
}

/// A refused form: its problems, a conflict as a duplicate of `conflicting` (the field the
/// database found taken), or (for anything else) the error page.
fn refused(e: AppError, conflicting: &str) -> Result<Vec<FieldError>, super::WebError> {
    match e {
        AppError::Validation(errors) => Ok(errors),
        AppError::Conflict { detail, .. } => Ok(vec![FieldError {
            field: conflicting.into(),
            code: format!("{conflicting}.duplicate"),
            message: detail,
            fault: Fault::Duplicate,
        }]),
        e => Err(e.into()),
    }
}

fn page(staff: &Staff, title: &str, status: StatusCode, body: Markup) -> WebResult {
    let body = html! {
        nav.crumbs aria-label="Administration" { a href="/admin" { "Administration" } }
        (body)
    };
    Ok(page_response(status, layout::page(title, &staff.chrome(), body)))
}

#[get("/admin")]
async fn index(staff: Staff) -> WebResult {
    admin(&staff)?;
    let body = html! {
        h1 { "Administration" }
        ul.list {
            li { a href="/admin/users" { "Användare och nycklar" } " – skapa användare med roll och enheter, återkalla nycklar" }
            li { a href="/admin/units" { "Enheter" } }
            li { a href="/admin/employers" { "Arbetsgivare" } }
            li { a href="/admin/officers" { "Arbetsmarknadssekreterare" } " – arbetstider och frånvaro" }
            li { a href="/imports" { "Läs in arbetssökande" } }
        }
    };
    ok(layout::page("Administration", &staff.chrome(), body))
}

// ---------------------------------------------------------------- users and keys

/// The users, each with role, e-mail and units, and the form for a new one.
#[get("/admin/users")]
async fn user_list(state: web::Data<AppState>, staff: Staff) -> WebResult {
    admin(&staff)?;
    users_page(&state, &staff, &UserForm::default(), &[], StatusCode::OK).await
}

#[derive(Default)]
struct UserForm {
    csrf: String,
    name: String,
    role: String,
    email: String,
    employer_id: String,
    units: Vec<String>,
}

impl UserForm {
    fn of(pairs: Vec<(String, String)>) -> Self {
        let mut f = UserForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "name" => f.name = v,
                "role" => f.role = v,
                "email" => f.email = v,
                "employer_id" => f.employer_id = v,
                "unit" => f.units.push(v),
                _ => {}
            }
        }
        f
    }
}

async fn users_page(
    state: &AppState,
    staff: &Staff,
    f: &UserForm,
    errors: &[FieldError],
    status: StatusCode,
) -> WebResult {
    let (list, units, employers) = db::run(&state.pool, |c| {
        let (list, _) = users::list_users(c, None, 500, 0)?;
        let with_units = list
            .into_iter()
            .map(|u| Ok((crate::units::of_user(c, &u.id)?, u)))
            .collect::<Result<Vec<_>, AppError>>()?;
        let units = crate::units::list(c)?.into_iter().filter(|u| u.active).map(|u| u.name).collect::<Vec<_>>();
        let (employers, _) = crate::employers::list(c, 500, 0)?;
        Ok((with_units, units, employers))
    })
    .await?;
    let body = html! {
        h1 { "Användare och nycklar" }
        div.scroll tabindex="0" role="region" aria-label="Användare" {
            table.results.users {
                thead { tr { th scope="col" { "Namn" } th scope="col" { "Roll" } th scope="col" { "E-post" } th scope="col" { "Enheter" } } }
                tbody { @for (u_units, u) in &list {
                    tr {
                        td { a href=(format!("/admin/users/{}", u.id)) { (u.name) } }
                        td { (Role::parse(&u.role).map(|r| r.label()).unwrap_or("–")) }
                        td { (u.email.as_deref().unwrap_or("–")) }
                        td { @if u_units.is_empty() { "Alla" } @else { (u_units.join(", ")) } }
                    }
                } }
            }
        }
        h2 #new { "Ny användare" }
        (problems(errors))
        form.stack.new-user method="post" action="/admin/users" {
            input type="hidden" name="csrf" value=(staff.csrf);
            label.field { "Namn" input name="name" value=(f.name) required maxlength="200" autocomplete="off"; }
            label.field { "Roll"
                select name="role" required {
                    @for r in Role::ALL { option value=(r.as_str()) selected[f.role == r.as_str()] { (r.label()) } }
                }
            }
            label.field { "E-post (valfri; en inläsnings kolumn Jobbmäklare kan ange den)" input name="email" type="email" value=(f.email) autocomplete="off"; }
            label.field { "Arbetsgivare (bara för rollen arbetsgivare)"
                select name="employer_id" {
                    option value="" { "–" }
                    @for e in &employers { option value=(e.id) selected[f.employer_id == e.id] { (e.name) } }
                }
            }
            fieldset {
                legend { "Enheter (inga: alla enheter)" }
                @for u in &units {
                    label.check { input type="checkbox" name="unit" value=(u) checked[f.units.contains(u)]; " " (u) }
                }
            }
            button type="submit" { "Skapa användare och nyckel" }
        }
    };
    page(staff, "Användare och nycklar", status, body)
}

/// Checks the form, then creates the user and their first key in one transaction (units
/// are checked first, then set).
#[post("/admin/users")]
async fn create_user(state: web::Data<AppState>, staff: Staff, form: web::Form<Vec<(String, String)>>) -> WebResult {
    admin(&staff)?;
    let f = UserForm::of(form.into_inner());
    staff.check(&f.csrf)?;
    let mut errors = Errors::new();
    let role = Role::parse(&f.role);
    if role.is_none() {
        errors.add("role", Fault::Unknown, "välj en roll");
    }
    let name = f.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        errors.add("name", Fault::Length, "1 till 200 tecken");
    }
    let employer = Some(f.employer_id.clone()).filter(|e| !e.is_empty());
    match (role, &employer) {
        (Some(Role::Employer), None) => errors.add("employer_id", Fault::Required, "välj arbetsgivaren"),
        (Some(r), Some(_)) if r != Role::Employer => {
            errors.add("employer_id", Fault::NotApplicable, "bara rollen arbetsgivare hör till en arbetsgivare")
        }
        _ => {}
    }
    let email = Some(f.email.trim().to_lowercase()).filter(|e| !e.is_empty());
    if let Err(AppError::Validation(mut e)) = errors.into_result() {
        return users_page(&state, &staff, &f, &std::mem::take(&mut e), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (now, role, units) = (state.clock.now_ts(), role.expect("checked"), f.units.clone());
    let created = db::run(&state.pool, move |c| {
        for (i, u) in units.iter().enumerate() {
            crate::units::check(c, Some(u), &format!("units[{i}]"))?;
        }
        let issued = users::create_user_with_token(c, now, role, &name, employer.as_deref(), email.as_deref())?;
        if !units.is_empty() {
            crate::units::set_for_user(c, &issued.user_id, &units)?;
        }
        Ok(issued)
    })
    .await;
    match created {
        Ok(issued) => {
            tracing::info!(token_id = %issued.id, user_id = %issued.user_id, role = %issued.role, "user created from the admin page");
            Ok(with_new_token(&format!("/admin/users/{}", issued.user_id), &issued.token))
        }
        // The only unique value a new user has is the e-mail address.
        Err(e) => users_page(&state, &staff, &f, &refused(e, "email")?, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

fn with_new_token(to: &str, token: &str) -> actix_web::HttpResponse {
    let mut res = see_other(to);
    let cookie = Cookie::build(NEW_TOKEN_COOKIE, token.to_string())
        .path("/admin/users")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(Duration::minutes(2))
        .finish();
    let _ = res.add_cookie(&cookie);
    res
}

#[derive(Deserialize)]
struct UserQuery {
    units: Option<String>,
    revoked: Option<String>,
}

/// One user: their units, their keys (revoke; a new one), and a key just made, shown once.
#[get("/admin/users/{id}")]
async fn user_page(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    id: web::Path<String>,
    q: web::Query<UserQuery>,
) -> WebResult {
    admin(&staff)?;
    let id = id.into_inner();
    let (user, mine, units, tokens) = db::run(&state.pool, {
        let id = id.clone();
        move |c| {
            let user = users::user(c, &id)?.ok_or(AppError::NotFound(crate::error::Thing::User))?;
            let mine = crate::units::of_user(c, &id)?;
            let units = crate::units::list(c)?;
            let tokens = users::tokens_of(c, &id)?;
            Ok((user, mine, units, tokens))
        }
    })
    .await?;
    let shown_once = req.cookie(NEW_TOKEN_COOKIE).map(|c| c.value().to_string()).filter(|t| !t.is_empty());
    let message = match (&q.units, &q.revoked) {
        (Some(_), _) => Some(Flash::Done("Enheterna är sparade.".into())),
        (_, Some(_)) => Some(Flash::Done("Nyckeln är återkallad: den fungerar inte längre.".into())),
        _ => None,
    };
    let body = html! {
        (flash(&message))
        h1 { (user.name) }
        p.muted { (Role::parse(&user.role).map(|r| r.label()).unwrap_or("–")) @if let Some(e) = &user.email { " · " (e) } }
        @if let Some(t) = &shown_once {
            section.notice.ok #new-token role="status" {
                h2 { "Nyckeln – kopiera den nu" }
                p { "Den visas bara den här gången. Ge den till " (user.name) " på ett säkert sätt; den loggar in på Platsa och används mot API:t." }
                p { output.token { (t) } }
            }
        }
        h2 { "Enheter" }
        form.stack method="post" action=(format!("/admin/users/{}/units", urlencode(&id))) {
            input type="hidden" name="csrf" value=(staff.csrf);
            fieldset {
                legend { "Enheter personen arbetar i (inga: alla)" }
                @for u in &units {
                    label.check { input type="checkbox" name="unit" value=(u.name) checked[mine.contains(&u.name)]; " " (u.name) @if !u.active { " (inaktiv)" } }
                }
            }
            button type="submit" { "Spara enheter" }
        }
        h2 { "Nycklar" }
        @if tokens.is_empty() { p.muted { "Inga nycklar." } }
        ul.list.tokens {
            @for t in &tokens {
                li {
                    "Skapad " (layout::instant(t.created_at))
                    @if let Some(r) = t.revoked_at { " · återkallad " (layout::instant(r)) }
                    @else {
                        form.inline method="post" action=(format!("/admin/tokens/{}/revoke", urlencode(&t.id))) {
                            input type="hidden" name="csrf" value=(staff.csrf);
                            input type="hidden" name="user" value=(id);
                            " " button.secondary type="submit" { "Återkalla" }
                        }
                    }
                }
            }
        }
        form method="post" action=(format!("/admin/users/{}/tokens", urlencode(&id))) {
            input type="hidden" name="csrf" value=(staff.csrf);
            button type="submit" { "Skapa en ny nyckel" }
        }
    };
    let mut res = page(&staff, &user.name, StatusCode::OK, body)?;
    if shown_once.is_some() {
        // Shown once: the browser drops it now.
        let mut gone = Cookie::build(NEW_TOKEN_COOKIE, "").path("/admin/users").finish();
        gone.make_removal();
        let _ = res.add_cookie(&gone);
    }
    Ok(res)
}

#[post("/admin/users/{id}/units")]
async fn set_units(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult {
    admin(&staff)?;
    let f = UserForm::of(form.into_inner());
    staff.check(&f.csrf)?;
    let id = id.into_inner();
    let units = f.units;
    db::run(&state.pool, {
        let id = id.clone();
        move |c| {
            users::user(c, &id)?.ok_or(AppError::NotFound(crate::error::Thing::User))?;
            crate::units::set_for_user(c, &id, &units)
        }
    })
    .await?;
    Ok(see_other(&format!("/admin/users/{}?units=1", urlencode(&id))))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
}

/// Another key for the user (rotation): shown once on their page.
#[post("/admin/users/{id}/tokens")]
async fn new_token(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> WebResult {
    admin(&staff)?;
    staff.check(&form.csrf)?;
    let (id, now) = (id.into_inner(), state.clock.now_ts());
    let issued = db::run(&state.pool, {
        let id = id.clone();
        move |c| users::create_token_for_user(c, now, &id)
    })
    .await?;
    tracing::info!(token_id = %issued.id, user_id = %issued.user_id, "token issued from the admin page");
    Ok(with_new_token(&format!("/admin/users/{}", urlencode(&id)), &issued.token))
}

#[post("/admin/tokens/{id}/revoke")]
async fn revoke_token(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> WebResult {
    admin(&staff)?;
    staff.check(&form.csrf)?;
    let (id, now) = (id.into_inner(), state.clock.now_ts());
    let found = db::run(&state.pool, {
        let id = id.clone();
        move |c| users::revoke(c, now, &id)
    })
    .await?;
    if !found {
        return Err(AppError::NotFound(crate::error::Thing::Token).into());
    }
    tracing::info!(token_id = %id, "token revoked from the admin page");
    Ok(see_other(&format!("/admin/users/{}?revoked=1", urlencode(&form.user))))
}

// ---------------------------------------------------------------- units

#[get("/admin/units")]
async fn unit_list(state: web::Data<AppState>, staff: Staff) -> WebResult {
    admin(&staff)?;
    units_page(&state, &staff, "", &[], StatusCode::OK).await
}

async fn units_page(
    state: &AppState,
    staff: &Staff,
    name: &str,
    errors: &[FieldError],
    status: StatusCode,
) -> WebResult {
    let list = db::run(&state.pool, crate::units::list).await?;
    let body = html! {
        h1 { "Enheter" }
        ul.list.units {
            @for u in &list {
                li {
                    strong { (u.name) } @if !u.active { " (inaktiv: erbjuds inte för nya uppgifter)" }
                    form.inline method="post" action=(format!("/admin/units/{}/active", urlencode(&u.name))) {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        input type="hidden" name="active" value=(if u.active { "0" } else { "1" });
                        " " button.secondary type="submit" { @if u.active { "Gör inaktiv" } @else { "Gör aktiv" } }
                    }
                }
            }
        }
        h2 { "Ny enhet" }
        (problems(errors))
        form.stack method="post" action="/admin/units" {
            input type="hidden" name="csrf" value=(staff.csrf);
            label.field { "Namn" input name="name" value=(name) required maxlength="100"; }
            button type="submit" { "Skapa enheten" }
        }
    };
    page(staff, "Enheter", status, body)
}

#[derive(Deserialize)]
struct UnitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    active: String,
}

#[post("/admin/units")]
async fn create_unit(state: web::Data<AppState>, staff: Staff, form: web::Form<UnitForm>) -> WebResult {
    admin(&staff)?;
    staff.check(&form.csrf)?;
    let (now, name) = (state.clock.now_ts(), form.name.clone());
    let input = crate::units::UnitInput { name: name.clone(), active: true };
    match db::run(&state.pool, move |c| crate::units::create(c, now, input)).await {
        Ok(_) => Ok(see_other("/admin/units")),
        Err(e) => units_page(&state, &staff, &name, &refused(e, "name")?, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[post("/admin/units/{name}/active")]
async fn unit_active(
    state: web::Data<AppState>,
    staff: Staff,
    name: web::Path<String>,
    form: web::Form<UnitForm>,
) -> WebResult {
    admin(&staff)?;
    staff.check(&form.csrf)?;
    let (now, name, active) = (state.clock.now_ts(), name.into_inner(), form.active == "1");
    let patch = crate::units::UnitPatch { name: None, active: Some(active) };
    db::run(&state.pool, move |c| crate::units::update(c, now, &name, patch)).await?;
    Ok(see_other("/admin/units"))
}

// ---------------------------------------------------------------- employers

#[get("/admin/employers")]
async fn employer_list(state: web::Data<AppState>, staff: Staff) -> WebResult {
    admin(&staff)?;
    employers_page(&state, &staff, &EmployerForm::default(), &[], StatusCode::OK).await
}

#[derive(Deserialize, Default)]
struct EmployerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    organization_number: String,
    #[serde(default)]
    municipal: Option<String>,
}

async fn employers_page(
    state: &AppState,
    staff: &Staff,
    f: &EmployerForm,
    errors: &[FieldError],
    status: StatusCode,
) -> WebResult {
    let (list, _) = db::run(&state.pool, |c| crate::employers::list(c, 1000, 0)).await?;
    let body = html! {
        h1 { "Arbetsgivare" }
        div.scroll tabindex="0" role="region" aria-label="Arbetsgivare" {
            table.results.employers {
                thead { tr { th scope="col" { "Namn" } th scope="col" { "Organisationsnummer" } th scope="col" { "Slag" } } }
                tbody { @for e in &list {
                    tr {
                        td { a href=(format!("/employers/{}", e.id)) { (e.name) } }
                        td { (e.organization_number) }
                        td { @if e.municipal { "Kommunal" } @else { "Privat eller annan" } }
                    }
                } }
            }
        }
        h2 { "Ny arbetsgivare" }
        (problems(errors))
        form.stack method="post" action="/admin/employers" {
            input type="hidden" name="csrf" value=(staff.csrf);
            label.field { "Namn" input name="name" value=(f.name) required maxlength="200"; }
            label.field { "Organisationsnummer (NNNNNN-NNNN)" input name="organization_number" value=(f.organization_number) required inputmode="numeric"; }
            label.check { input type="checkbox" name="municipal" value="1" checked[f.municipal.is_some()]; " Kommunal arbetsgivare" }
            button type="submit" { "Skapa arbetsgivaren" }
        }
    };
    page(staff, "Arbetsgivare", status, body)
}

#[post("/admin/employers")]
async fn create_employer(state: web::Data<AppState>, staff: Staff, form: web::Form<EmployerForm>) -> WebResult {
    admin(&staff)?;
    staff.check(&form.csrf)?;
    let f = form.into_inner();
    let new = crate::employers::NewEmployer {
        name: f.name.clone(),
        organization_number: f.organization_number.clone(),
        municipal: f.municipal.is_some(),
    };
    let now = state.clock.now_ts();
    let created = match new.validate() {
        Ok(new) => db::run(&state.pool, move |c| crate::employers::create(c, now, new)).await,
        Err(e) => Err(e),
    };
    match created {
        // The employer's page, where its contact people are added.
        Ok(e) => Ok(see_other(&format!("/employers/{}", e.id))),
        Err(e) => {
            employers_page(&state, &staff, &f, &refused(e, "organization_number")?, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
    }
}

// ---------------------------------------------------------------- officers

/// An officer's form as typed: the weekly hours as one text a weekday ("08:30–12:00, 13:00–16:00").
#[derive(Default, Clone)]
struct OfficerForm {
    csrf: String,
    name: String,
    unit: String,
    address: String,
    user_id: String,
    meeting_minutes: String,
    active: bool,
    protected_identity: bool,
    hours: Vec<(String, String)>,
}

impl OfficerForm {
    fn of(pairs: Vec<(String, String)>) -> Self {
        let mut f = OfficerForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "name" => f.name = v,
                "unit" => f.unit = v,
                "address" => f.address = v,
                "user_id" => f.user_id = v,
                "meeting_minutes" => f.meeting_minutes = v,
                "active" => f.active = v == "1",
                "protected_identity" => f.protected_identity = v == "1",
                k if k.starts_with("hours.") => f.hours.push((k["hours.".len()..].to_string(), v)),
                _ => {}
            }
        }
        f
    }

    fn from_officer(o: &officers::Officer) -> Self {
        OfficerForm {
            csrf: String::new(),
            name: o.name.clone(),
            unit: o.unit.clone(),
            address: o.address.clone().unwrap_or_default(),
            user_id: o.user_id.clone().unwrap_or_default(),
            meeting_minutes: o.meeting_minutes.to_string(),
            active: o.active,
            protected_identity: o.protected_identity,
            hours: officers::WEEKDAYS
                .iter()
                .map(|d| {
                    let ranges =
                        o.weekly_hours.get(*d).map(|r| r.iter().map(|[a, b]| format!("{a}–{b}")).collect::<Vec<_>>());
                    (d.to_string(), ranges.map(|r| r.join(", ")).unwrap_or_default())
                })
                .collect(),
        }
    }

    fn hours_of(&self, day: &str) -> &str {
        self.hours.iter().find(|(d, _)| d == day).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// The officer as the API takes it; a weekday's text that is no list of times is an
    /// error on `weekly_hours.{day}`.
    fn input(&self) -> Result<OfficerInput, AppError> {
        let mut errors = Errors::new();
        let mut weekly_hours = WeeklyHours::new();
        for day in officers::WEEKDAYS {
            let text = self.hours_of(day).trim();
            if text.is_empty() {
                continue;
            }
            let mut ranges = Vec::new();
            for part in text.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
                match part.split_once(['–', '-']) {
                    Some((a, b)) => ranges.push([a.trim().replace('.', ":"), b.trim().replace('.', ":")]),
                    None => errors.add(
                        format!("weekly_hours.{day}"),
                        Fault::Format,
                        "skriv tiderna som 08:30–12:00, 13:00–16:00",
                    ),
                }
            }
            weekly_hours.insert(day.to_string(), ranges);
        }
        let meeting_minutes = match self.meeting_minutes.trim() {
            "" => 45,
            m => m.parse().unwrap_or_else(|_| {
                errors.add("meeting_minutes", Fault::Format, "skriv ett antal minuter");
                0
            }),
        };
        errors.into_result()?;
        let blank = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        OfficerInput {
            name: self.name.clone(),
            unit: self.unit.clone(),
            meeting_minutes,
            weekly_hours,
            active: self.active,
            user_id: blank(&self.user_id),
            address: blank(&self.address),
            protected_identity: self.protected_identity,
        }
        .validate()
    }
}

/// The choices an officer's form offers: units in use and the officer-role users.
async fn officer_choices(state: &AppState) -> Result<(Vec<String>, Vec<(String, String)>), AppError> {
    db::run(&state.pool, |c| {
        let units = crate::units::list(c)?.into_iter().filter(|u| u.active).map(|u| u.name).collect();
        let (people, _) = users::list_users(c, Some(Role::Officer), 500, 0)?;
        Ok((units, people.into_iter().map(|u| (u.id, u.name)).collect()))
    })
    .await
}

fn officer_form(
    staff: &Staff,
    action: &str,
    f: &OfficerForm,
    choices: &(Vec<String>, Vec<(String, String)>),
    submit: &str,
) -> Markup {
    let (units, people) = choices;
    html! {
        form.stack.officer method="post" action=(action) {
            input type="hidden" name="csrf" value=(staff.csrf);
            label.field { "Namn" input name="name" value=(f.name) required maxlength="200"; }
            label.field { "Enhet"
                select name="unit" required {
                    @for u in units { option value=(u) selected[f.unit == *u] { (u) } }
                }
            }
            label.field { "Besöksadress (sägs till den sökande med tiden)" input name="address" value=(f.address) maxlength="200"; }
            label.field { "Användare (så att mötena syns under Möten)"
                select name="user_id" {
                    option value="" { "–" }
                    @for (id, name) in people { option value=(id) selected[f.user_id == *id] { (name) } }
                }
            }
            label.field { "Mötets längd (minuter)" input name="meeting_minutes" type="number" min="10" max="240" value=(f.meeting_minutes); }
            fieldset.hours {
                legend { "Arbetstider för möten, till exempel 08:30–12:00, 13:00–16:00" }
                @for (i, day) in officers::WEEKDAYS.iter().enumerate() {
                    label.field { (crate::labels::weekday(i)) input name=(format!("hours.{day}")) value=(f.hours_of(day)) inputmode="text" autocomplete="off"; }
                }
            }
            label.check { input type="checkbox" name="active" value="1" checked[f.active]; " Tar emot bokningar" }
            label.check { input type="checkbox" name="protected_identity" value="1" checked[f.protected_identity]; " Möter personer med skyddade personuppgifter" }
            button type="submit" { (submit) }
        }
    }
}

#[get("/admin/officers")]
async fn officer_list(state: web::Data<AppState>, staff: Staff) -> WebResult {
    admin(&staff)?;
    let f = OfficerForm { active: true, meeting_minutes: "45".into(), ..Default::default() };
    officers_page(&state, &staff, &f, &[], StatusCode::OK).await
}

async fn officers_page(
    state: &AppState,
    staff: &Staff,
    f: &OfficerForm,
    errors: &[FieldError],
    status: StatusCode,
) -> WebResult {
    let list = crate::booking::service::officers(&state.pool).await?;
    let choices = officer_choices(state).await?;
    let body = html! {
        h1 { "Arbetsmarknadssekreterare" }
        ul.list.officers {
            @for o in &list {
                li { a href=(format!("/admin/officers/{}", o.id)) { (o.name) } " · " (o.unit)
                     @if !o.active { " · tar inte emot bokningar" } }
            }
        }
        @if list.is_empty() { p.muted { "Inga ännu: utan dem kan ingen boka ett möte." } }
        h2 { "Ny arbetsmarknadssekreterare" }
        (problems(errors))
        (officer_form(staff, "/admin/officers", f, &choices, "Skapa"))
    };
    page(staff, "Arbetsmarknadssekreterare", status, body)
}

#[post("/admin/officers")]
async fn create_officer(state: web::Data<AppState>, staff: Staff, form: web::Form<Vec<(String, String)>>) -> WebResult {
    admin(&staff)?;
    let f = OfficerForm::of(form.into_inner());
    staff.check(&f.csrf)?;
    let now = state.clock.now_ts();
    let created = match f.input() {
        Ok(input) => db::run(&state.pool, move |c| officers::create(c, now, input)).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(o) => Ok(see_other(&format!("/admin/officers/{}?saved=1", o.id))),
        Err(e) => officers_page(&state, &staff, &f, &refused(e, "user_id")?, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Deserialize)]
struct OfficerQuery {
    saved: Option<String>,
    absence: Option<String>,
}

#[get("/admin/officers/{id}")]
async fn officer_page(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    q: web::Query<OfficerQuery>,
) -> WebResult {
    admin(&staff)?;
    let id = id.into_inner();
    let o = db::run(&state.pool, move |c| officers::get(c, &id)).await?;
    let message = match (&q.saved, &q.absence) {
        (Some(_), _) => Some(Flash::Done("Sparat.".into())),
        (_, Some(_)) => Some(Flash::Done("Frånvaron är sparad: inga tider erbjuds de dagarna.".into())),
        _ => None,
    };
    one_officer(&state, &staff, &o, &OfficerForm::from_officer(&o), (&[], &[]), message, StatusCode::OK).await
}

async fn one_officer(
    state: &AppState,
    staff: &Staff,
    o: &officers::Officer,
    f: &OfficerForm,
    (errors, absence_errors): (&[FieldError], &[FieldError]),
    message: Option<Flash>,
    status: StatusCode,
) -> WebResult {
    let choices = officer_choices(state).await?;
    let body = html! {
        (flash(&message))
        h1 { (o.name) }
        (problems(errors))
        (officer_form(staff, &format!("/admin/officers/{}", o.id), f, &choices, "Spara"))
        h2 { "Frånvaro" }
        @if o.absences.is_empty() { p.muted { "Ingen frånvaro registrerad." } }
        ul.list.absences {
            @for a in &o.absences {
                li { (layout::date(&a.from)) " – " (layout::date(&a.to)) @if let Some(r) = &a.reason { " · " (r) } }
            }
        }
        (problems(absence_errors))
        form.stack.absence method="post" action=(format!("/admin/officers/{}/absences", o.id)) {
            input type="hidden" name="csrf" value=(staff.csrf);
            label.field { "Från och med" input name="from" type="date" required; }
            label.field { "Till och med" input name="to" type="date" required; }
            label.field { "Orsak (valfri)" input name="reason" maxlength="200"; }
            button type="submit" { "Lägg till frånvaro" }
        }
    };
    page(staff, &o.name, status, body)
}

#[post("/admin/officers/{id}")]
async fn update_officer(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult {
    admin(&staff)?;
    let f = OfficerForm::of(form.into_inner());
    staff.check(&f.csrf)?;
    let (id, now) = (id.into_inner(), state.clock.now_ts());
    let saved = match f.input().and_then(|i| serde_json::to_value(i).map_err(|e| AppError::internal(e.to_string()))) {
        Ok(patch) => {
            let id = id.clone();
            db::run(&state.pool, move |c| officers::update(c, now, &id, patch)).await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/admin/officers/{}?saved=1", urlencode(&id)))),
        Err(e) => {
            let errors = refused(e, "user_id")?;
            let o = db::run(&state.pool, move |c| officers::get(c, &id)).await?;
            one_officer(&state, &staff, &o, &f, (&errors, &[]), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Deserialize)]
struct AbsenceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

#[post("/admin/officers/{id}/absences")]
async fn add_absence(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<AbsenceForm>,
) -> WebResult {
    admin(&staff)?;
    staff.check(&form.csrf)?;
    let (id, now) = (id.into_inner(), state.clock.now_ts());
    let mut errors = Errors::new();
    let from = form.from.trim().parse().map_err(|_| errors.add("absence_from", Fault::Format, "välj ett datum")).ok();
    let to = form.to.trim().parse().map_err(|_| errors.add("absence_to", Fault::Format, "välj ett datum")).ok();
    let reason = Some(form.reason.trim().to_string()).filter(|r| !r.is_empty());
    let added = match (errors.into_result(), from, to) {
        (Ok(()), Some(from), Some(to)) => {
            let id = id.clone();
            db::run(&state.pool, move |c| officers::add_absence(c, now, &id, AbsenceInput { from, to, reason })).await
        }
        (Err(e), _, _) => Err(e),
        _ => Err(AppError::field("absence_from", Fault::Format, "välj ett datum")),
    };
    match added {
        Ok(_) => Ok(see_other(&format!("/admin/officers/{}?absence=1", urlencode(&id)))),
        Err(e) => {
            // The dates by the names this form gives them.
            let errors: Vec<FieldError> = refused(e, "absence_from")?
                .into_iter()
                .map(|e| match e.field.as_str() {
                    "from" | "to" => FieldError { field: format!("absence_{}", e.field), ..e },
                    _ => e,
                })
                .collect();
            let o = db::run(&state.pool, move |c| officers::get(c, &id)).await?;
            let f = OfficerForm::from_officer(&o);
            one_officer(&state, &staff, &o, &f, (&[], &errors), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
