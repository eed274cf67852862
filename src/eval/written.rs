//! Profiles written the way an import from a case system, the apply form or a hurried
//! registration leaves them: no codes, only a Swedish (sometimes English) text about what the
//! person has done, can do and wants. Used by `platsa eval --write-set --free-text`.
//!
//! The phrasings are this module's own, kept apart from the reader's lexicon
//! (`indexes/written.txt`) on purpose: some of them the reader does not know, so the set
//! measures how far the reader gets rather than repeating it.

use crate::demo::generate::Rng;
use crate::reference::reference;

/// How people name some common occupations in their own words (colloquial, abbreviated,
/// English, a workplace instead of a title). Codes absent here are written from JobTech's
/// occupation names, sometimes misspelt.
const OWN_WORDS: &[(&str, &[&str])] = &[
    (
        "5131",
        &["servitör", "servitris", "servitor", "waiter", "waitress", "serveringspersonal", "servitris på restaurang"],
    ),
    ("5120", &["kock", "kokerska", "cook", "kock på restaurang", "kock i storkök"]),
    ("9412", &["diskare", "köksbiträde", "restaurangbiträde", "kitchen helper", "diskplockare"]),
    ("9411", &["pizzabagare", "pizzakock", "gatukökspersonal"]),
    ("5321", &["usk", "undersköterska", "underskoterska", "undersköterska i hemtjänsten", "assistant nurse"]),
    ("5330", &["vårdbiträde", "vardbitrade", "vårdbiträde i hemtjänsten"]),
    ("5311", &["barnskötare", "barnskotare", "barnflicka på förskola"]),
    (
        "9111",
        &["städare", "lokalvårdare", "lokalvardare", "cleaner", "städerska", "hotellstädare", "städare på hotell"],
    ),
    ("5230", &["kassör", "kassörska", "kassabiträde", "cashier", "kassapersonal"]),
    ("5223", &["butikssäljare", "säljare i butik", "butiksbiträde", "shop assistant"]),
    ("7111", &["snickare", "byggare", "snickare/byggare", "carpenter", "byggnadssnickare", "träarbetare"]),
    ("7131", &["målare", "malare", "byggnadsmålare", "painter", "maalare"]),
    ("7411", &["elektriker", "installationselektriker", "electrician", "elektrikr", "elinstallatör"]),
    ("8321", &["taxichaufför", "taxiförare", "taxiforare", "taxi driver", "taxichaffis"]),
    ("8332", &["lastbilschaufför", "lastbilsförare", "lastbilschaffis", "truck driver", "åkare"]),
    ("8331", &["busschaufför", "bussförare", "bus driver"]),
    ("8344", &["truckförare", "truckforare", "forklift driver"]),
    ("4322", &["lagerarbetare", "lagerjobbare", "warehouse worker", "lagerpersonal", "terminalarbetare"]),
    ("4222", &["kundtjänstmedarbetare", "customer service", "kundtjänsthandläggare", "callcenter-säljare"]),
    ("5343", &["personlig assistent", "pers ass", "personlig assistans"]),
    ("7112", &["murare", "plattsättare", "bricklayer"]),
    ("9331", &["hamnarbetare", "stuvare", "docker"]),
    ("5241", &["eventsäljare", "demonstratör"]),
    ("7212", &["svetsare", "welder", "svets"]),
];

/// How people name a workplace when they mean the job ("jobbat på lager").
const WORKPLACES: &[(&str, &[&str])] = &[
    ("4322", &["jobbat på lager", "jobbat på ett lager", "jobbat i lagret på ICA"]),
    ("9111", &["städat på hotell", "städat kontor", "jobbat med städ"]),
    ("5131", &["jobbat på restaurang i serveringen", "serverat på restaurang"]),
    ("5230", &["stått i kassan", "jobbat i kassan på Coop"]),
    ("8321", &["kört taxi", "kört taxi i Göteborg"]),
    ("8332", &["kört lastbil", "kört långtradare"]),
    ("5321", &["jobbat i hemtjänsten som usk", "jobbat på äldreboende som undersköterska"]),
    ("7111", &["byggt hus", "jobbat på bygge som snickare"]),
];

/// Everyday phrases for skills: a JobTech label (as in `skills.csv`) and what people write.
const SKILL_WORDS: &[(&str, &[&str])] = &[
    ("Truckvana", &["kört truck", "truckkort", "har truckkort", "TLP10"]),
    ("Gaffeltruck", &["kört gaffeltruck", "truck"]),
    ("Orderplockning", &["plockat order med handscanner", "plockat order", "orderplock"]),
    ("Kassavana", &["stått i kassan", "van vid kassa", "kassa"]),
    ("Bordsservering", &["serverat vid borden", "bordsservering"]),
    ("Kundtjänst", &["svarat i telefon i kundtjänst", "customer service"]),
    ("Städtjänster", &["städat", "städning"]),
    ("Hotellstädning", &["städat hotellrum", "hotellstäd"]),
    ("Personlig omvårdnad", &["omvårdnad", "hjälpt äldre med omvårdnad"]),
    ("Yrkeskompetensbevis för förare (YKB)", &["YKB", "har YKB"]),
    ("Ansvarsfull alkoholservering, utbildning", &["alkoholutbildning", "gått ansvarsfull alkoholservering"]),
    ("Taxiförarlegitimation", &["taxileg", "taxiförarleg", "har taxilegitimation"]),
    ("Certifikat, heta arbeten", &["heta arbeten", "certifikat för heta arbeten"]),
];

const OPENERS: &[&str] = &[
    "",
    "Lugn och noggrann. ",
    "Social och glad. ",
    "Pålitlig, kommer alltid i tid. ",
    "Personen är motiverad och vill ha jobb snabbt. ",
    "Sökande är flexibel. ",
];

