//! Messages over the API: staff list them with their states and attempts, admins word the
//! templates, brokers send texts to many and record a person's STOP, and the SMS gateway
//! reports delivery.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::Deserialize;

use super::Filter;
use super::service::{BulkInput, StopInput};
use super::templates::{self, Template, TemplateInput};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault, Thing};
use crate::http::{Json, Paging};
use crate::privacy::Reader;
use crate::state::AppState;

crate::api_handlers!(list, list_templates, show_template, put_template, delivery, bulk, stop);

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MessageQuery {
    /// The person's messages.
    seeker_id: Option<String>,
    /// Messages about an opening (consent requests, texts to many, notices to its employer).
    opening_id: Option<String>,
    /// An application's messages (booking confirmation, reminder, offers).
    application_id: Option<String>,
}

impl MessageQuery {
    fn filter(self) -> AppResult<Filter> {
        let given = |v: Option<String>, field: &str| -> AppResult<Option<String>> {
            match v.map(|s| s.trim().to_string()) {
                Some(s) if s.is_empty() => Err(AppError::field(field, Fault::Required, "must not be empty")),
                v => Ok(v),
            }
        };
        Ok(Filter {
            seeker_id: given(self.seeker_id, "seeker_id")?,
            opening_id: given(self.opening_id, "opening_id")?,
            application_id: given(self.application_id, "application_id")?,
        })
    }
}

#[utoipa::path(
    tag = "messages",
    summary = "Messages to a person, about an opening or an application, newest first, with their state (queued, sent, delivered, failed, expired) and every attempt",
    description = "Roles: admin, broker, officer, manager (never employers). A person's messages pass the privacy gate (need-to-know, audited).",
    params(MessageQuery, crate::http::Paging, crate::http::AccessReason),
    responses((status = 200, description = "OK", body = crate::http::Page<super::MessageView>)),
)]
#[get("/api/v1/messages")]
async fn list(
    state: web::Data<AppState>,
    who: Principal,
    action: Action,
    q: web::Query<MessageQuery>,
    paging: Paging,
) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let filter = q.into_inner().filter()?;
    let reader = Reader::new(who, action, &state.clock);
    let gw = crate::messages::gateway::Gateways::from_settings(&state.settings);
    let page = paging.pair();
    let (items, total) =
        db::run(&state.pool, move |c| super::service::list(c, &reader, &filter, page, &|ch| gw.configured(ch))).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

#[utoipa::path(
    tag = "messages",
    summary = "Every message template: its wording in force, the built-in one and its placeholders",
    description = "Roles: admin, broker, officer, manager.",
    responses((status = 200, description = "OK", body = Vec<templates::TemplateView>)),
)]
#[get("/api/v1/message-templates")]
async fn list_templates(state: web::Data<AppState>, who: Principal) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let all = db::run(&state.pool, |c| {
        Template::ALL.iter().map(|t| templates::view(c, *t).map_err(AppError::from)).collect::<AppResult<Vec<_>>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(all))
}

fn template_of(key: &str) -> AppResult<Template> {
    Template::parse(key).ok_or(AppError::NotFound(Thing::Resource))
}

