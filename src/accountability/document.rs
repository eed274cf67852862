//! The technical documentation (AI Act Art. 11 and 13, Annex IV), generated from what is in
//! force: the purpose, the ranking's rules and weights (and every earlier version lists were
//! made with), the data used and not used, the evaluation figures, last month's exposure and
//! oversight, known limitations, the log's retention, and how a person gets an explanation.
//! In Swedish and English, as Markdown or HTML, from one list of blocks.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::exposure::{self, Exposure, Period};
use super::oversight::{self, Oversight};
use crate::config::{AccountabilitySettings, MatchingSettings};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::index::Lookup;
use crate::ranking_log::{StoredVersion, Version};

/// The evaluation of one shipped set (`platsa eval`), as the document reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalFigures {
    /// How the set was made ("generated, seed 13, coded profiles").
    pub set: String,
    pub openings: usize,
    pub seekers: usize,
    pub ndcg_at_10: f64,
    pub recall_at_50: f64,
    pub violations: usize,
}

/// Everything the document states.
pub struct Facts {
    pub generated_at: i64,
    pub version: Version,
    pub history: Vec<StoredVersion>,
    pub weights: MatchingSettings,
    pub accountability: AccountabilitySettings,
    pub eval: Vec<EvalFigures>,
    pub month: crate::clock::Month,
    pub exposure: Exposure,
    pub oversight: Oversight,
}

/// Reads the facts from the database and the index; `eval` is run by the caller (it builds
/// throw-away indexes).
pub fn facts(
    c: &mut DbConnection,
    at: Lookup<'_>,
    accountability: AccountabilitySettings,
    eval: Vec<EvalFigures>,
) -> AppResult<Facts> {
    let month = crate::clock::Month::of(crate::clock::stockholm_date(at.now)).previous();
    let p = Period { from: month.first(), to: month.end() };
    Ok(Facts {
        generated_at: at.now,
        version: crate::matching::version(at.weights),
        history: crate::ranking_log::versions(c)?,
        weights: *at.weights,
        accountability,
        eval,
        month,
        exposure: exposure::report(c, at, p, None)?,
        oversight: oversight::figures(c, p, None)?,
    })
}

crate::text_enum! {
    /// The document's language(s).
    #[derive(Default)]
    pub enum Lang {
        #[default]
        Both = "both",
        Sv = "sv",
        En = "en",
    }
}

enum Block {
    H1(String),
    H2(String),
    P(String),
    List(Vec<String>),
    Table(Vec<String>, Vec<Vec<String>>),
    Code(String),
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0).replace('.', ",")
}

