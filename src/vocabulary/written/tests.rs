//! The reader over written examples of what people and brokers write. Each case: the text,
//! the occupations it must read (`~code` read as a wish, `!code` never read as sought: a
//! negated, left or absent one), the skills (`|`-separated labels, `!label` must be absent)
//! and the driving licences (`-` for none). A 3-digit code is met by itself or a unit group
//! in it.

use super::*;

#[rustfmt::skip]
const CASES: &[(&str, &str, &str, &str)] = &[
    // What people do, in their own words.
    ("Jobbat som servitor i 5 år, kan kassa och bordsservering", "5131 !5230", "Kassavana|Bordsservering", "-"),
    ("Har arbetat som undersköterska i 5 år på ett äldreboende.", "532", "", "-"),
    ("Utbildad elektriker.", "7411", "", "-"),
    ("usk i hemtjänsten sedan 2015", "532", "", "-"),
    ("Personen har jobbat 7 år som lokalvårdare.", "9111", "", "-"),
    ("lokalvardare på sjukhus", "9111", "", "-"),
    ("Jobbat på lager, kört truck och plockat order med handscanner.", "4322", "Truckvana|Orderplockning", "-"),
    ("snickare/byggare sedan 20 år", "7111", "", "-"),
    ("Har stått i kassan på ICA i tre år.", "5230", "Kassavana", "-"),
    ("Kört taxi i Göteborg, har taxileg.", "8321", "Taxiförarlegitimation", "-"),
    ("Lastbilschaufför med CE-kort och YKB.", "8332", "Yrkeskompetensbevis för förare (YKB)", "CE"),
    ("Har jobbat som kock i 10 år.", "5120", "", "-"),
    ("kokerska i skolkök", "5120", "", "-"),
    ("diskare och köksbiträde på restaurang", "9412", "", "-"),
    ("pizzabagare på helgerna", "9411", "", "-"),
    ("Målare sedan 2010", "7131", "", "-"),
    ("malare", "7131", "", "-"),
    ("byggnadsmålare med ID06", "7131", "", "-"),
    ("servitris på hotell", "5131", "", "-"),
    ("hotellstädare, städat hotellrum", "9111", "Hotellstädning", "-"),
    ("kassörska i livsmedelsbutik", "5230", "", "-"),
    ("butiksbiträde på Lidl", "522", "", "-"),
    ("taxichaufför", "8321", "", "-"),
    ("busschaufför med D-kort", "8331", "", "D"),
    ("truckförare med TLP10", "8344", "Utbildningsbevis enligt TLP 10 för truckförare", "-"),
    ("lagerarbetare", "4322", "", "-"),
    ("pers ass till en man med funktionsnedsättning", "5343", "", "-"),
    ("barnskötare på förskola", "5311", "", "-"),
    ("vårdbiträde i hemtjänsten", "5330", "", "-"),
    ("Jag är undersköterska.", "532", "", "-"),
    ("Undersköterskor behövs, jag är en av dem", "532", "", "-"),
    ("söker arbete som underskoterska", "532", "", "-"),
    ("Personen har jobbat som taxiförare och lastbilschaufför.", "8321 8332", "", "-"),
    ("Städare, kassör och lagerarbetare.", "9111 5230 4322", "", "-"),
    ("Erfarenhet som personlig assistent.", "5343", "", "-"),
    ("Jobbat extra som tidningsbud.", "9621", "", "-"),
    ("Fastighetsskötare i 15 år.", "5152", "", "-"),
    ("Jobbat 2 år som usk och 3 år som vårdbiträde", "532 5330", "", "-"),
    ("Elektriker med ID06-kort", "7411", "", "-"),
    ("bartender på nattklubb", "5132", "", "-"),
    ("Har jobbat som bagare.", "7612", "", "-"),
    ("Väktare på köpcentrum", "5413", "", "-"),
    ("Jobbat på förskola i 2 år", "5311", "", "-"),
    ("Jobbat i storkök", "512", "", "-"),
    ("Plattsättare", "7112", "", "-"),
    ("Har jobbat som rörmokare", "7125", "", "-"),
    ("Underskoterska med delegering", "532", "", "-"),
    ("Har en bakgrund som snickare men vill nu jobba som målare", "7111 ~7131", "", "-"),
    ("Jobbat på restaurang i serveringen", "513", "", "-"),
    ("Jobbar som städare nu, jobbade som kock förr.", "9111 5120", "", "-"),
    ("Har jobbat som lagerarbetare i 4 år och vill fortsätta med det.", "4322", "", "-"),
    ("Hon är undersköterska", "532", "", "-"),
    ("Han har jobbat som målare", "7131", "", "-"),
    ("Personen har tidigare arbetat som städare", "9111", "", "-"),
    ("Erfarenhet från bygg, snickeri och lite målning", "7111", "", "-"),
    ("Servitör. Ingen erfarenhet av bordsservering dock.", "5131", "!Bordsservering", "-"),
    ("Önskar arbete inom lager och logistik.", "4322", "", "-"),
    ("Intresserad av arbete inom vård och omsorg.", "~532", "", "-"),
    ("Har jobbat inom restaurang i många år.", "513", "", "-"),
    // English, as many write it.
    ("Worked as a waiter in Spain", "5131", "", "-"),
    ("warehouse worker, forklift", "4322", "Truckvana", "-"),
    ("Cleaner at a hotel for 3 years", "9111", "", "-"),
    ("customer service in a call center", "4222", "", "-"),
    ("waitress", "5131", "", "-"),
    ("kitchen porter", "9412", "", "-"),
    ("housekeeping på hotell", "9111", "", "-"),
    ("Cashier and shop assistant", "5230 522", "", "-"),
    ("I have a driving licence and worked as an electrician", "7411", "", "B"),
    // Typos and forms without å/ä/ö.
    ("elektrikr i tio år", "7411", "", "-"),
    ("Har jobbat som undersköterka", "532", "", "-"),
    ("lagerarbtare", "4322", "", "-"),
    ("snicakre", "7111", "", "-"),
    ("taxiforare", "8321", "", "-"),
    ("kassorska", "5230", "", "-"),
    ("stadare pa kontor", "9111", "", "-"),
    // Skills, certificates and licences in everyday words.
    ("Har B-kort.", "", "", "B"),
    ("Har plockat order och kört gaffeltruck.", "", "Orderplockning|Gaffeltruck", "-"),
    ("Kan bordsservering och barista.", "", "Bordsservering|Baristautbildning", "-"),
    ("Har YKB och C-kort", "", "Yrkeskompetensbevis för förare (YKB)", "C"),
    ("Har körkort B och egen bil.", "", "", "B"),
    ("Har gått alkoholutbildning och har HLR.", "", "Ansvarsfull alkoholservering, utbildning|Utbildning i Första hjälpen/Hjärt-lungräddning, HLR", "-"),
    ("Har heta arbeten", "", "Certifikat, heta arbeten", "-"),
    ("Van vid kassa och kundtjänst.", "", "Kassavana|Kundtjänst", "-"),
    ("Har B-körkort och truckkort.", "", "Truckvana", "B"),
    ("Hotellstädning och byggstädning.", "", "Hotellstädning|Byggstädning", "-"),
    ("Ingen erfarenhet av kassa men van vid städning.", "", "Städtjänster|!Kassavana", "-"),
    // Negation: never an occupation, skill or licence.
    ("Har aldrig jobbat som servitör.", "!5131", "", "-"),
    ("ingen erfarenhet av truck", "", "!Truckvana", "-"),
    ("Har inget körkort.", "", "", "-"),
    ("Saknar körkort.", "", "", "-"),
    ("Utan körkort", "", "", "-"),
    ("Har aldrig kört truck.", "", "!Truckvana", "-"),
    ("Vill inte jobba som kock.", "!5120", "", "-"),
    ("Har ingen erfarenhet som elektriker men vill lära mig.", "!7411", "", "-"),
    ("Jobbat som städare, inte som servitör.", "9111 !5131", "", "-"),
    ("Har inte jobbat som lärare, men har jobbat som barnskötare.", "5311 !234", "", "-"),
    ("Har inte jobbat på lager.", "!4322", "", "-"),
    ("Har aldrig stått i kassan", "!5230", "!Kassavana", "-"),
    ("Inte rädd för hårt arbete, har jobbat som städare", "9111", "", "-"),
    // Leaving a field: what they did is not what they seek.
    ("Har jobbat som kock men vill byta till vården.", "!5120 ~532", "", "-"),
    ("Jobbade som städare för länge sedan, vill inte tillbaka dit.", "!9111", "", "-"),
    ("Tidigare målare men orkar inte längre med det.", "!7131", "", "-"),
    ("Har jobbat som snickare men vill byta bransch.", "!7111", "", "-"),
    ("Jobbar inte längre som kock, söker något annat.", "!5120", "", "-"),
    // Wanting to become: a wish, not experience.
    ("Vill bli undersköterska.", "~532", "", "-"),
    ("Vill jobba som busschaufför men har ingen erfarenhet än.", "~8331", "", "-"),
    ("Drömmer om att bli elektriker.", "~7411", "", "-"),
    ("Vill testa att jobba som frisör", "~5141", "", "-"),
    ("Intresserad av att jobba som truckförare", "~8344", "", "-"),
    ("Vill lära mig truck.", "", "!Truckvana", "-"),
    ("Håller på att ta körkort.", "", "", "-"),
    // Origin, languages and names never count.
    ("Kommer från Syrien och talar arabiska.", "", "", "-"),
    ("Talar somaliska och engelska", "", "", "-"),
    ("Svenska som andraspråk, läser SFI.", "", "", "-"),
    ("Jobbade som kock i Syrien i 10 år", "5120", "", "-"),
    ("Kommer från Polen, jobbat som snickare", "7111", "", "-"),
    ("Ahmed har jobbat som kock.", "5120", "", "-"),
    ("Ukrainska och ryska som modersmål.", "", "", "-"),
    ("Har jobbat som tolk i arabiska", "2643", "", "-"),
    // Anything goes.
    ("Kan tänka mig vad som helst.", "", "", "-"),
    ("Jobbat som diskare, kan tänka mig allt möjligt", "9412", "", "-"),
];

