//! Application intake and next-day follow-up booking: an applicant picks one of three free
//! meetings with an arbetsmarknadssekreterare on the next working day. No double bookings:
//! the guarantee is in the database (unique indexes, and on PostgreSQL an exclusion
//! constraint), never in an in-process lock.

pub mod calendar;
pub mod decisions;
pub mod http;
pub mod officers;
pub mod reminders;
pub mod report;
pub mod service;
pub mod slots;
pub mod store;

crate::text_enum! {
    /// A booked meeting: booked, then held or a no-show, or cancelled by the applicant.
    pub enum BookingStatus {
        Booked = "booked",
        Cancelled = "cancelled",
        Held = "held",
        NoShow = "no_show",
    }
}

crate::text_enum! {
    /// How an applicant was identified when applying: with e-legitimation (the personnummer
    /// is the e-ID's), or not at all (the officer's identity step checks it at the meeting).
    pub enum IdentifiedBy {
        Eid = "eid",
        None = "none",
    }
}

crate::text_enum! {
    /// The assistance decision on an application, as the case system reports it.
    pub enum DecisionOutcome {
        Approved = "approved",
        PartlyApproved = "partly_approved",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        Other = "other",
    }
}

impl crate::labels::Label for DecisionOutcome {
    fn label(self) -> &'static str {
        match self {
            DecisionOutcome::Approved => "Beviljad",
            DecisionOutcome::PartlyApproved => "Delvis beviljad",
            DecisionOutcome::Rejected => "Avslag",
            DecisionOutcome::Withdrawn => "Återtagen ansökan",
            DecisionOutcome::Other => "Annat beslut",
        }
    }
}

impl crate::labels::Label for IdentifiedBy {
    fn label(self) -> &'static str {
        match self {
            IdentifiedBy::Eid => "Identifierad med e-legitimation",
            IdentifiedBy::None => "Inte identifierad",
        }
    }
}

// The Swedish words the pages, CSV exports and messages show for these values.
impl crate::labels::Label for BookingStatus {
    fn label(self) -> &'static str {
        match self {
            BookingStatus::Booked => "Bokad",
            BookingStatus::Cancelled => "Avbokad",
            BookingStatus::Held => "Genomförd",
            BookingStatus::NoShow => "Uteblev",
        }
    }
}
