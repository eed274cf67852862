//! The page frame (header, navigation, sign-out) and the Swedish words for codes.

use super::labels::Label;
use maud::{DOCTYPE, Markup, html};

use crate::auth::{Principal, Role};
use crate::reference::reference;

/// What the frame needs to know about the viewer.
pub struct Chrome<'a> {
    pub who: Option<&'a Principal>,
    pub csrf: &'a str,
}

impl Chrome<'_> {
    pub fn anonymous() -> Chrome<'static> {
        Chrome { who: None, csrf: "" }
    }
}

/// A page that moves straight on to `to` (a meta refresh: a navigation this site starts,
/// so the browser sends its SameSite=Strict cookies, and one a form may lead to even when
/// `to` is another site), with a link for when it does not.
pub fn moving_on(title: &str, heading: &str, (link_id, link_text): (&str, &str), to: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="refresh" content=(format!("0;url={to}"));
                title { (title) " – Platsa" }
                link rel="icon" href="/favicon.ico";
                link rel="stylesheet" href="/static/platsa.css";
            }
            body { main id="innehall" { section.signin {
                h1 { (heading) }
                p { a id=(link_id) href=(to) { (link_text) } }
            } } }
        }
    }
}

pub fn page(title: &str, chrome: &Chrome<'_>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Platsa" }
                link rel="icon" href="/favicon.ico";
                link rel="stylesheet" href="/static/platsa.css";
                script src="/static/platsa.js" defer {}
            }
            body {
                // Keyboard and screen-reader users skip the header and navigation.
                a.skip href="#innehall" { "Hoppa till innehållet" }
                header.top {
                    a.brand href="/" { "Platsa" }
                    @if let Some(who) = chrome.who {
                        nav aria-label="Huvudmeny" {
                            a href="/" { "Start" }
                            @if who.role != Role::Manager {
                                a href="/openings" { "Annonser" }
                                a href="/seekers" { "Arbetssökande" }
                                a href="/placements" { "Placeringar" }
                                a href="/agenda" { "Möten" }
                                a href="/attendance" { "Närvaro" }
                            }
                            a href="/signals" { "Signaler" }
                            @if who.role == Role::Admin {
                                a href="/admin" { "Administration" }
                                a href="/imports" { "Läs in" }
                            }
                            @if who.role != Role::Officer {
                                a href="/reports/monthly" { "Månadsrapport" }
                            }
                        }
                        form.signout method="post" action="/signout" {
                            span.who { (who.name) " · " (who.role.label()) }
                            input type="hidden" name="csrf" value=(chrome.csrf);
                            button type="submit" { "Logga ut" }
                        }
                    }
                }
                main id="innehall" tabindex="-1" { (body) }
            }
        }
    }
}

pub fn municipality(code: &str) -> String {
    reference().municipalities.get(code).map(|m| m.name.clone()).unwrap_or_else(|| code.to_string())
}

pub fn occupation(code: &str) -> String {
    match reference().ssyk_name(code) {
        Some(name) => format!("{name} ({code})"),
        None => code.to_string(),
    }
}

pub use crate::labels::{date, instant};

pub fn clock_time(ts: i64) -> String {
    stockholm(ts).format("%H:%M").to_string()
}

fn stockholm(ts: i64) -> chrono::DateTime<chrono_tz::Tz> {
    chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default().with_timezone(&chrono_tz::Europe::Stockholm)
}

/// Whole days between an instant and now, in words.
pub fn days_ago(ts: i64, now: i64) -> String {
    match (now - ts).max(0) / 86_400 {
        0 => "i dag".into(),
        1 => "1 dag".into(),
        n => format!("{n} dagar"),
    }
}

pub fn name(first: &Option<String>, last: &Option<String>) -> String {
    let n = format!("{} {}", first.as_deref().unwrap_or(""), last.as_deref().unwrap_or("")).trim().to_string();
    if n.is_empty() { "(uppgifter raderade)".into() } else { n }
}

pub fn percent(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

/// A small score bar: width by value, with the number beside it.
pub fn bar(value: f64) -> Markup {
    let pct = (value.clamp(0.0, 1.0) * 100.0).round() as u32;
    html! { span.bar { meter min="0" max="100" value=(pct) {} } }
}

/// Seekers' display names by id (erased ones included, shown as erased), from the names a
/// page read (`seekers::service::names`).
pub fn display_names(
    names: std::collections::HashMap<String, (Option<String>, Option<String>)>,
) -> std::collections::HashMap<String, String> {
    names.into_iter().map(|(id, (first, last))| (id, name(&first, &last))).collect()
}
