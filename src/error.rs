//! The one error type. Every error answer is `application/problem+json` (RFC 9457); a 500
//! carries an id that is logged with the cause, and never the cause itself.

use actix_web::{HttpResponse, ResponseError, http::StatusCode, http::header};
use serde::Serialize;
use serde_json::{Map, Value};

pub const PROBLEM_JSON: &str = "application/problem+json";

pub type AppResult<T> = Result<T, AppError>;

crate::text_enum! {
    /// What is wrong with a field, the second half of its stable error code
    /// (`personnummer.check_digit`). Pages say it in Swedish (the labels module).
    pub enum Fault {
        /// Missing or empty where a value is needed.
        Required = "required",
        /// Too short or too long.
        Length = "length",
        /// A number or count outside what is allowed.
        Range = "range",
        /// Not written the way the field is written (digits, a date, an e-mail address).
        Format = "format",
        CheckDigit = "check_digit",
        DateOfBirth = "date_of_birth",
        Future = "future",
        Past = "past",
        /// Out of order with another value (an end before its start, overlapping ranges).
        Order = "order",
        /// Not one of the known codes or words.
        Unknown = "unknown",
        Duplicate = "duplicate",
        /// Given where it does not apply.
        NotApplicable = "not_applicable",
        /// Names a record that does not exist.
        NotFound = "not_found",
        /// The wrong JSON type.
        Type = "type",
        /// A field the resource does not have.
        UnknownField = "unknown_field",
        /// A control character or a bidirectional override.
        Character = "character",
        /// Disagrees with another field that says the same thing.
        Mismatch = "mismatch",
    }
}

crate::text_enum! {
    /// Why a request conflicts with what is stored: the stable `code` of a 409, and what the
    /// pages explain in Swedish.
    pub enum Clash {
        /// The unique value (personnummer, organisationsnummer) is already registered.
        Duplicate = "duplicate",
        AlreadyProposed = "already_proposed",
        SeekerNotActive = "seeker_not_active",
        OpeningNotOpen = "opening_not_open",
        TransitionNotAllowed = "transition_not_allowed",
        /// Someone else changed it at the same moment; read again and retry.
        ChangedMeanwhile = "changed_meanwhile",
        SlotTaken = "slot_taken",
        AlreadyBooked = "already_booked",
        NothingBooked = "nothing_booked",
        /// The person already holds a booked meeting.
        HasMeeting = "has_meeting",
        IdentityConfirmed = "identity_confirmed",
        MeetingCancelled = "meeting_cancelled",
        NotEmpty = "not_empty",
        /// Presenting someone to an employer needs their given consent for the opening.
        NoConsent = "no_consent",
        NoContactDetails = "no_contact_details",
        ConsentClosed = "consent_closed",
        /// Placements are under way on it.
        ActivePlacements = "active_placements",
        LastAdmin = "last_admin",
        /// The opening is Platsbanken's, read from JobStream: it changes there.
        Imported = "imported",
        /// Attendance is recorded on it: end it (`to`) instead, so the record stays.
        HasAttendance = "has_attendance",
        /// A unique value no store gave a meaning of its own.
        Unique = "unique",
        /// The person has no record in Platsa yet (Mina sidor: nothing to review).
        NotRegistered = "not_registered",
        /// The meeting is no longer booked, or has begun: it cannot be moved or cancelled.
        MeetingPassed = "meeting_passed",
        /// Another decision is already recorded for the application.
        DecisionRecorded = "decision_recorded",
        /// The suggestion was already shortlisted or dismissed.
        MatchHandled = "match_handled",
        /// The offered earlier meeting was already taken or declined.
        OfferAnswered = "offer_answered",
        /// The hold on an offered earlier meeting ran out; it went to the next person.
        OfferExpired = "offer_expired",
    }
}

