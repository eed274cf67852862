//! The OpenAPI 3.1 description of the whole API, served at `GET /api/openapi.json`. Written
//! by hand next to the handlers; a test checks that every route in the code is described
//! and every described route exists.

use actix_web::{HttpResponse, get, web};
use serde_json::{Value, json};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(openapi);
}

#[get("/api/openapi.json")]
async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// The methods the API accepts on a path (for `Allow` on a 405), read from this document, so
/// they cannot disagree with it. Empty for paths outside the API (the pages).
pub fn allowed_methods(path: &str) -> Vec<String> {
    static TABLE: std::sync::OnceLock<Vec<(Vec<String>, Vec<String>)>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let doc = document();
        doc["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(template, ops)| {
                        let segments = template.split('/').map(str::to_string).collect();
                        let methods =
                            ops.as_object().map(|o| o.keys().map(|m| m.to_uppercase()).collect()).unwrap_or_default();
                        (segments, methods)
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    let wanted: Vec<&str> = path.split('/').collect();
    // `{token}` matches any one segment, `{token}.ics` any one ending in `.ics`.
    let fits = |template: &str, segment: &str| match template.split_once('}') {
        Some((open, suffix)) if open.starts_with('{') => !segment.is_empty() && segment.ends_with(suffix),
        _ => template == segment,
    };
    let mut allowed: Vec<String> = table
        .iter()
        .filter(|(t, _)| t.len() == wanted.len() && t.iter().zip(&wanted).all(|(t, s)| fits(t, s)))
        .flat_map(|(_, m)| m.iter().cloned())
        .collect();
    allowed.sort();
    allowed.dedup();
    allowed
}

fn op(summary: &str, roles: &str, body: Option<&str>, ok: (&str, &str), params: &[Value]) -> Value {
    let mut o = json!({
        "summary": summary,
        "description": format!("Roles: {roles}."),
        "parameters": params,
        "responses": {
            ok.0: { "description": "OK", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{}", ok.1) } } } },
            "4XX": { "description": "Problem", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
        },
    });
    if roles == "public" {
        o["security"] = json!([]);
    }
    if let Some(b) = body {
        o["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{b}") } } } });
    }
    o
}

fn path_id() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } })
}

fn query(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": { "type": "string" } })
}

fn page_params() -> Vec<Value> {
    vec![query("limit", "1–500, default 50"), query("offset", "default 0")]
}

fn search_params() -> Vec<Value> {
    let mut p = vec![
        query("q", "free text; typos, missing å/ä/ö, inflections and synonyms tolerated"),
        query("municipality", "kommunkod, comma-separated"),
        query("occupation", "SSYK code at any level (1–4 digits)"),
        query("licence", "driving licence classes, comma-separated; all required"),
        query("status", "status filter"),
        query("available_before", "YYYY-MM-DD"),
    ];
    p.extend(page_params());
    p
}

fn list_of(item: &str) -> Value {
    json!({
        "type": "object",
        "required": ["items", "total", "limit", "offset"],
        "properties": {
            "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{item}") } },
            "total": { "type": "integer" }, "limit": { "type": "integer" }, "offset": { "type": "integer" },
        },
    })
}