fn blocks(f: &Facts, sv: bool) -> Vec<Block> {
    let t = |s: &str, e: &str| if sv { s.to_string() } else { e.to_string() };
    let w = &f.weights;
    let mut out = vec![
        Block::H1(t("Platsa – teknisk dokumentation av rankningen", "Platsa – technical documentation of the ranking")),
        Block::P(format!(
            "{} {} · {} {}",
            t("Genererad", "Generated"),
            crate::clock::format_ts(f.generated_at),
            t("rankningsversion", "ranking version"),
            f.version.hash
        )),
        Block::H2(t("1. Syfte", "1. Purpose")),
        Block::P(t(
            "Platsa hjälper kommunala jobbmäklare att hitta och föreslå arbetssökande till lediga jobb och jobb till arbetssökande (Trelleborgsmodellen: alla som kan arbeta stöds direkt mot egen försörjning). Rankningen ordnar kandidater; den fattar inga beslut. En jobbmäklare väljer vem som föreslås, och personen tillfrågas om samtycke innan något når en arbetsgivare. Systemet rangordnar människor för arbete och för insatser inom försörjningsstöd, vilket EU:s AI-förordning räknar som hög risk (bilaga III 4 a och 5 a); Platsa byggs efter de kraven oavsett om en handviktad poäng är ett AI-system.",
            "Platsa helps municipal job brokers find and propose job seekers for openings and openings for job seekers (the Trelleborg model: everyone who can work is supported straight toward self-sufficiency). The ranking orders candidates; it decides nothing. A broker chooses whom to propose, and the person is asked for consent before anything reaches an employer. Ranking people for work and for social-assistance measures is high-risk under the EU AI Act (Annex III 4(a) and 5(a)); Platsa is built to those requirements whether or not a hand-weighted score is an AI system.",
        )),
        Block::H2(t("2. Regler och vikter i kraft", "2. Rules and weights in force")),
        Block::Table(
            vec![t("Del", "Part"), t("Vikt", "Weight")],
            vec![
                vec![t("Yrke", "Occupation"), w.occupation.to_string()],
                vec![t("Krav (ska-krav)", "Must-haves"), w.must_have.to_string()],
                vec![t("Avstånd", "Distance"), w.distance.to_string()],
                vec![t("Egen beskrivning (text)", "Own description (text)"), w.text.to_string()],
                vec![t("Meriterande", "Nice-to-haves"), w.nice_to_have.to_string()],
                vec![t("Tillgänglighet", "Availability"), w.availability.to_string()],
            ],
        ),
        Block::P(t(
            "Versionens fullständiga text (det dess hash beräknas på):",
            "The version's full text (what its hash is computed from):",
        )),
        Block::Code(f.version.text.clone()),
        Block::H2(t("3. Versionshistorik", "3. Version history")),
    ];
    if f.history.is_empty() {
        out.push(Block::P(t("Ingen lista har visats ännu.", "No list has been shown yet.")));
    } else {
        out.push(Block::Table(
            vec![t("Version", "Version"), t("Först använd", "First used"), t("Vikter", "Weights")],
            f.history
                .iter()
                .map(|v| {
                    let weights = v.text.lines().find(|l| l.starts_with("weights:")).unwrap_or("").to_string();
                    vec![v.hash.clone(), crate::clock::format_ts(v.first_used_at), weights]
                })
                .collect(),
        ));
    }
    out.push(Block::H2(t("4. Data som används och inte används", "4. Data used and not used")));
    out.push(Block::List(vec![
        t(
            "Används: registrerade yrken (SSYK) och yrken utlästa ur personens egen text, kompetenser, språk med nivå, körkort, hemkommun och eget pendlingsavstånd, när personen kan börja, hur länge personen väntat sedan senaste förslag (rättviseregeln).",
            "Used: registered occupations (SSYK) and occupations read from the person's own text, skills, languages with level, driving licences, home municipality and own commuting range, when the person can start, how long they have waited since last proposed (the fairness rule).",
        ),
        t(
            "Används inte: kön, ålder, ursprung, namn, personnummer. De finns inte i sökindexet. Ord om ursprung och språknamn läses aldrig som yrken ur fri text.",
            "Not used: gender, age, origin, name, personal identity number. They are not in the search index. Words about origin and language names are never read as occupations from free text.",
        ),
        t(
            "Krav som kan fungera som ombud för ursprung eller ålder (språknivå, körkort, avstånd) prövas mot registret när en annons sparas, och varnas för när de utesluter mer än ",
            "Requirements that can act as proxies for origin or age (language level, driving licence, distance) are checked against the register when an opening is saved, and warned of when they exclude more than ",
        ) + &pct(f.accountability.requirement_exclusion_share)
            + &t(" av annars matchande sökande.", " of otherwise matching people."),
    ]));
    out.push(Block::H2(t("5. Träffsäkerhet (platsa eval)", "5. Accuracy (platsa eval)")));
    if f.eval.is_empty() {
        out.push(Block::P(t("Utvärderingen kördes inte.", "The evaluation was not run.")));
    } else {
        out.push(Block::Table(
            vec![
                t("Utvärderingsmängd", "Evaluation set"),
                t("Annonser", "Openings"),
                t("Sökande", "Seekers"),
                "NDCG@10".into(),
                "recall@50".into(),
                t("Brott mot hårda filter", "Hard-filter violations"),
            ],
            f.eval
                .iter()
                .map(|e| {
                    vec![
                        e.set.clone(),
                        e.openings.to_string(),
                        e.seekers.to_string(),
                        format!("{:.4}", e.ndcg_at_10),
                        format!("{:.4}", e.recall_at_50),
                        e.violations.to_string(),
                    ]
                })
                .collect(),
        ));
        out.push(Block::P(t(
            "Betygen i mängderna kommer från en regel om vad varje person verkligen kan, aldrig från Platsas poäng (se README, \"Evaluating the ranking\").",
            "The sets' grades come from a rule about what each person truly can do, never from Platsa's score (see the README, \"Evaluating the ranking\").",
        )));
    }
    let e = &f.exposure;
    out.push(Block::H2(format!(
        "{} {}",
        t("6. Synlighet och mänsklig tillsyn,", "6. Exposure and human oversight,"),
        f.month.first().format("%Y-%m")
    )));
    out.push(Block::Table(
        vec![
            t("Berättigade", "Eligible"),
            t("Visade bland de 20 första", "Shown in a top 20"),
            t("Föreslagna", "Proposed"),
            t("Aldrig visade", "Never shown"),
        ],
        vec![vec![
            e.total.eligible.to_string(),
            pct(e.total.shown_top_share),
            pct(e.total.proposed_share),
            pct(e.total.never_shown_share),
        ]],
    ));
    let o = &f.oversight.total;
    out.push(Block::Table(
        vec![
            t("Förslag från plats 1–10", "Proposals from ranks 1–10"),
            t("från plats 11–50", "from ranks 11–50"),
            t("utanför listan", "outside the list"),
            t("\"Passar inte\" trots topp 10", "\"Not suitable\" over a top-10 rank"),
        ],
        vec![vec![
            o.from_top_10.to_string(),
            o.from_11_to_50.to_string(),
            o.outside_list.to_string(),
            o.not_suitable_over_top_10.to_string(),
        ]],
    ));
    out.push(Block::P(t(
        "Berättigade: aktiva personer som rankningen kunde visa för minst en annons som var öppen under perioden. En enhet där andelen aldrig visade överstiger ",
        "Eligible: active people the ranking could show for at least one opening open in the period. A unit whose never-shown share exceeds ",
    ) + &pct(f.accountability.never_shown_share)
        + &t(" får en signal.", " gets a signal.")));
    out.push(Block::H2(t("7. Kända begränsningar", "7. Known limitations")));
    out.push(Block::List(vec![
        t(
            "Vikterna är satta för hand och prövade på genererade mängder, inte lärda ur utfall; en kommun kan betygsätta egna fall och köra platsa eval.",
            "The weights are set by hand and tested on generated sets, not learnt from outcomes; a municipality can grade its own cases and run platsa eval.",
        ),
        t(
            "Läsningen av fri text känner igen yrken, kompetenser och körkort från en ordlista; ovanliga formuleringar missas, och det utlästa visas för jobbmäklaren att bekräfta.",
            "Reading free text recognises occupations, skills and licences from a vocabulary; unusual wording is missed, and what was read is shown to the broker to confirm.",
        ),
        t(
            "Avstånd räknas mellan kommuners mittpunkter (med några km marginal), inte restid.",
            "Distances are between municipalities' centroids (with a few km of slack), not travel time.",
        ),
        t(
            "Synlighet bedöms mot dagens profiler och index: en person som ändrat profil bedöms efter den nya.",
            "Exposure is judged against today's profiles and index: a person who changed profile is judged by the new one.",
        ),
    ]));
    out.push(Block::H2(t("8. Loggning och lagring", "8. Logging and retention")));
    out.push(Block::P(format!(
        "{} {} {}",
        t(
            "Varje rankad lista som visas (kandidater till en annons, annonser för en person, på sidor och i API:t) loggas med tidpunkt, användare, rankningsversion, filter, totalt antal och de visade id:na med poäng. Loggen sparas",
            "Every ranked list shown (candidates for an opening, openings for a person, on pages and over the API) is logged with the time, the user, the ranking version, the filters, the total and the ids shown with their scores. The log is kept",
        ),
        f.accountability.log_months,
        t(
            "månader och gallras sedan dagligen; när en person raderas tas personens id bort ur loggen. Administratörer läser den i GET /api/v1/ranking-log (och som CSV).",
            "months and then deleted daily; when a person is erased, their id is removed from the log. Admins read it at GET /api/v1/ranking-log (and as CSV).",
        )
    )));
    out.push(Block::H2(t("9. Förklaring till den enskilde", "9. Explanation to the person")));
    out.push(Block::P(t(
        "Varje träff visas för jobbmäklaren med poängens delar och varför. Personen själv loggar in på Mina sidor med e-legitimation, ser sina förslag och vad som hänt med dem, och kan begära omprövning av en bedömning.",
        "Every hit is shown to the broker with the score's parts and why. The person signs in to Mina sidor with e-ID, sees their proposals and what became of them, and can ask for a review of an assessment.",
    )));
    out
}