impl Fault {
    /// The kind of problem in English words, with no value in it (import reports, logs).
    pub fn describe(self) -> &'static str {
        match self {
            Fault::Required => "is required",
            Fault::Length => "is too short or too long",
            Fault::Range => "is outside the allowed range",
            Fault::Format => "is not written the way this field is written",
            Fault::CheckDigit => "has a wrong check digit",
            Fault::DateOfBirth => "holds no valid date of birth",
            Fault::Future => "is in the future",
            Fault::Past => "is in the past",
            Fault::Order => "is out of order with another value",
            Fault::Unknown => "is not one of the known codes or words",
            Fault::Duplicate => "is given twice",
            Fault::NotApplicable => "does not apply here",
            Fault::NotFound => "names a record that does not exist",
            Fault::Type => "has the wrong type",
            Fault::UnknownField => "is not a field",
            Fault::Character => "holds a control character",
            Fault::Mismatch => "disagrees with another field",
        }
    }
}

crate::text_enum! {
    /// What a 404 did not find.
    pub enum Thing {
        Route = "route",
        Resource = "resource",
        Token = "token",
        User = "user",
        Employer = "employer",
        Seeker = "seeker",
        Opening = "opening",
        Placement = "placement",
        Officer = "officer",
        Application = "application",
        Booking = "booking",
        Vocabulary = "vocabulary",
        Unit = "unit",
        Contact = "contact",
        ShortlistEntry = "shortlist_entry",
        ConsentRequest = "consent_request",
        Import = "import",
        Activity = "activity",
        Plan = "plan",
        Review = "review",
    }
}

/// One invalid field: `field` is the JSON path as the client sent it (`languages[0].code`);
/// `code` is stable (`languages.code.unknown`), `message` English prose for developers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
    #[serde(skip)]
    pub fault: Fault,
}

impl FieldError {
    pub fn new(field: impl Into<String>, fault: Fault, message: impl Into<String>) -> Self {
        let field = field.into();
        Self { code: code(&field, fault), field, message: message.into(), fault }
    }

    /// The field without list positions: `languages[0].code` → `languages.code`.
    pub fn field_base(&self) -> String {
        base(&self.field)
    }
}

fn base(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut depth = 0;
    for c in field.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn code(field: &str, fault: Fault) -> String {
    format!("{}.{fault}", base(field))
}

/// The header a reader states in why they need the record of another unit's person.
pub const REASON_HEADER: &str = "X-Access-Reason";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{detail}")]
    BadRequest { field: Option<String>, detail: String },
    #[error("authentication required")]
    Unauthorized(&'static str),
    /// An unknown token from an address past its failed sign-ins for the minute: still 401
    /// (a client cannot tell it from any unknown token), answered late, with Retry-After.
    #[error("authentication required")]
    UnauthorizedSlowed { retry_after_secs: u64 },
    #[error("not allowed for this role")]
    Forbidden,
    /// Need-to-know: the person belongs to a unit the reader does not work in.
    #[error("this person belongs to another unit: say why you need the record in X-Access-Reason")]
    ReasonRequired,
    /// Applications are taken only after e-legitimation (`citizen_oidc.required`).
    #[error("an application is taken only after e-legitimation: sign in at /apply/eid first")]
    EidRequired,
    #[error("{0} not found")]
    NotFound(Thing),
    #[error("{detail}")]
    Conflict { clash: Clash, detail: String, extra: Map<String, Value> },
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("{detail}")]
    Unprocessable { detail: String, extra: Map<String, Value> },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn field(field: impl Into<String>, fault: Fault, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, fault, message)])
    }

    pub fn conflict(clash: Clash, detail: impl Into<String>) -> Self {
        Self::Conflict { clash, detail: detail.into(), extra: Map::new() }
    }

    /// A conflict that tells the client more, e.g. the id of the existing record.
    pub fn conflict_with(clash: Clash, detail: impl Into<String>, extra: Value) -> Self {
        Self::Conflict { clash, detail: detail.into(), extra: as_map(extra) }
    }

    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::Unprocessable { detail: detail.into(), extra: Map::new() }
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::Internal(anyhow::anyhow!("{message}"))
    }

    /// For an internal error: logs the cause under a new id and returns the id, which is
    /// all the client is told.
    pub fn log_internal(&self) -> Option<String> {
        let Self::Internal(cause) = self else { return None };
        let id = uuid::Uuid::new_v4().to_string();
        tracing::error!(error_id = %id, error = %format!("{cause:#}"), "internal error");
        Some(id)
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::Validation(_) => ("validation-error", "Your request has invalid fields"),
            Self::BadRequest { .. } => ("bad-request", "Bad request"),
            Self::Unauthorized(_) | Self::UnauthorizedSlowed { .. } => ("unauthorized", "Authentication required"),
            Self::Forbidden => ("forbidden", "Forbidden"),
            Self::ReasonRequired => ("reason-required", "A reason is required"),
            Self::EidRequired => ("eid-required", "E-legitimation required"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::Conflict { .. } => ("conflict", "Conflict"),
            Self::PreconditionFailed(_) => ("precondition-failed", "Precondition failed"),
            Self::PreconditionRequired(_) => ("precondition-required", "Precondition required"),
            Self::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            Self::RequestTimeout => ("request-timeout", "Request timeout"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            Self::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            Self::Unprocessable { .. } => ("unprocessable", "Unprocessable request"),
            Self::Unavailable(_) => ("unavailable", "Service unavailable"),
            Self::Internal(_) => ("internal", "Internal server error"),
        }
    }
}