#[utoipa::path(
    tag = "messages",
    summary = "One message template",
    description = "Roles: admin, broker, officer, manager.",
    params(("key" = String, Path, description = "consent_request, booking_confirmation, booking_reminder, booking_offer, invitation, employer_candidates")),
    responses((status = 200, description = "OK", body = templates::TemplateView)),
)]
#[get("/api/v1/message-templates/{key}")]
async fn show_template(state: web::Data<AppState>, who: Principal, key: web::Path<String>) -> AppResult<HttpResponse> {
    who.require(Role::STAFF)?;
    let t = template_of(&key)?;
    let view = db::run(&state.pool, move |c| Ok(templates::view(c, t)?)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    tag = "messages",
    summary = "Reword a template (placeholders checked: 422 on body naming an unknown or missing one); an empty body goes back to the built-in wording",
    description = "Roles: admin.",
    params(("key" = String, Path)),
    request_body = TemplateInput,
    responses((status = 200, description = "OK", body = templates::TemplateView)),
)]
#[put("/api/v1/message-templates/{key}")]
async fn put_template(
    state: web::Data<AppState>,
    who: Principal,
    key: web::Path<String>,
    body: Json<TemplateInput>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let t = template_of(&key)?;
    let now = state.clock.now_ts();
    let view = db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            templates::put(c, t, &body.0, &who.user_id, now)?;
            Ok::<_, AppError>(templates::view(c, t)?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    tag = "messages",
    summary = "A delivery report from the SMS gateway (46elks' whendelivered: form-encoded id, status = sent | delivered | failed, delivered; or the same as JSON). The key in the path is the message's own, unguessable",
    description = "No token: the key is the credential.",
    security(()),
    params(("key" = String, Path)),
    request_body(content = super::send::DeliveryReport, content_type = "application/x-www-form-urlencoded"),
    responses((status = 204, description = "Recorded")),
)]
#[post("/api/v1/messages/delivery/{key}")]
async fn delivery(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let json = req.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|t| t.contains("json"));
    let report: super::send::DeliveryReport = if json {
        serde_json::from_slice(&body)
            .map_err(|_| AppError::field("status", Fault::Required, "send id, status and delivered"))?
    } else {
        let mut r = super::send::DeliveryReport { id: None, status: String::new(), delivered: None };
        for (k, v) in url::form_urlencoded::parse(&body) {
            match k.as_ref() {
                "id" => r.id = Some(v.into_owned()),
                "status" => r.status = v.into_owned(),
                "delivered" => r.delivered = Some(v.into_owned()),
                _ => {}
            }
        }
        r
    };
    if report.status.trim().is_empty() {
        return Err(AppError::field("status", Fault::Required, "must be sent, delivered or failed"));
    }
    let (key, now) = (key.into_inner(), state.clock.now_ts());
    db::run(&state.pool, move |c| super::send::report(c, &key, &report, now)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "messages",
    summary = "Texts to many: send a template (invitation) by SMS to the people chosen; each person's message and state, and who was skipped (no mobile number, answered STOP, another unit, not active). Honours Idempotency-Key: the same key queues nothing new",
    description = "Roles: admin, broker, officer.",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "the same key sends nothing twice", min_length = 1, max_length = 200, pattern = "^[ -~]*[!-~][ -~]*$"),
    ),
    request_body = BulkInput,
    responses((status = 201, description = "Queued", body = super::service::BulkResult)),
)]
#[post("/api/v1/messages/bulk")]
async fn bulk(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Principal,
    action: Action,
    body: Json<BulkInput>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let replay = crate::http::idempotency_key(&req)?;
    let reader = Reader::new(who, action, &state.clock);
    let result = db::run(&state.pool, move |c| super::service::bulk(c, &reader, &body.0, replay.as_deref())).await?;
    Ok(HttpResponse::Created().json(result))
}

#[utoipa::path(
    tag = "messages",
    summary = "Record that the person answered STOP to texts to many (stopped: true), or wants them again",
    description = "Roles: admin, broker, officer.",
    params(("id" = String, Path), crate::http::AccessReason),
    request_body = StopInput,
    responses((status = 200, description = "OK", body = super::service::StopState)),
)]
#[put("/api/v1/seekers/{id}/sms-stop")]
async fn stop(
    state: web::Data<AppState>,
    who: Principal,
    action: Action,
    id: web::Path<String>,
    body: Json<StopInput>,
) -> AppResult<HttpResponse> {
    who.require(Role::CASEWORK)?;
    let reader = Reader::new(who, action, &state.clock);
    let stop = db::run(&state.pool, move |c| super::service::set_stop(c, &reader, &id, &body.0)).await?;
    Ok(HttpResponse::Ok().json(stop))
}
