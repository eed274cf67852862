//! Application intake and next-day follow-up booking: an applicant picks one of three free
//! meetings with an arbetsmarknadssekreterare on the next working day. No double bookings:
//! the guarantee is in the database (unique indexes, and on PostgreSQL an exclusion
//! constraint), never in an in-process lock.

pub mod calendar;
pub mod decisions;
pub mod http;
pub mod notify;
pub mod offers;
pub mod officers;
pub mod report;
pub mod service;
pub mod slots;
pub mod store;
pub mod waitlist;

/// What booking needs to send its messages: where links point, when reminders go, how long
/// a freed meeting is held for the person it is offered to.
#[derive(Debug, Clone)]
pub struct Sending {
    pub public_url: String,
    pub reminder_hour: u32,
    pub hold_minutes: u32,
}

impl Sending {
    pub fn of(s: &crate::config::Settings) -> Self {
        Self {
            public_url: s.public_url.clone(),
            reminder_hour: s.booking.reminder_hour,
            hold_minutes: s.booking.offer_hold_minutes,
        }
    }
}

crate::text_enum! {
    /// A freed earlier meeting offered from the waiting list: held for the person until they
    /// take it, say no, or the hold runs out (then it passes to the next).
    pub enum OfferState {
        Held = "held",
        Accepted = "accepted",
        Declined = "declined",
        Expired = "expired",
        /// Taken back: the person's own meeting went first (cancelled, or already earlier).
        Withdrawn = "withdrawn",
    }
}

impl crate::labels::Label for OfferState {
    fn label(self) -> &'static str {
        match self {
            OfferState::Held => "Erbjuden",
            OfferState::Accepted => "Tagen",
            OfferState::Declined => "Nej tack",
            OfferState::Expired => "Gick ut",
            OfferState::Withdrawn => "Återkallad",
        }
    }
}

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