pub fn document() -> Value {
    let staff = "admin, broker, officer, manager";
    let casework = "admin, broker, officer";
    let writers = "employer (own), broker, admin";
    let mut with_id = page_params();
    with_id.push(query("seeker_id", "only this seeker"));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Platsa",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Job matching for Swedish municipal labour-market administrations. \
                Errors are application/problem+json; lists are {items, total, limit, offset}; \
                dates YYYY-MM-DD; instants RFC 3339 in Europe/Stockholm.",
        },
        "security": [{ "bearer": [] }],
        "paths": {
            "/healthz": { "get": op("Liveness", "public", None, ("200", "Status"), &[]) },
            "/readyz": { "get": op("Readiness: database reachable, index open and how far behind", "public", None, ("200", "Status"), &[]) },
            "/api/openapi.json": { "get": op("This document", "public", None, ("200", "Status"), &[]) },
            "/api/v1/me": { "get": op("Who the token belongs to", "any", None, ("200", "Me"), &[]) },
            "/api/v1/tokens": {
                "post": op("Create a user with a token, or another token for a user", "admin", Some("TokenRequest"), ("201", "IssuedToken"), &[]),
                "get": op("List tokens (never their text)", "admin", None, ("200", "TokenList"), &page_params()),
            },
            "/api/v1/tokens/{id}": { "delete": op("Revoke a token at once", "admin", None, ("204", "Status"), &[path_id()]) },
            "/api/v1/users": { "get": op("List users, e.g. ?role=broker", staff, None, ("200", "UserList"), &[query("role", "a role")]) },
            "/api/v1/employers": {
                "post": op("Register an employer", "admin", Some("EmployerInput"), ("201", "Employer"), &[]),
                "get": op("List employers", staff, None, ("200", "EmployerList"), &page_params()),
            },
            "/api/v1/employers/{id}": { "get": op("An employer", "staff; an employer itself", None, ("200", "Employer"), &[path_id()]) },
            "/api/v1/seekers": {
                "post": op("Register a seeker; a known personnummer is 409 with existing_seeker_id", casework, Some("SeekerInput"), ("201", "Seeker"), &[]),
                "get": op("List seekers, or find a person with q: a name (any order, accents, a typo), a place, or exactly a personnummer (10 or 12 digits), phone or e-mail (audited)", casework, None, ("200", "SeekerList"), &[query("q", ""), query("status", ""), query("broker_id", ""), query("unit", ""), query("municipality_code", "")]),
            },
            "/api/v1/seekers/{id}": {
                "get": op("A seeker (audited); a person of another unit than the reader's needs X-Access-Reason", casework, None, ("200", "Seeker"), &[path_id(), json!({ "name": "X-Access-Reason", "in": "header", "required": false, "description": "why you need the record of a person of another unit than yours (need-to-know; 3–300 characters, audited); without it such a read is 403 access.reason_required", "schema": { "type": "string", "minLength": 3, "maxLength": 300 } })]),
                "patch": op("Merge-patch a seeker; If-Match honoured", casework, Some("SeekerInput"), ("200", "Seeker"), &[path_id()]),
                "delete": op("Erase personal data, keep the anonymous row", "admin", None, ("204", "Status"), &[path_id()]),
            },
            "/api/v1/openings": {
                "post": op("Post an opening; honours Idempotency-Key", writers, Some("OpeningInput"), ("201", "Opening"), &[]),
                "get": op("List openings: an employer sees its own", "any", None, ("200", "OpeningList"), &[query("status", ""), query("employer_id", ""), query("occupation", "an SSYK code of any level"), query("municipality_code", ""), query("broker_id", "the broker responsible"), query("sort", "deadline | published | vacancies (default: the newest first)"), query("source", "platsa | platsbanken")]),
            },
            "/api/v1/openings/{id}": {
                "get": op("An opening (another employer's is 404)", "any", None, ("200", "Opening"), &[path_id()]),
                "patch": op("Merge-patch an opening; If-Match required (428 without, 412 stale)", writers, Some("OpeningInput"), ("200", "Opening"), &[path_id()]),
                "delete": op("Withdraw an opening", writers, None, ("204", "Status"), &[path_id()]),
            },
            "/api/v1/search/seekers": { "get": op("Free-text search of seekers (audited)", casework, None, ("200", "SeekerHitList"), &search_params()) },
            "/api/v1/search/openings": { "get": op("Free-text search of openings", staff, None, ("200", "OpeningHitList"), &search_params()) },
            "/api/v1/openings/{id}/candidates": { "get": op("Seekers ranked for the opening, each with score and explanation (audited)", casework, None, ("200", "CandidateList"), &{ let mut p = vec![path_id()]; p.extend(page_params()); p }) },
            "/api/v1/seekers/{id}/journal": {
                "post": op("Add a journal entry (note, call, sms, email, meeting) with an optional next contact", casework, Some("JournalInput"), ("201", "JournalEntry"), &[path_id()]),
                "get": op("The seeker's journal, newest first (audited); a person of another unit needs X-Access-Reason", casework, None, ("200", "JournalList"), &{ let mut p = vec![path_id(), json!({ "name": "X-Access-Reason", "in": "header", "required": false, "description": "why you need the journal of a person of another unit (need-to-know, audited)", "schema": { "type": "string", "minLength": 3, "maxLength": 300 } })]; p.extend(page_params()); p }),
            },
            "/api/v1/seekers/{id}/openings": { "get": op("Open openings ranked for the seeker, with explanations", casework, None, ("200", "OpeningMatchList"), &{ let mut p = vec![path_id()]; p.extend(page_params()); p }) },
            "/api/v1/openings/{id}/placements": { "get": op("Placements on an opening, without personnummer or contact details", "employer (own), staff", None, ("200", "EmployerPlacementList"), &[path_id()]) },
            "/api/v1/placements": {
                "post": op("Propose a seeker for an opening (or studies)", "broker, admin", Some("NewPlacement"), ("201", "Placement"), &[]),
                "get": op("List placements", staff, None, ("200", "PlacementList"), &[query("seeker_id", ""), query("opening_id", ""), query("status", ""), query("broker_id", "")]),
            },
            "/api/v1/placements/{id}": { "get": op("A placement with its history", staff, None, ("200", "Placement"), &[path_id()]) },
            "/api/v1/placements/{id}/transitions": { "post": op("Move a placement; an impossible step is 409 with `allowed`", "broker, officer, admin", Some("Transition"), ("200", "Placement"), &[path_id()]) },
            "/api/v1/targets/{unit}/{month}": { "put": op("Set a unit's monthly target (EOR)", "manager, admin", Some("TargetInput"), ("200", "Status"), &[
                json!({ "name": "unit", "in": "path", "required": true, "schema": { "type": "string" } }),
                json!({ "name": "month", "in": "path", "required": true, "schema": { "type": "string", "example": "2026-10" } }) ]) },
            "/api/v1/reports/monthly": { "get": op("The monthly report per unit and broker; CSV with Accept: text/csv", "manager, admin, broker", None, ("200", "Report"), &[query("month", "YYYY-MM"), query("unit", "one unit")]) },
            "/api/v1/reports/monthly.csv": { "get": op("The monthly report as CSV", "manager, admin, broker", None, ("200", "Status"), &[query("month", "YYYY-MM"), query("unit", "one unit")]) },
            "/api/v1/targets/{unit}/{month}/{measure}": { "put": op("Set a unit's monthly target for one process measure (exits_to_work_or_studies is the same target as above)", "manager, admin", Some("ProcessTargetInput"), ("200", "Status"), &[
                json!({ "name": "unit", "in": "path", "required": true, "schema": { "type": "string" } }),
                json!({ "name": "month", "in": "path", "required": true, "schema": { "type": "string", "example": "2026-11" } }),
                json!({ "name": "measure", "in": "path", "required": true, "schema": { "type": "string", "enum": ["exits_to_work_or_studies", "median_hours_to_meeting", "share_met_next_working_day", "no_show_share", "proposals", "share_contacted_14_days", "median_days_to_first_proposal"] } }) ]) },
            "/api/v1/reports/processes": { "get": op("Every process measure per unit against its target, with the pace so far and fairness over waiting time", "manager, admin, broker", None, ("200", "ProcessReport"), &[query("month", "YYYY-MM"), query("unit", "one unit")]) },
            "/api/v1/reports/follow-up": { "get": op("Whether people who left for work or studies applied again within 3, 6 and 12 months, per exit month; CSV with Accept: text/csv", "manager, admin, broker", None, ("200", "FollowUp"), &[query("exit_month", "YYYY-MM: one cohort"), query("year", "YYYY: its twelve cohorts (default: last year)"), query("unit", "one unit")]) },
            "/api/v1/reports/follow-up.csv": { "get": op("The follow-up as CSV", "manager, admin, broker", None, ("200", "Status"), &[query("exit_month", "YYYY-MM"), query("year", "YYYY"), query("unit", "one unit")]) },
            "/api/v1/imports/seekers": { "post": {
                "summary": "Import seekers from a CSV (`;` or `,`, with or without BOM), XLSX or JSON Lines file: every row validated as by POST /api/v1/seekers, matched by personnummer (updated, never duplicated); answers the report (row, field, code, message; never a value)",
                "description": "Roles: admin",
                "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": { "type": "object", "required": ["file"], "properties": {
                    "file": { "type": "string", "format": "binary" },
                    "mapping": { "type": "string", "description": "JSON object: the file's column name to a seeker field" },
                    "format": { "type": "string", "enum": ["csv", "xlsx", "jsonl"], "description": "default: from the file name" },
                    "dry_run": { "type": "string", "enum": ["true", "false"] },
                    "all_or_nothing": { "type": "string", "enum": ["true", "false"] } } } } } },
                "responses": { "200": { "description": "the report", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ImportReport" } } } },
                    "4XX": { "description": "Problem", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } } } } },
            "/api/v1/jobstream": { "get": op("Reading Platsbanken from JobStream: status (off, never_run, ok, failing), position, last success and error, and the latest runs with their counts and problems (ad id, field, kind; never a value)", staff, None, ("200", "Status"), &[]) },
            "/api/v1/jobstream/sync": { "post": op("Start a sync now in the background (202); ?snapshot=true reads all of Platsbanken again and closes openings whose ads are gone. 409 while one runs", "admin", None, ("202", "Status"), &[query("snapshot", "true | false")]) },
            "/api/v1/imports": { "get": op("The latest imports (dry runs too) with their reports", "admin", None, ("200", "Status"), &[]) },
            "/api/v1/imports/{id}": { "get": op("One import's report", "admin", None, ("200", "ImportReport"), &[path_id()]) },
            "/api/v1/retention": { "get": op("The retention dry run: who is due for erasure now (ids, unit, broker, reason exited or inactive, since), the period and cutoff, and the daily runs with how many each erased", "admin", None, ("200", "Status"), &[]) },
            "/api/v1/signals": { "get": op("The current signals the caller should act on, each with its reason and a link to the people behind it", "manager, admin (all); broker (own work and own units' processes); officer (meetings)", None, ("200", "SignalList"), &[query("kind", "one kind"), query("unit", "one unit")]) },
            "/api/v1/signals/deliveries": { "get": op("Every signal pushed to signals.webhook, with its attempts", "manager, admin", None, ("200", "Status"), &[]) },
            "/api/v1/reports/deliveries": { "get": op("Every push of the figures to the process-metrics endpoint", "manager, admin", None, ("200", "Status"), &[query("month", "YYYY-MM")]) },
            "/metrics": { "get": op("Operational counters, Prometheus text format", "public", None, ("200", "Status"), &[]) },
            "/api/v1/officers": {
                "post": op("Add an officer with weekly hours", "admin", Some("OfficerInput"), ("201", "Officer"), &[]),
                "get": op("List officers", staff, None, ("200", "Status"), &[]),
            },
            "/api/v1/officers/{id}": {
                "get": op("An officer", staff, None, ("200", "Officer"), &[path_id()]),
                "patch": op("Merge-patch an officer", "admin", Some("OfficerInput"), ("200", "Officer"), &[path_id()]),
            },
            "/api/v1/officers/{id}/absences": { "post": op("Record an absence (date range)", "admin", Some("Absence"), ("201", "Officer"), &[path_id()]) },
            "/api/v1/officers/{id}/agenda": { "get": op("An officer's meetings on a date (audited)", "admin, officer", None, ("200", "Status"), &[path_id(), query("date", "YYYY-MM-DD")]) },
            "/api/v1/calendar/working-days": { "get": op("The next working days in Sweden after a date", staff, None, ("200", "Status"), &[query("from", "YYYY-MM-DD"), query("count", "1–366")]) },
            "/api/v1/applications": { "post": op("Apply for support and get three meetings to choose from (rate-limited). The application is linked to no seeker until staff confirm the applicant's identity, so the answer is the same whether or not the personnummer is registered; a person holds one booked meeting at a time (booking a second is 409 conflict.has_meeting)", "public", Some("ApplicationInput"), ("201", "ApplicationCreated"), &[]) },
            "/api/v1/applications/{id}/booking": { "post": op("Book an offered meeting; 409 with fresh offers if just taken", "public (with the booking token)", Some("BookInput"), ("201", "Status"), &[path_id()]) },
            "/api/v1/applications/{id}/identity": { "post": op("Staff confirm who applied, after checking their identity at the meeting: link the application to the registered seeker `seeker_id`, or (without it) register a new seeker from the application. 409 conflict.duplicate (with existing_seeker_id) when the personnummer is registered; 409 conflict.identity_confirmed when linked to another seeker", casework, Some("IdentityInput"), ("200", "IdentityConfirmed"), &[path_id()]) },
            "/api/v1/bookings/{token}.ics": { "get": op("The meeting as iCalendar (UTC, stable UID)", "public (with the booking token)", None, ("200", "Status"), &[json!({ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } })]) },
            "/api/v1/bookings/{token}": { "delete": op("Cancel the meeting", "public (with the booking token)", None, ("204", "Status"), &[json!({ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } })]) },
            "/api/v1/bookings/{token}/reschedule": { "post": op("Move the meeting (cancel and book in one transaction)", "public (with the booking token)", Some("RescheduleInput"), ("201", "Status"), &[json!({ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } })]) },
            "/api/v1/bookings/{id}/status": { "post": op("Mark a meeting held or no_show", "admin, officer", Some("MarkInput"), ("204", "Status"), &[path_id()]) },
            "/api/v1/taxonomy/{vocabulary}": { "get": op("Typeahead over a reference vocabulary: occupations (JobTech occupation names and SSYK groups → SSYK code), skills, municipalities, languages; by name, code or concept id, ranked, a typo forgiven", "every signed-in role", None, ("200", "TermList"), &[json!({ "name": "vocabulary", "in": "path", "required": true, "schema": { "type": "string", "enum": ["occupations", "skills", "municipalities", "languages"] } }), query("q", "a few letters of a name, a code or a concept id"), query("limit", "1–500, default 50"), query("offset", "default 0")]) },
            "/api/v1/employers/{id}/contacts": {
                "get": op("An employer's contact people", "staff; an employer its own", None, ("200", "ContactList"), &[path_id()]),
                "post": op("Add a contact person", "admin, broker; an employer its own", Some("ContactInput"), ("201", "Contact"), &[path_id()]),
            },
            "/api/v1/employers/{id}/contacts/{contact}": {
                "patch": op("Merge-patch a contact person", "admin, broker; an employer its own", Some("ContactInput"), ("200", "Contact"), &[path_id(), json!({ "name": "contact", "in": "path", "required": true, "schema": { "type": "string" } })]),
                "delete": op("Remove a contact person", "admin, broker; an employer its own", None, ("204", "Status"), &[path_id(), json!({ "name": "contact", "in": "path", "required": true, "schema": { "type": "string" } })]),
            },
            "/api/v1/openings/{id}/shortlist": {
                "get": op("The opening's shortlist: each person's status, note and consent, with their name (audited)", casework, None, ("200", "ShortlistList"), &[path_id()]),
                "post": op("Put a seeker on the shortlist; again is 409 conflict.duplicate", casework, Some("ShortlistInput"), ("201", "ShortlistEntry"), &[path_id()]),
                "patch": op("Change a person's status or note (seeker_id in the body)", casework, Some("ShortlistInput"), ("200", "ShortlistEntry"), &[path_id()]),
            },
            "/api/v1/openings/{id}/shortlist/{seeker}": {
                "patch": op("Change a person's status or note", casework, Some("ShortlistInput"), ("200", "ShortlistEntry"), &[path_id(), json!({ "name": "seeker", "in": "path", "required": true, "schema": { "type": "string" } })]),
            },
            "/api/v1/openings/{id}/shortlist/{seeker}/consent-request": {
                "post": op("Ask the person for consent: an answer link with a deadline goes out through consent.message_webhook; 409 conflict.no_contact_details without phone or e-mail", casework, Some("ConsentRequestInput"), ("201", "Consent"), &[path_id(), json!({ "name": "seeker", "in": "path", "required": true, "schema": { "type": "string" } })]),
            },
            "/api/v1/openings/{id}/shortlist/{seeker}/consent": {
                "put": op("Record an answer the broker received: given, declined or withdrawn, and how (phone, in_person, digital, letter)", casework, Some("ConsentInput"), ("200", "Consent"), &[path_id(), json!({ "name": "seeker", "in": "path", "required": true, "schema": { "type": "string" } })]),
                "get": op("The consent's state (requested, given, declined, expired, withdrawn) and its history", casework, None, ("200", "Consent"), &[path_id(), json!({ "name": "seeker", "in": "path", "required": true, "schema": { "type": "string" } })]),
            },
            "/api/v1/openings/{id}/candidates/presented": {
                "get": op("The people presented on the opening, as far as each one's consent goes (name, contact, occupations, skills, languages, licences, summary) with the employer's latest answer; only while the consent stands (audited)", "employer (own openings), admin, broker, officer", None, ("200", "PresentedList"), &[path_id()]),
            },
            "/api/v1/openings/{id}/candidates/presented/{placement}/feedback": {
                "post": op("The employer's answer about a presented person", "employer (own openings), admin", Some("FeedbackInput"), ("201", "Feedback"), &[path_id(), json!({ "name": "placement", "in": "path", "required": true, "schema": { "type": "string" } })]),
            },
            "/api/v1/openings/{id}/broker": {
                "put": op("Make a broker (or nobody, null) responsible for the opening (\"Mina annonser\")", "admin, broker", Some("BrokerInput"), ("200", "Status"), &[path_id()]),
            },
            "/api/v1/units": {
                "get": op("The units (enheter) seekers, officers, placements and targets refer to", staff, None, ("200", "UnitList"), &[]),
                "post": op("Add a unit; a name in use is 409 conflict.duplicate", "admin", Some("UnitInput"), ("201", "Unit"), &[]),
            },
            "/api/v1/users/{id}/units": {
                "get": op("The units a staff member works in (admins: anyone's; staff: their own)", "staff", None, ("200", "UserUnits"), &[path_id()]),
                "put": op("Set the units a staff member works in (need-to-know: another unit's people then need a stated reason); each must exist", "admin", Some("UserUnits"), ("200", "UserUnits"), &[path_id()]),
            },
            "/api/v1/units/{name}": {
                "patch": op("Rename a unit (every reference follows) or (de)activate it", "admin", Some("UnitPatch"), ("200", "Unit"), &[json!({ "name": "name", "in": "path", "required": true, "schema": { "type": "string" } })]),
                "delete": op("Remove a unit nothing refers to; one in use is 409 conflict.not_empty (deactivate it instead)", "admin", None, ("204", "Status"), &[json!({ "name": "name", "in": "path", "required": true, "schema": { "type": "string" } })]),
            },
            "/api/v1/audit": { "get": op("Who read which seeker, when, through which endpoint (an application not yet linked: application:{id})", "admin", None, ("200", "AuditList"), &{ let mut p = with_id.clone(); p.extend([query("user_id", "one user's reads"), query("from", "first day, YYYY-MM-DD"), query("to", "last day, YYYY-MM-DD, included"), query("with_reason", "true: only reads with a stated reason (another unit's people)")]); p }) },
            "/api/v1/audit.csv": { "get": op("The same rows for the log review, for Swedish Excel (BOM, ';', Swedish headers)", "admin", None, ("200", "Status"), &[query("seeker_id", ""), query("user_id", ""), query("from", "YYYY-MM-DD"), query("to", "YYYY-MM-DD"), query("with_reason", "true: only reads with a stated reason")]) },
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Status": { "type": "object" },
                "BrokerInput": { "type": "object", "required": ["broker_id"], "additionalProperties": false, "properties": { "broker_id": { "type": ["string", "null"] } } },
                "FeedbackInput": { "type": "object", "required": ["answer"], "additionalProperties": false, "properties": { "answer": { "enum": ["suitable", "considering", "not_suitable", "hired"] }, "note": { "type": ["string", "null"] } } },
                "Feedback": { "type": "object", "properties": { "answer": { "type": "string" }, "note": { "type": ["string", "null"] }, "by": { "type": "string" }, "at": { "type": "string" } } },
                "PresentedList": { "type": "object", "properties": { "items": { "type": "array", "items": { "type": "object", "properties": { "placement_id": { "type": "string" }, "status": { "type": "string" }, "first_name": { "type": ["string", "null"] }, "last_name": { "type": ["string", "null"] }, "phone": { "type": ["string", "null"] }, "email": { "type": ["string", "null"] }, "feedback": { "oneOf": [{ "$ref": "#/components/schemas/Feedback" }, { "type": "null" }] } } } }, "total": { "type": "integer" } } },
                "ShortlistInput": { "type": "object", "additionalProperties": false, "properties": { "seeker_id": { "type": "string" }, "status": { "enum": ["considering", "contacted", "suitable", "not_suitable", "not_interested"] }, "note": { "type": ["string", "null"] } } },
                "ShortlistEntry": { "type": "object", "properties": { "opening_id": { "type": "string" }, "seeker_id": { "type": "string" }, "status": { "type": "string" }, "note": { "type": ["string", "null"] }, "added_by": { "type": "string" }, "consent": { "type": ["string", "null"], "enum": ["requested", "given", "declined", "expired", "withdrawn", null] }, "consent_deadline": { "type": ["string", "null"], "format": "date" }, "created_at": { "type": "string" }, "updated_at": { "type": "string" } } },
                "ShortlistList": { "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/ShortlistEntry" } }, "total": { "type": "integer" } } },
                "ConsentRequestInput": { "type": "object", "required": ["deadline"], "additionalProperties": false, "properties": { "deadline": { "type": "string", "format": "date" } } },
                "ConsentInput": { "type": "object", "required": ["state", "how"], "additionalProperties": false, "properties": { "state": { "enum": ["given", "declined", "withdrawn"] }, "how": { "enum": ["phone", "in_person", "digital", "letter"] }, "note": { "type": ["string", "null"] } } },
                "Consent": { "type": "object", "properties": { "opening_id": { "type": "string" }, "seeker_id": { "type": "string" }, "state": { "type": ["string", "null"] }, "deadline": { "type": ["string", "null"] }, "history": { "type": "array", "items": { "type": "object", "properties": { "state": { "type": "string" }, "how": { "type": ["string", "null"] }, "note": { "type": ["string", "null"] }, "by": { "type": ["string", "null"] }, "at": { "type": "string" } } } } } },
                "ContactInput": { "type": "object", "required": ["name"], "additionalProperties": false, "properties": { "name": { "type": "string", "maxLength": 200 }, "role": { "type": ["string", "null"] }, "phone": { "type": ["string", "null"] }, "email": { "type": ["string", "null"], "format": "email" } } },
                "Contact": { "type": "object", "properties": { "id": { "type": "string" }, "employer_id": { "type": "string" }, "name": { "type": "string" }, "role": { "type": ["string", "null"] }, "phone": { "type": ["string", "null"] }, "email": { "type": ["string", "null"] }, "created_at": { "type": "string" }, "updated_at": { "type": "string" } } },
                "ContactList": { "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Contact" } }, "total": { "type": "integer" } } },
                "Unit": { "type": "object", "properties": { "name": { "type": "string" }, "active": { "type": "boolean" } } },
                "UnitList": { "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Unit" } }, "total": { "type": "integer" } } },
                "UnitInput": { "type": "object", "required": ["name"], "additionalProperties": false, "properties": { "name": { "type": "string", "maxLength": 100 }, "active": { "type": "boolean", "default": true } } },
                "UnitPatch": { "type": "object", "additionalProperties": false, "properties": { "name": { "type": "string", "maxLength": 100 }, "active": { "type": "boolean" } } },
                "IdentityInput": { "type": "object", "additionalProperties": false, "properties": { "seeker_id": { "type": ["string", "null"], "description": "the registered seeker this applicant is; leave out to register a new one" } } },
                "IdentityConfirmed": { "type": "object", "properties": { "application_id": { "type": "string" }, "seeker_id": { "type": "string" }, "created": { "type": "boolean" } } },
                "TermList": { "type": "object", "properties": { "items": { "type": "array", "items": { "type": "object", "required": ["label", "code"], "properties": { "label": { "type": "string" }, "code": { "type": "string", "description": "SSYK, kommunkod, ISO 639 or skill concept id: what a seeker or opening stores" }, "concept_id": { "type": "string" }, "detail": { "type": "string", "description": "the SSYK group of an occupation name, a municipality's county" } } } }, "total": { "type": "integer" }, "limit": { "type": "integer" }, "offset": { "type": "integer" } } },
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                        "detail": { "type": "string" }, "code": { "type": "string", "description": "on a 409: conflict.<why>, e.g. conflict.already_proposed" },
                        "errors": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "code": { "type": "string", "description": "stable: the field without list positions and what is wrong, e.g. personnummer.check_digit" }, "message": { "type": "string" } } } },
                    },
                },
                "Me": { "type": "object", "properties": { "user_id": { "type": "string" }, "role": { "type": "string" }, "name": { "type": "string" }, "employer_id": { "type": ["string", "null"] } } },
                "TokenRequest": { "type": "object", "properties": {
                    "role": { "enum": ["admin", "broker", "officer", "manager", "employer"] },
                    "name": { "type": "string" }, "employer_id": { "type": "string" }, "user_id": { "type": "string" } } },
                "IssuedToken": { "type": "object", "properties": { "id": { "type": "string" }, "token": { "type": "string", "description": "shown once" }, "user_id": { "type": "string" } } },
                "Token": { "type": "object", "properties": { "id": { "type": "string" }, "user_id": { "type": "string" }, "created_at": { "type": "string" }, "revoked_at": { "type": ["string", "null"] } } },
                "TokenList": list_of("Token"),
                "User": { "type": "object", "properties": { "id": { "type": "string" }, "name": { "type": "string" }, "role": { "type": "string" } } },
                "UserList": list_of("User"),
                "EmployerInput": { "type": "object", "required": ["name", "organization_number"], "properties": {
                    "name": { "type": "string" }, "organization_number": { "type": "string", "example": "556036-0793" }, "municipal": { "type": "boolean" } } },
                "Employer": { "type": "object", "properties": { "id": { "type": "string" }, "name": { "type": "string" }, "organization_number": { "type": "string" }, "municipal": { "type": "boolean" } } },
                "EmployerList": list_of("Employer"),
                "Language": { "type": "object", "required": ["code"], "properties": { "code": { "type": "string", "description": "ISO 639" }, "level": { "enum": ["basic", "good", "fluent", "native"] } } },
                "Skill": { "type": "object", "properties": { "id": { "type": ["string", "null"], "description": "JobTech concept id; null for free text" }, "label": { "type": "string" } } },
                "SeekerInput": { "type": "object", "required": ["personnummer", "first_name", "last_name", "municipality_code"], "properties": {
                    "personnummer": { "type": "string", "description": "YYYYMMDDNNNN or YYMMDD-NNNN (+ for 100 and over), hyphen optional; samordningsnummer accepted; answered as 12 digits" },
                    "first_name": { "type": "string" }, "last_name": { "type": "string" }, "email": { "type": "string" }, "phone": { "type": "string" },
                    "municipality_code": { "type": "string" }, "occupations": { "type": "array", "items": { "type": "string", "description": "SSYK 4" } },
                    "skills": { "type": "array", "items": { "type": "string", "description": "vocabulary id or free text" } },
                    "languages": { "type": "array", "items": { "$ref": "#/components/schemas/Language" } },
                    "driving_licences": { "type": "array", "items": { "type": "string" } },
                    "available_from": { "type": "string", "format": "date" }, "max_commute_km": { "type": "integer" },
                    "summary": { "type": "string" }, "unit": { "type": "string" }, "broker_id": { "type": "string" },
                    "status": { "enum": ["active", "paused", "placed", "exited"] },
                    "exit_reason": { "enum": ["employment", "subsidised_employment", "municipal_labour_market_job", "studies", "moved", "other"] },
                    "exit_date": { "type": "string", "format": "date" },
                    "paused_until": { "type": "string", "format": "date", "description": "with status paused: until when (kept only while paused)" },
                    "pause_reason": { "type": "string", "maxLength": 200 } } },
                "Seeker": { "allOf": [{ "$ref": "#/components/schemas/SeekerInput" }, { "type": "object", "properties": {
                    "id": { "type": "string" }, "skills": { "type": "array", "items": { "$ref": "#/components/schemas/Skill" } },
                    "registered_at": { "type": "string" }, "updated_at": { "type": "string" }, "version": { "type": "integer" } } }] },
                "SeekerList": list_of("Seeker"),
                "Requirements": { "type": "object", "properties": {
                    "skills": { "type": "array", "items": { "type": "string" } },
                    "languages": { "type": "array", "items": { "$ref": "#/components/schemas/Language" } },
                    "driving_licences": { "type": "array", "items": { "type": "string" } } } },
                "OpeningInput": { "type": "object", "required": ["headline", "occupation", "workplace_address", "employment_type"], "properties": {
                    "employer_id": { "type": "string", "description": "required when staff post" },
                    "headline": { "type": "string" }, "description": { "type": "string" }, "occupation": { "type": "string", "description": "SSYK 4" },
                    "workplace_address": { "type": "object", "required": ["municipality_code"], "properties": {
                        "municipality_code": { "type": "string" }, "street_address": { "type": "string" }, "postcode": { "type": "string" }, "city": { "type": "string" },
                        "coordinates": { "type": "object", "required": ["lat", "lon"], "description": "the workplace in WGS 84 degrees (in Sweden); distances are otherwise from the municipality", "properties": { "lat": { "type": "number" }, "lon": { "type": "number" } } } } },
                    "number_of_vacancies": { "type": "integer", "minimum": 1 },
                    "employment_type": { "enum": ["permanent", "temporary", "summer", "seasonal", "hourly", "praktik", "arbetstraning", "extratjanst", "nystartsjobb", "lonebidrag"] },
                    "must_have": { "$ref": "#/components/schemas/Requirements" }, "nice_to_have": { "$ref": "#/components/schemas/Requirements" },
                    "application_deadline": { "type": "string", "format": "date" }, "start_date": { "type": "string", "format": "date" },
                    "scope_of_work": { "type": "object", "properties": { "min": { "type": "integer" }, "max": { "type": "integer" } } },
                    "status": { "enum": ["open", "filled", "closed"] } } },
                "Opening": { "allOf": [{ "$ref": "#/components/schemas/OpeningInput" }, { "type": "object", "properties": {
                    "id": { "type": "string" }, "occupation_name": { "type": "string" }, "filled_vacancies": { "type": "integer" },
                    "source": { "enum": ["platsa", "platsbanken"], "description": "platsbanken: read from JobStream, read-only here (PATCH and DELETE answer 409 imported)" },
                    "external_id": { "type": ["string", "null"], "description": "the ad's id at its source" }, "webpage_url": { "type": ["string", "null"], "description": "the ad's page at its source" },
                    "created_at": { "type": "string" }, "updated_at": { "type": "string" }, "version": { "type": "integer" } } }] },
                "OpeningList": list_of("Opening"),
                "SeekerHit": { "type": "object", "properties": { "id": { "type": "string" }, "score": { "type": "number" }, "first_name": { "type": "string" }, "last_name": { "type": "string" }, "occupations": { "type": "array" } } },
                "SeekerHitList": list_of("SeekerHit"),
                "OpeningHit": { "type": "object", "properties": { "id": { "type": "string" }, "score": { "type": "number" }, "headline": { "type": "string" } } },
                "OpeningHitList": list_of("OpeningHit"),
                "Explanation": { "type": "object", "properties": {
                    "components": { "type": "array", "items": { "type": "object", "properties": {
                        "name": { "enum": ["occupation", "must_have", "distance", "text", "nice_to_have", "availability"] },
                        "value": { "type": "number" }, "weight": { "type": "number" }, "contribution": { "type": "number" }, "detail": { "type": "string" } } } },
                    "matched": { "type": "object", "properties": { "must_have": { "type": "array" }, "nice_to_have": { "type": "array" } } },
                    "missing": { "type": "object", "properties": { "must_have": { "type": "array" }, "nice_to_have": { "type": "array" } } },
                    "occupation_match": { "type": "string" }, "distance_km": { "type": ["number", "null"] },
                    "waiting_since": { "type": "string" }, "fairness": { "type": "string" } } },
                "Candidate": { "type": "object", "properties": { "id": { "type": "string" }, "rank": { "type": "integer" }, "score": { "type": "number" },
                    "first_name": { "type": "string" }, "last_name": { "type": "string" }, "explanation": { "$ref": "#/components/schemas/Explanation" } } },
                "CandidateList": list_of("Candidate"),
                "OpeningMatch": { "type": "object", "properties": { "id": { "type": "string" }, "rank": { "type": "integer" }, "score": { "type": "number" },
                    "headline": { "type": "string" }, "explanation": { "$ref": "#/components/schemas/Explanation" } } },
                "OpeningMatchList": list_of("OpeningMatch"),
                "JournalInput": { "type": "object", "required": ["kind", "text"], "additionalProperties": false, "properties": {
                    "kind": { "enum": ["note", "call", "sms", "email", "meeting"] }, "text": { "type": "string", "maxLength": 5000 },
                    "at": { "type": "string", "format": "date-time" }, "next_contact_on": { "type": "string", "format": "date" } } },
                "JournalEntry": { "type": "object", "properties": { "id": { "type": "string" }, "seeker_id": { "type": "string" },
                    "kind": { "enum": ["note", "call", "sms", "email", "meeting"] }, "text": { "type": ["string", "null"] },
                    "at": { "type": "string", "format": "date-time" }, "next_contact_on": { "type": ["string", "null"], "format": "date" },
                    "by": { "type": "string" }, "recorded_at": { "type": "string", "format": "date-time" } } },
                "JournalList": list_of("JournalEntry"),
                "NewPlacement": { "type": "object", "required": ["seeker_id", "kind"], "properties": {
                    "seeker_id": { "type": "string" }, "opening_id": { "type": "string" },
                    "kind": { "enum": ["arbetstraning", "praktik", "extratjanst", "nystartsjobb", "lonebidrag", "employment", "studies"] },
                    "proposed_on": { "type": "string", "format": "date" }, "note": { "type": "string" } } },
                "Transition": { "type": "object", "required": ["to", "at"], "properties": {
                    "to": { "enum": ["presented", "interview", "offered", "started", "ended", "declined_by_seeker", "declined_by_employer", "withdrawn"] },
                    "at": { "type": "string", "format": "date" }, "note": { "type": "string" },
                    "outcome": { "enum": ["employment", "subsidised_employment", "municipal_labour_market_job", "studies", "extended", "other", "aborted"] },
                    "employment_until": { "type": ["string", "null"], "format": "date" }, "student_finance_eligible": { "type": "boolean" } } },
                "Placement": { "type": "object", "properties": {
                    "id": { "type": "string" }, "seeker_id": { "type": "string" }, "opening_id": { "type": ["string", "null"] },
                    "kind": { "type": "string" }, "status": { "type": "string" }, "outcome": { "type": ["string", "null"] },
                    "allowed_transitions": { "type": "array", "items": { "type": "string" } },
                    "history": { "type": "array", "items": { "type": "object", "properties": {
                        "from": { "type": ["string", "null"] }, "to": { "type": "string" }, "at": { "type": "string" }, "note": { "type": ["string", "null"] }, "by": { "type": "string" } } } } } },
                "PlacementList": list_of("Placement"),
                "EmployerPlacement": { "type": "object", "properties": { "id": { "type": "string" }, "kind": { "type": "string" }, "status": { "type": "string" },
                    "first_name": { "type": ["string", "null"], "description": "once presented" } } },
                "EmployerPlacementList": list_of("EmployerPlacement"),
                "TargetInput": { "type": "object", "required": ["exits_to_work_or_studies"], "properties": {
                    "exits_to_work_or_studies": { "type": "integer" }, "note": { "type": "string" } } },
                "Figures": { "type": "object", "properties": {
                    "exits_to_work": { "type": "integer" }, "exits_to_studies": { "type": "integer" }, "exits_total": { "type": "integer" },
                    "target": { "type": ["integer", "null"] }, "ytd_exits": { "type": "integer" }, "ytd_target": { "type": ["integer", "null"] },
                    "placements_started": { "type": "object" }, "placements_ended": { "type": "object" },
                    "kolada": { "type": "object", "properties": { "participants_ended": { "type": "integer" }, "started_work_or_studies": { "type": "integer" }, "share": { "type": ["number", "null"] } } },
                    "median_days_to_first_placement": { "type": ["number", "null"] },
                    "median_hours_application_to_meeting": { "type": ["number", "null"] },
                    "share_met_next_working_day": { "type": ["number", "null"] },
                    "next_day_full": { "type": "integer" }, "not_proposed_30_days": { "type": "integer" } } },
                "Report": { "type": "object", "properties": { "month": { "type": "string" },
                    "units": { "type": "array", "items": { "$ref": "#/components/schemas/Figures" } },
                    "totals": { "$ref": "#/components/schemas/Figures" } } },
                "ProcessTargetInput": { "type": "object", "required": ["target"], "properties": {
                    "target": { "type": "number", "description": "a share (0–1) for shares, hours or days for medians, a whole number for counts" }, "note": { "type": "string" } } },
                "MeasureFigure": { "type": "object", "properties": { "measure": { "type": "string" }, "higher_is_better": { "type": "boolean" },
                    "value": { "type": ["number", "null"] }, "target": { "type": ["number", "null"] }, "expected_by_now": { "type": ["number", "null"] },
                    "pace": { "type": "string", "enum": ["ahead", "on_track", "behind", "no_target", "no_data"] } } },
                "ProcessReport": { "type": "object", "properties": { "month": { "type": "string" }, "working_days_elapsed": { "type": "integer" }, "working_days_in_month": { "type": "integer" },
                    "units": { "type": "array", "items": { "type": "object", "properties": { "unit": { "type": "string" }, "active_seekers": { "type": "integer" }, "contacted_14_days": { "type": "integer" },
                        "measures": { "type": "array", "items": { "$ref": "#/components/schemas/MeasureFigure" } },
                        "fairness": { "type": "object", "properties": { "proposals": { "type": "integer" }, "proposals_waited_over_90_days": { "type": "integer" }, "share_waited_over_90_days": { "type": ["number", "null"] }, "active_never_proposed": { "type": "integer" } } } } } } } },
                "Cohort": { "type": "object", "properties": { "exit_month": { "type": "string" }, "exits": { "type": "integer" },
                    "horizons": { "type": "array", "items": { "type": "object", "properties": { "months": { "type": "integer" }, "returned": { "type": "integer" }, "not_returned": { "type": "integer" },
                        "still_to_follow": { "type": "integer" }, "share_not_returned": { "type": ["number", "null"] }, "complete": { "type": "boolean" } } } } } },
                "FollowUp": { "type": "object", "properties": { "unit": { "type": ["string", "null"] },
                    "cohorts": { "type": "array", "items": { "$ref": "#/components/schemas/Cohort" } }, "total": { "$ref": "#/components/schemas/Cohort" } } },
                "Signal": { "type": "object", "properties": { "key": { "type": "string", "description": "stable: the same situation, the same key (the webhook's Idempotency-Key)" },
                    "kind": { "type": "string", "enum": ["process_behind", "no_contact", "next_day_full", "no_shows", "deadline_nobody_presented", "consent_expires"] },
                    "unit": { "type": ["string", "null"] }, "broker_id": { "type": ["string", "null"] }, "seeker_id": { "type": ["string", "null"] }, "opening_id": { "type": ["string", "null"] },
                    "measure": { "type": ["string", "null"] }, "value": { "type": ["number", "null"] }, "target": { "type": ["number", "null"] }, "expected_by_now": { "type": ["number", "null"] },
                    "days": { "type": ["integer", "null"] }, "date": { "type": ["string", "null"] }, "link": { "type": "string" }, "reason": { "type": "string", "description": "in Swedish; never a name" } } },
                "SignalList": list_of("Signal"),
                "ImportReport": { "type": "object", "properties": { "id": { "type": "string" }, "format": { "type": "string" }, "rows": { "type": "integer" },
                    "valid": { "type": "integer" }, "created": { "type": "integer" }, "updated": { "type": "integer" }, "failed": { "type": "integer" },
                    "dry_run": { "type": "boolean" }, "all_or_nothing": { "type": "boolean" }, "applied": { "type": "boolean" },
                    "problems": { "type": "array", "items": { "type": "object", "properties": { "row": { "type": "integer" }, "field": { "type": "string" }, "code": { "type": "string" }, "message": { "type": "string" } } } } } },

                "OfficerInput": { "type": "object", "required": ["name", "unit", "weekly_hours"], "properties": {
                    "name": { "type": "string" }, "unit": { "type": "string" }, "meeting_minutes": { "type": "integer", "default": 45 },
                    "weekly_hours": { "type": "object", "example": { "mon": [["08:30", "12:00"], ["13:00", "16:00"]] } }, "active": { "type": "boolean" },
                    "user_id": { "type": ["string", "null"], "description": "the officer's own user (role officer): one identity for /agenda" },
                    "address": { "type": ["string", "null"], "description": "the office's street address, told to applicants with their meeting" } } },
                "Officer": { "type": "object", "properties": { "id": { "type": "string" }, "name": { "type": "string" }, "unit": { "type": "string" }, "user_id": { "type": ["string", "null"] }, "absences": { "type": "array" } } },
                "Absence": { "type": "object", "required": ["from", "to"], "properties": { "from": { "type": "string", "format": "date" }, "to": { "type": "string", "format": "date" }, "reason": { "type": "string" } } },
                "ApplicationInput": { "type": "object", "required": ["personnummer", "first_name", "last_name"], "properties": {
                    "personnummer": { "type": "string" }, "first_name": { "type": "string" }, "last_name": { "type": "string" },
                    "email": { "type": "string" }, "phone": { "type": "string" }, "situation": { "type": "string" } } },
                "Slot": { "type": "object", "properties": { "id": { "type": "string" }, "officer_id": { "type": "string" }, "office": { "type": "string", "description": "the officer's office (unit)" }, "address": { "type": ["string", "null"], "description": "the office's street address" }, "starts_at": { "type": "string" }, "ends_at": { "type": "string" } } },
                "ApplicationCreated": { "type": "object", "properties": { "id": { "type": "string" }, "booking_token": { "type": "string", "description": "shown once" },
                    "offered_slots": { "type": "array", "items": { "$ref": "#/components/schemas/Slot" } }, "next_day_full": { "type": "boolean" }, "offered_day": { "type": "string" } } },
                "BookInput": { "type": "object", "required": ["token", "slot_id"], "properties": { "token": { "type": "string" }, "slot_id": { "type": "string" } } },
                "RescheduleInput": { "type": "object", "required": ["slot_id"], "properties": { "slot_id": { "type": "string" } } },
                "MarkInput": { "type": "object", "required": ["status"], "properties": { "status": { "enum": ["held", "no_show"] } } },
                "AuditEntry": { "type": "object", "properties": { "id": { "type": "string" }, "at": { "type": "string" }, "user_id": { "type": "string" }, "role": { "type": "string" }, "seeker_id": { "type": "string" }, "action": { "type": "string" }, "reason": { "type": ["string", "null"] } } },
                "UserUnits": { "type": "object", "required": ["units"], "additionalProperties": false, "properties": { "units": { "type": "array", "items": { "type": "string" } } } },
                "AuditList": list_of("AuditEntry"),
            },
        },
    })
}
