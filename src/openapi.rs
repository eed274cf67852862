//! The OpenAPI 3.1 description of the whole API, served at `GET /api/openapi.json`. It is
//! built from the code: each module lists its handlers once ([`crate::api_handlers!`]), each
//! handler carries its `#[utoipa::path]`, and the bodies, answers and query parameters are
//! the Rust types themselves (`ToSchema`, `IntoParams`). What every operation shares (the
//! bearer scheme, problem answers, operation ids) is added here, in one place.

use actix_web::web::ServiceConfig;
use actix_web::{HttpResponse, get};
use serde_json::{Value, json};
use utoipa::openapi::OpenApi;

crate::api_handlers!(document_json);

type Routes = fn(&mut ServiceConfig);
type Api = fn() -> OpenApi;

/// Every API module: its routes (registered in this order) and its part of the document.
pub const MODULES: &[(Routes, Api)] = &[
    (crate::ops::routes, crate::ops::api),
    (crate::auth::http::routes, crate::auth::http::api),
    (crate::employers::http::routes, crate::employers::http::api),
    (crate::seekers::http::routes, crate::seekers::http::api),
    (crate::journal::http::routes, crate::journal::http::api),
    (crate::plan::http::routes, crate::plan::http::api),
    (crate::openings::http::routes, crate::openings::http::api),
    (crate::search::http::routes, crate::search::http::api),
    (crate::audit::http::routes, crate::audit::http::api),
    (crate::ranking_log::http::routes, crate::ranking_log::http::api),
    (crate::messages::http::routes, crate::messages::http::api),
    (crate::accountability::http::routes, crate::accountability::http::api),
    (crate::documentation::routes, crate::documentation::api),
    (routes, api),
    (crate::matching::http::routes, crate::matching::http::api),
    (crate::placements::http::routes, crate::placements::http::api),
    (crate::reports::http::routes, crate::reports::http::api),
    (crate::processes::http::routes, crate::processes::http::api),
    (crate::signals::http::routes, crate::signals::http::api),
    (crate::followup::http::routes, crate::followup::http::api),
    (crate::retention::http::routes, crate::retention::http::api),
    (crate::imports::http::routes, crate::imports::http::api),
    (crate::jobstream::http::routes, crate::jobstream::http::api),
    (crate::booking::http::routes, crate::booking::http::api),
    (crate::taxonomy::http::routes, crate::taxonomy::http::api),
    (crate::units::http::routes, crate::units::http::api),
    (crate::shortlist::http::routes, crate::shortlist::http::api),
    (crate::mina_sidor::http::routes, crate::mina_sidor::http::api),
];

#[utoipa::path(
    tag = "service",
    summary = "This document",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)),
    security(()),
)]
#[get("/api/openapi.json")]
async fn document_json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// The document, built once.
pub fn document() -> &'static Value {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOC.get_or_init(build)
}

fn build() -> Value {
    let mut doc = utoipa::openapi::OpenApiBuilder::new()
        .info(
            utoipa::openapi::InfoBuilder::new()
                .title("Platsa")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Job matching for Swedish municipal labour-market administrations. Errors are \
                     application/problem+json with a stable `code` per field; lists are {items, \
                     total, limit, offset}; dates YYYY-MM-DD; instants RFC 3339 in Europe/Stockholm.",
                ))
                .build(),
        )
        .build();
    for (_, api) in MODULES {
        doc.merge(api());
    }
    let mut doc = serde_json::to_value(doc).expect("the document serialises");
    shared(&mut doc);
    doc
}