const NOISE: &[&str] = &[
    " Kommer från Syrien och talar arabiska och lite svenska.",
    " Talar somaliska, engelska och svenska.",
    " Läser SFI på kvällstid.",
    " Har barn på förskola, kan jobba dagtid.",
    " Kan tänka mig vad som helst.",
    " Föredrar heltid men deltid går också bra.",
    " Bor i Rinkeby, har svårt att ta sig långt.",
    " Ukrainska och ryska som modersmål.",
    " Var i Polen tidigare.",
];

/// Whether people often describe `code` in their own words (the set leans openings to these).
pub fn commonly_written(code: &str) -> bool {
    OWN_WORDS.iter().any(|(c, _)| *c == code)
}

/// A name for `code` in someone's own words: colloquial, English, or a JobTech name,
/// sometimes misspelt; lower case as people type it.
pub fn occupation_words(rng: &mut Rng, code: &str) -> String {
    let r = reference();
    if let Some((_, own)) = OWN_WORDS.iter().find(|(c, _)| *c == code)
        && rng.chance(0.7)
    {
        return (*rng.pick(own)).to_string();
    }
    let names: Vec<&str> = r.occupation_names.iter().filter(|n| n.ssyk4 == code).map(|n| n.label.as_str()).collect();
    let name = if names.is_empty() {
        r.ssyk_name(code).unwrap_or("arbetare").to_string()
    } else {
        let n = *rng.pick(&names);
        let alternative = n.split('/').nth(rng.below(2)).unwrap_or(n);
        alternative.split(',').next().unwrap_or(alternative).trim().to_string()
    };
    let name = name.to_lowercase();
    if rng.chance(0.25) { misspelt(rng, &name) } else { name }
}

/// A typing slip: å/ä/ö without dots, or one letter dropped or two swapped in a long word.
pub fn misspelt(rng: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 7 || word.contains(' ') {
        return crate::text::fold(word);
    }
    match rng.below(3) {
        0 => crate::text::fold(word),
        1 => {
            let at = 2 + rng.below(chars.len() - 4);
            chars.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, c)| c).collect()
        }
        _ => {
            let at = 2 + rng.below(chars.len() - 4);
            let mut c = chars.clone();
            c.swap(at, at + 1);
            c.into_iter().collect()
        }
    }
}

/// How a skill is written: an everyday phrase when there is one, else its label in a frame.
fn skill_words(rng: &mut Rng, label: &str) -> String {
    if let Some((_, phrases)) = SKILL_WORDS.iter().find(|(l, _)| *l == label)
        && rng.chance(0.7)
    {
        return (*rng.pick(phrases)).to_string();
    }
    let l = label.split(',').next().unwrap_or(label).to_lowercase();
    format!("{} {l}", rng.pick(&["kan", "van vid", "erfarenhet av", "har jobbat med", "kan det mesta inom"]))
}

/// What a person is, for the text: their occupation (experience or only a wish), their skills,
/// and what they say they have never done or do not want again.
pub struct Story<'a> {
    pub code: &'a str,
    pub wish_only: bool,
    pub skill_labels: &'a [String],
    pub never: &'a [String],
    pub left: Option<&'a str>,
    pub denied_skill: Option<&'a str>,
}

/// A summary telling `story`, in one of several voices (first person, third person, notes).
pub fn write(rng: &mut Rng, story: &Story) -> String {
    let mut text = (*rng.pick(OPENERS)).to_string();
    let years = 1 + rng.below(12);
    if let Some(left) = story.left {
        let was = occupation_words(rng, left);
        text.push_str(&match rng.below(3) {
            0 => format!("Har jobbat som {was} men vill byta bransch. "),
            1 => format!("Jobbade som {was} för länge sedan, vill inte tillbaka dit. "),
            _ => format!("Tidigare {was} men orkar inte längre med det. "),
        });
    }
    let name = occupation_words(rng, story.code);
    let workplace = WORKPLACES.iter().find(|(c, _)| *c == story.code).map(|(_, w)| *rng.pick(w));
    if story.wish_only {
        text.push_str(&match rng.below(3) {
            0 => format!("Vill bli {name}. "),
            1 => format!("Vill jobba som {name} men har ingen erfarenhet än. "),
            _ => format!("Drömmer om att bli {name}. "),
        });
    } else {
        text.push_str(&match (workplace, rng.below(7)) {
            (Some(w), 0 | 1) => format!("Har {w} i {years} år. "),
            (_, 2) => format!("Personen har jobbat {years} år som {name}. "),
            (_, 3) => format!("Jobbat som {name} sedan {}. ", 2026 - years),
            (_, 4) => format!("{} i grunden, {years} års erfarenhet. ", capitalised(&name)),
            (_, 5) => format!("Har erfarenhet som {name} från hemlandet och Sverige. "),
            _ => format!("Har jobbat som {name} i {years} år. "),
        });
    }
    for never in story.never {
        let other = occupation_words(rng, never);
        text.push_str(&match rng.below(2) {
            0 => format!("Har aldrig jobbat som {other}. "),
            _ => format!("Vill inte jobba som {other}. "),
        });
    }
    if !story.skill_labels.is_empty() {
        let parts: Vec<String> = story.skill_labels.iter().map(|l| skill_words(rng, l)).collect();
        text.push_str(&format!("{}. ", capitalised(&parts.join(", "))));
    }
    if let Some(denied) = story.denied_skill {
        text.push_str(&format!("Ingen erfarenhet av {}. ", denied.to_lowercase()));
    }
    if rng.chance(0.4) {
        text.push_str(rng.pick(NOISE).trim_start());
    }
    text.trim().to_string()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}