fn all_blocks(f: &Facts, lang: Lang) -> Vec<Block> {
    match lang {
        Lang::Sv => blocks(f, true),
        Lang::En => blocks(f, false),
        Lang::Both => {
            let mut b = blocks(f, true);
            b.extend(blocks(f, false));
            b
        }
    }
}

/// The document as Markdown.
pub fn markdown(f: &Facts, lang: Lang) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::new();
    for b in all_blocks(f, lang) {
        match b {
            Block::H1(s) => out.push_str(&format!("# {s}\n\n")),
            Block::H2(s) => out.push_str(&format!("## {s}\n\n")),
            Block::P(s) => out.push_str(&format!("{s}\n\n")),
            Block::List(items) => {
                for i in items {
                    out.push_str(&format!("- {i}\n"));
                }
                out.push('\n');
            }
            Block::Table(head, rows) => {
                out.push_str(&format!("| {} |\n", head.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for r in rows {
                    out.push_str(&format!("| {} |\n", r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")));
                }
                out.push('\n');
            }
            Block::Code(s) => out.push_str(&format!("```text\n{s}```\n\n")),
        }
    }
    out
}

/// The document as a standalone HTML page.
pub fn html(f: &Facts, lang: Lang) -> String {
    let body: Markup = html! {
        @for b in all_blocks(f, lang) {
            @match b {
                Block::H1(s) => h1 { (s) },
                Block::H2(s) => h2 { (s) },
                Block::P(s) => p { (s) },
                Block::List(items) => ul { @for i in items { li { (i) } } },
                Block::Table(head, rows) => table {
                    thead { tr { @for h in head { th scope="col" { (h) } } } }
                    tbody { @for r in rows { tr { @for c in r { td { (c) } } } } }
                },
                Block::Code(s) => pre { code { (s) } },
            }
        }
    };
    let lang_attr = if lang == Lang::En { "en" } else { "sv" };
    html! {
        (DOCTYPE)
        html lang=(lang_attr) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Platsa – teknisk dokumentation" }
                style { (PreEscaped("body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;line-height:1.5}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}")) }
            }
            body { main { (body) } }
        }
    }
    .into_string()
}