/// What every operation shares: a bearer token unless public, a problem document for any
/// 4xx, and an operation id made of the method and the path (handler names repeat across
/// modules).
fn shared(doc: &mut Value) {
    doc["openapi"] = json!("3.1.0");
    doc["security"] = json!([{ "bearer": [] }]);
    doc["components"]["securitySchemes"] = json!({
        "bearer": { "type": "http", "scheme": "bearer", "description": "A token from `platsa token create` or POST /api/v1/tokens" },
        "mina_sidor": { "type": "apiKey", "in": "cookie", "name": "platsa_mina", "description": "The person's Mina sidor session, from signing in with e-legitimation at /mina-sidor" }
    });
    let problem = json!({
        "description": "A problem: which field and what kind (`errors[].code`), never the value sent",
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } },
    });
    let schemas = doc["components"]["schemas"].clone();
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for (path, ops) in paths.iter_mut() {
        let Some(ops) = ops.as_object_mut() else { continue };
        for (method, op) in ops.iter_mut() {
            op["operationId"] = json!(operation_id(method, path));
            // Every address with a control character in its path or query is refused before
            // routing (`http::refuse_control_characters`), whatever the parameter.
            for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                let place = param["in"].as_str().unwrap_or_default().to_string();
                let schema = &mut param["schema"];
                // A parameter is absent or a text; it is never JSON null.
                if schema["type"] == json!(["string", "null"]) {
                    schema["type"] = json!("string");
                }
                let not_null = schema["oneOf"].as_array().and_then(|alternatives| match alternatives.as_slice() {
                    [a, b] if a["type"] == "null" => Some(b.clone()),
                    [a, b] if b["type"] == "null" => Some(a.clone()),
                    _ => None,
                });
                if let Some(not_null) = not_null {
                    *schema = not_null;
                }
                let is_text = schema["type"] == "string" || schema["type"] == json!(["string", "null"]);
                if is_text && (place == "path" || place == "query") && schema.get("pattern").is_none() {
                    let one = if place == "path" { "+" } else { "*" };
                    schema["pattern"] = json!(format!("^[^\\u0000-\\u001f\\u007f]{one}$"));
                }
            }
            if op.get("security").is_some_and(|s| s == &json!([{}])) {
                op["security"] = json!([]);
            }
            merge_patch_body(op, &schemas);
            if op["responses"].get("4XX").is_none() {
                op["responses"]["4XX"] = problem.clone();
            }
        }
    }
    doc["components"]["schemas"]["Problem"] =
        serde_json::to_value(<crate::error::Problem as utoipa::PartialSchema>::schema())
            .expect("the schema serialises");
    doc["components"]["schemas"]["FieldError"] =
        serde_json::to_value(<crate::error::FieldError as utoipa::PartialSchema>::schema())
            .expect("the schema serialises");
}

/// A merge-patch body (RFC 7396) is described by the input type it is merged into, with every
/// member optional and null allowed (null removes an optional member; a required one is then
/// missing, which the merged input's validation answers).
fn merge_patch_body(op: &mut Value, schemas: &Value) {
    let Some(content) = op
        .get_mut("requestBody")
        .and_then(|b| b.get_mut("content"))
        .and_then(|c| c.get_mut("application/merge-patch+json"))
    else {
        return;
    };
    let Some(name) = content["schema"]["$ref"].as_str().and_then(|r| r.rsplit('/').next()) else { return };
    let mut patch = schemas[name].clone();
    patch.as_object_mut().map(|o| o.remove("required"));
    for (_, member) in patch["properties"].as_object_mut().into_iter().flatten() {
        *member = json!({ "anyOf": [member.clone(), { "type": "null" }] });
    }
    content["schema"] = patch;
}

/// `get /api/v1/seekers/{id}` → `get_api_v1_seekers_id`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_string();
    for c in path.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => id.push(c),
            '{' | '}' => {}
            _ if !id.ends_with('_') => id.push('_'),
            _ => {}
        }
    }
    id.trim_end_matches('_').to_string()
}

/// The methods each API path takes, for `Allow` on a 405, read from the document so they
/// cannot disagree with it.
pub fn allowed_methods() -> crate::http::AllowedMethods {
    let paths = document()["paths"].as_object().into_iter().flatten();
    crate::http::AllowedMethods::new(paths.map(|(template, ops)| {
        let methods = ops.as_object().map(|o| o.keys().map(|m| m.to_uppercase()).collect()).unwrap_or_default();
        (template.clone(), methods)
    }))
}
