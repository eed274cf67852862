//! Each signal's reason in Swedish, from its figures: for the page, the API and the webhook.
//! Only ids and figures go in; no name or free text about a person can come out.

use super::{Signal, SignalKind};
use crate::labels::{Label, date};
use crate::processes::Measure;

/// A figure of a measure as people read it: a share in per cent, hours and days with one
/// decimal (decimal comma), counts whole.
pub fn figure(measure: Measure, v: f64) -> String {
    match measure {
        Measure::ShareMetNextWorkingDay
        | Measure::NoShowShare
        | Measure::ShareContacted14Days
        | Measure::ShareWithAgreedPlan
        | Measure::AttendanceRate
        | Measure::ShareDecidedWithin24h => {
            format!("{:.0} %", v * 100.0)
        }
        Measure::MedianHoursToMeeting | Measure::MedianHoursToDecision => format!("{v:.1} timmar").replace('.', ","),
        Measure::MedianDaysToFirstProposal => format!("{v:.1} dagar").replace('.', ","),
        Measure::ExitsToWorkOrStudies | Measure::Proposals => format!("{v:.0}"),
    }
}

pub fn text(s: &Signal) -> String {
    let unit = s.unit.as_deref().unwrap_or("");
    let day = date(s.date.as_deref().unwrap_or(""));
    match s.kind {
        SignalKind::ProcessBehind => {
            let m = s.measure.unwrap_or(Measure::ExitsToWorkOrStudies);
            let value = s.value.map(|v| figure(m, v)).unwrap_or_else(|| "–".into());
            let expected = s.expected_by_now.map(|v| figure(m, v)).unwrap_or_else(|| "–".into());
            let target = s.target.map(|v| figure(m, v)).unwrap_or_else(|| "–".into());
            if m.accumulates() {
                format!(
                    "{unit}: {} är {value}, i takt med målet borde det vara {expected} nu (mål {target} för månaden).",
                    m.label()
                )
            } else {
                format!("{unit}: {} är {value}, målet är {target}.", m.label())
            }
        }
        SignalKind::NoContact => format!("Ingen kontakt på {} dagar (senast {day}).", s.days.unwrap_or_default(),),
        SignalKind::NextDayFull => {
            format!("{unit}: inga lediga mötestider nästa arbetsdag, {day}.")
        }
        SignalKind::NoShows => format!(
            "{unit}: {} av de {} möten som hållits eller uteblivit sedan måndag uteblev (gränsen är {}).",
            s.value.map(|v| figure(Measure::NoShowShare, v)).unwrap_or_default(),
            s.days.unwrap_or_default(),
            s.target.map(|v| figure(Measure::NoShowShare, v)).unwrap_or_default(),
        ),
        SignalKind::DeadlineNobodyPresented => format!(
            "Sista ansökningsdag {day} ({} arbetsdagar kvar) och ingen är presenterad.",
            s.days.unwrap_or_default()
        ),
        SignalKind::ConsentExpires => {
            format!("Frågan om samtycke går ut {day} utan svar.")
        }
        SignalKind::NoPlan => {
            format!("Ingen överenskommen planering {} dagar efter inskrivning ({day}).", s.days.unwrap_or_default())
        }
        SignalKind::InvalidAbsences => format!(
            "Ogiltig frånvaro {} gånger på {} dagar (senast {day}).",
            s.value.unwrap_or_default(),
            s.days.unwrap_or_default()
        ),
        SignalKind::PlanReview => {
            format!("Planeringen ska följas upp: uppföljningsdatum {day} har passerat.")
        }
        SignalKind::SignInFailures => format!(
            "{} misslyckade inloggningar (okänd nyckel) från adressen {} det senaste dygnet, senast {day}.",
            s.days.unwrap_or_default(),
            s.address.as_deref().unwrap_or("okänd")
        ),
        SignalKind::NewMatch => "En av dina arbetssökande passar en öppen tjänst (Dagens förslag).".to_string(),
        SignalKind::BackupFailed => match s.days {
            Some(d) => format!(
                "Säkerhetskopieringen misslyckades eller uteblev ({day}); den senaste lyckade är {d} dygn gammal. Se /readyz och driftboken."
            ),
            None => format!(
                "Säkerhetskopieringen misslyckades ({day}) och ingen har lyckats ännu. Se /readyz och driftboken."
            ),
        },
        SignalKind::NoDecision => format!(
            "Ansökan utan beslut efter {} (ansökte {day}).",
            figure(Measure::MedianHoursToDecision, s.value.unwrap_or_default())
        ),
        SignalKind::NeverShown => format!(
            "{} av de berättigade i {} ({}) har inte visats i någon rankad lista de senaste 30 dagarna (mätt {day}); gränsen är {}. Se vilka och varför.",
            s.days.unwrap_or_default(),
            s.unit.as_deref().unwrap_or("enheten"),
            crate::export::decimal(s.value.unwrap_or_default() * 100.0, 1) + " %",
            crate::export::decimal(s.target.unwrap_or_default() * 100.0, 0) + " %"
        ),
        SignalKind::MessagesFailed => format!(
            "{} meddelanden ({}) kunde inte levereras det senaste dygnet – ring i stället. Se vilka på personernas sidor.",
            s.days.unwrap_or_default(),
            match s.address.as_deref() {
                Some("email") => "e-post",
                _ => "sms",
            }
        ),
        SignalKind::ReviewRequested => match s.days {
            Some(d) if d < 0 => format!("En person har begärt omprövning; svaret skulle ha getts senast {day}."),
            _ => format!("En person har begärt omprövning; svara senast {day}."),
        },
    }
}