fn meets(expected: &str, read: &str) -> bool {
    read == expected || (expected.len() == 3 && read.starts_with(expected))
}

#[test]
fn the_reader_reads_what_people_write() {
    assert!(CASES.len() >= 100, "{} cases", CASES.len());
    let mut failures = Vec::new();
    for &(text, occupations, skills, licences) in CASES {
        let r = read(text);
        let mut wrong = Vec::new();
        for want in occupations.split_whitespace() {
            if let Some(code) = want.strip_prefix('!') {
                if r.occupations.iter().any(|o| meets(code, &o.code) || meets(&o.code, code)) {
                    wrong.push(format!("{code} must not be sought"));
                }
            } else {
                let (code, stance) = want.strip_prefix('~').map_or((want, Stance::Experience), |c| (c, Stance::Wish));
                match r.occupations.iter().find(|o| meets(code, &o.code)) {
                    Some(o) if o.stance != stance => wrong.push(format!("{code} read as {:?}", o.stance)),
                    Some(_) => {}
                    None => wrong.push(format!("{code} not read")),
                }
            }
        }
        for want in skills.split('|').filter(|s| !s.is_empty()) {
            if let Some(label) = want.strip_prefix('!') {
                if r.skills.iter().any(|s| s.label == label) {
                    wrong.push(format!("skill {label} must not be read"));
                }
            } else if !r.skills.iter().any(|s| s.label == want) {
                wrong.push(format!("skill {want} not read"));
            }
        }
        let got: Vec<&str> = r.licences.iter().map(|l| l.class.as_str()).collect();
        let want: Vec<&str> = if licences == "-" { vec![] } else { licences.split_whitespace().collect() };
        if got != want {
            wrong.push(format!("licences {got:?}, expected {want:?}"));
        }
        if !wrong.is_empty() {
            failures.push(format!("{text:?}: {}\n    {:?}", wrong.join("; "), r));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn experience_is_surer_than_a_wish_or_long_ago() {
    let now = read("Har jobbat som städare i 3 år.");
    assert_eq!(now.occupations[0].confidence, 1.0);
    assert_eq!(now.occupations[0].years, Some(3));
    let wish = read("Vill bli städare.");
    assert_eq!(wish.occupations[0].confidence, 0.5);
    let past = read("Arbetade som servitör på 90-talet.");
    assert!(past.occupations[0].confidence < 1.0, "{past:?}");
    // An age in the same sentence is not the years of experience.
    let aged = read("Mohammed, 45 år, har jobbat som taxiförare i 12 år.");
    assert_eq!(aged.occupations[0].years, Some(12), "{aged:?}");
}

#[test]
fn the_evidence_is_the_words_as_written() {
    let r = read("Jobbat som servitor i 5 år, kan kassa och bordsservering");
    assert!(r.occupations[0].evidence.contains("servitor"), "{r:?}");
    let kassa = r.skills.iter().find(|s| s.label == "Kassavana").expect("read");
    assert_eq!(kassa.evidence, "kassa");
    let left = read("Har jobbat som kock men vill byta bransch.");
    assert_eq!(left.not_sought[0].why, NotSoughtWhy::Left);
    assert!(left.not_sought[0].evidence.contains("kock"));
}

/// No name, language or nationality word is ever an occupation or a skill on its own.
#[test]
fn names_languages_and_origin_are_never_read() {
    let r = reference();
    let mut words: Vec<String> = r.languages.values().cloned().collect();
    words.extend(ORIGIN.iter().map(|s| s.to_string()));
    for w in &words {
        let read = read(&format!("Jag kan {w}."));
        assert!(read.occupations.is_empty() && read.skills.is_empty(), "{w}: {read:?}");
    }
    for name in r.given_names.iter().take(1000).chain(r.surnames.iter().take(500)) {
        let read = read(&format!("Anna {name} söker jobb."));
        assert!(read.occupations.is_empty(), "{name}: {read:?}");
    }
}

/// The hand-kept list names only codes, labels and classes that exist.
#[test]
fn the_lexicon_names_what_exists() {
    let r = reference();
    for (kind, phrases, target) in lexicon() {
        assert!(!phrases.is_empty(), "{kind} {target}");
        match kind.as_str() {
            "occupation" | "workplace" => {
                assert!(r.ssyk.get(&target).is_some_and(|g| g.level >= 3), "{target} is no SSYK group");
            }
            "skill" => assert!(r.skills.iter().any(|s| s.label == target), "{target} is no JobTech skill"),
            "licence" => assert!(r.driving_licences.contains(&target), "{target}"),
            other => panic!("unknown kind {other}"),
        }
    }
}

#[test]
fn a_reading_round_trips_as_json() {
    let r = read("Har jobbat som kock men vill byta bransch. Vill bli undersköterska. Har B-kort och HLR.");
    let text = serde_json::to_string(&r).expect("serializable");
    let back: Reading = serde_json::from_str(&text).expect("readable");
    assert_eq!(back, r);
}

/// Ordinary words that share a stem with a trade are not the trade ("stad" is not "städ",
/// "mål" not "målare", "lag" not "lager", "musik" not "musiker").
#[test]
fn ordinary_sentences_name_no_occupation() {
    for t in [
        "Bor i en liten stad nära Malmö.",
        "Staden är fin.",
        "Har ett mål: att få jobb.",
        "Vill ha ett bra lag omkring sig.",
        "Bor på landet med mycket bagage.",
        "Gillar sport och musik.",
        "Har tre barn och en hund.",
        "Kör bil varje dag.",
        "Är glad och positiv.",
        "Tycker om att laga mat hemma.",
    ] {
        let r = read(t);
        assert!(r.occupations.is_empty() && r.not_sought.is_empty(), "{t}: {r:?}");
    }
}