fn as_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The problem document; extension members sit beside the standard ones.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            type_: format!("/problems/{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
            extra: Map::new(),
        }
    }

    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status).content_type(PROBLEM_JSON).json(self)
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) | Self::UnauthorizedSlowed { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::ReasonRequired | Self::EidRequired => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (slug, title) = self.kind();
        let mut problem = Problem::new(status, slug, title, self.to_string());
        match self {
            Self::Validation(errors) => {
                problem.detail = match errors.as_slice() {
                    [one] => format!("`{}`: {}", one.field, one.message),
                    _ => format!("{} fields are invalid", errors.len()),
                };
                problem.errors = Some(errors.clone());
            }
            Self::BadRequest { field: Some(field), detail } => {
                problem.errors = Some(vec![FieldError::new(field.clone(), Fault::Format, detail.clone())]);
            }
            Self::Conflict { clash, extra, .. } => {
                problem.extra = extra.clone();
                problem.extra.insert("code".into(), Value::String(format!("conflict.{clash}")));
            }
            Self::Unprocessable { extra, .. } => problem.extra = extra.clone(),
            Self::EidRequired => {
                problem.extra.insert("code".into(), Value::String("identity.eid_required".into()));
            }
            Self::ReasonRequired => {
                problem.extra.insert("code".into(), Value::String("access.reason_required".into()));
                problem.errors = Some(vec![FieldError::new(REASON_HEADER, Fault::Required, self.to_string())]);
            }
            Self::Internal(_) => {
                let id = self.log_internal().unwrap_or_default();
                problem.detail = format!("Something went wrong on our side. Quote error id {id} when reporting it.");
                problem.extra.insert("error_id".into(), Value::String(id));
            }
            _ => {}
        }
        let mut response = problem.response();
        match self {
            Self::Unauthorized(_) => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            }
            Self::UnauthorizedSlowed { retry_after_secs } => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
                if let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            Self::TooManyRequests { retry_after_secs } => {
                if let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::NotFound(Thing::Resource),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::conflict(Clash::Unique, "a record with the same unique value exists")
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Self::Unavailable("the database was busy; try again".into())
            }
            other => Self::Internal(anyhow::Error::new(other).context("database")),
        }
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        Self::Unavailable(format!("no database connection available: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(format!("blocking task failed: {e}"))
    }
}

/// Collects validation failures so one answer names every bad field.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, fault: Fault, message: impl Into<String>) {
        self.0.push(FieldError::new(field, fault, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> AppResult<()> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Validation(self.0)) }
    }
}
