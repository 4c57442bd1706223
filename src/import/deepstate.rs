//! DeepStateMap's classes: which status a polygon of a raw snapshot stands for.
//!
//! A polygon is classified by the first rule that applies:
//! 1. **Machine key.** From 2024 names end in a key after the last `///`:
//!    `geoJSON.status.occupied` → occupied; `geoJSON.status.unknown` → contested;
//!    `geoJSON.status.dismissed` and `geoJSON.status.dismissed_at {{at:..}}` →
//!    liberated; `geoJSON.territories.crimea`, `.ordlo`, `.tuzla` → occupied
//!    (Ukraine, occupied since 2014); every other `geoJSON.territories.*`
//!    (Transnistria, Abkhazia, Karelia, Kuril, ...) → other. Unknown keys fall
//!    through to the fill colour.
//! 2. **Free text** (2022-2023, and the English-only names of the raw daily
//!    archive), Ukrainian or English, case-insensitive, in this
//!    order: other countries' occupied land (`Придністров'я`, `Transnistria`,
//!    `Абхазія`, `Карелія`, `Курили`, `Ichkeria`, ...) → other; `ОРДЛО`, `CADR`,
//!    `Крим`, `Тузла` → occupied (since 2014); `Під питанням`, `Contested`, `Статус невідомий`,
//!    `Unknown status`, `Ситуація невідома`, `Сіра зона`, ... → contested (also
//!    a name that is only `Unknown`: the grey zone's class cut short);
//!    `Звільнено`, `Liberated`, `Taken back`, `Recaptured`, ... → liberated;
//!    `Окуповано`, `Occupied`, `зайняті ворогом`, `Захоплено` → occupied.
//! 3. **Fill colour**: `#a52714` (occupied), `#880e4f` and `#000000` (ORDLO/Crimea)
//!    → occupied; `#ff5252` → other; `#bcaaa4`, `#bdbdbd`, `#757575` → contested;
//!    `#0f9d58`, `#0288d1`, `#01579b` → liberated.
//! 4. **Snake Island** (`geoJSON.zmiinyi_island`, `Зміїний`, `Snake Island`) where
//!    no fill tells: by the map's date, occupied before 30 June 2022, liberated
//!    from then on ([`classify_on`]).
//! 5. Otherwise the polygon is **unclassified**: kept out of every area and listed in
//!    the import report.
//!
//! Occupied polygons also say since when ([`Occupation`]): the standing territories
//! (Crimea, ORDLO, Tuzla; fill `#880e4f` or `#000000`) since 2014, the rest
//! (`geoJSON.status.occupied`, `Окуповано`, `Occupied`, fill `#a52714`) since
//! 24 February 2022.
//!
//! Liberated or contested ground outside Ukraine (the Kursk salient, 2024-2025) is
//! drawn with the same keys as inside; it keeps its status here and is told apart
//! geometrically, by measuring within an outline of the country (see the README).

use crate::{Occupation, Status};

/// The class of one DeepState polygon.
///
/// ```
/// use frontline::import::deepstate::classify;
/// use frontline::{Occupation, Status};
/// let c = classify("Окуповано /// Occupied\u{a0}/// geoJSON.status.occupied ", Some("#a52714")).unwrap();
/// assert_eq!((c.status, c.layer.as_str()), (Status::OCCUPIED, "geoJSON.status.occupied"));
/// assert_eq!(c.occupation, Some(Occupation::Since2022));
/// assert_eq!(classify("CADR and CALR", None).unwrap().occupation, Some(Occupation::Since2014));
/// // Snake Island's status depends on the date: see classify_on.
/// assert!(classify("Snake Island", None).is_none());
/// assert_eq!(classify("Придністров'я", Some("#880e4f")).unwrap().status, Status::OTHER);
/// assert_eq!(classify("Звільнено 25.03", None).unwrap().status, Status::LIBERATED);
/// assert_eq!(classify("Багатокутник 11", Some("#0288D1")).unwrap().status, Status::LIBERATED);
/// assert!(classify("Багатокутник 11", None).is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Class {
    /// The status.
    pub status: Status,
    /// What decided it: the machine key, `text:<pattern>` or `fill:<colour>`.
    pub layer: String,
    /// For occupied ground, since when.
    pub occupation: Option<Occupation>,
}

impl Class {
    fn new(status: Status, layer: String, occupation: Option<Occupation>) -> Class {
        Class {
            status,
            layer,
            occupation,
        }
    }
}

const OTHER_COUNTRIES: &[&str] = &[
    "придністров",
    "transnistria",
    "абхаз",
    "abkhaz",
    "цхінвал",
    "tskhinval",
    "карел",
    "karel",
    "курил",
    "kuril",
    "петсамо",
    "petsamo",
    "салла",
    "salla",
    "естон",
    "eston",
    "латв",
    "latvi",
    "печор",
    "pechor",
    "пруссі",
    "prussia",
    "ічкері",
    "ichkeri",
];
const OCCUPIED_SINCE_2014: &[&str] = &["ордло", "cadr", "calr", "крим", "crimea", "тузла", "tuzla"];
const SNAKE_ISLAND: &[&str] = &["зміїн", "snake island"];
const CONTESTED: &[&str] = &[
    "під питанням",
    "contested",
    "contensed",
    "contenesed",
    "in doubt",
    "статус невідомий",
    "unknown status",
    "ситуація невідома",
    "situation is unknown",
    "сіра зона",
    "grey zone",
    "gray zone",
    "невідомо",
];
const LIBERATED: &[&str] = &[
    "звільнено",
    "liberated",
    "taken back",
    "recaptured",
    "відбит",
    "відкинуто",
    "pushed back",
    "орки відсутні",
    "під контролем зсу",
];
const OCCUPIED: &[&str] = &["окупован", "occupied", "occupation", "зайнят", "захоплено"];

/// Classifies a polygon by its `name` and `fill`; `None` when no rule applies.
/// The same as [`classify_on`] a date that is not known.
pub fn classify(name: &str, fill: Option<&str>) -> Option<Class> {
    classify_on(name, fill, None)
}

/// The day Ukraine retook Snake Island (Зміїний).
const SNAKE_ISLAND_RETAKEN: (i32, u32, u32) = (2022, 6, 30);

/// Classifies a polygon of a map of `date` by its `name` and `fill`; `None` when
/// no rule applies.
///
/// The date matters only for Snake Island (`Зміїний`, `Snake Island`,
/// `geoJSON.zmiinyi_island`), occupied from 24 February to 30 June 2022: where
/// its fill colour does not say, a map from 30 June 2022 on shows it liberated,
/// an earlier one occupied (since 2022), an undated one cannot tell.
///
/// ```
/// use frontline::import::deepstate::classify_on;
/// use frontline::Status;
/// use chrono::NaiveDate;
/// let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
/// assert_eq!(classify_on("Snake Island", None, day(2025, 10, 27)).unwrap().status, Status::LIBERATED);
/// assert_eq!(classify_on("Зміїний", None, day(2022, 4, 3)).unwrap().status, Status::OCCUPIED);
/// assert_eq!(classify_on("Зміїний", Some("#0f9d58"), day(2022, 4, 3)).unwrap().status, Status::LIBERATED);
/// assert!(classify_on("Snake Island", None, None).is_none());
/// ```
pub fn classify_on(
    name: &str,
    fill: Option<&str>,
    date: Option<chrono::NaiveDate>,
) -> Option<Class> {
    let name = normalise(name);
    let lower = name.to_lowercase();
    // ASCII lowercasing keeps byte offsets, so `start` indexes `name` too.
    let snake = if let Some(start) = name.to_ascii_lowercase().find("geojson.") {
        let key = &name[start..];
        if let Some((status, occupation)) = by_key(&key.to_lowercase()) {
            return Some(Class::new(status, key.to_string(), occupation));
        }
        key.trim()
            .eq_ignore_ascii_case("geojson.zmiinyi_island")
            .then(|| key.to_string())
    } else {
        let since_2014 = Some(Occupation::Since2014);
        let since_2022 = Some(Occupation::Since2022);
        let rules: [(&[&str], Status, Option<Occupation>); 5] = [
            (OTHER_COUNTRIES, Status::OTHER, None),
            (OCCUPIED_SINCE_2014, Status::OCCUPIED, since_2014),
            (CONTESTED, Status::CONTESTED, None),
            (LIBERATED, Status::LIBERATED, None),
            (OCCUPIED, Status::OCCUPIED, since_2022),
        ];
        for (patterns, status, occupation) in rules {
            if let Some(p) = patterns.iter().find(|p| lower.contains(**p)) {
                return Some(Class::new(status, format!("text:{p}"), occupation));
            }
        }
        // The grey zone's class, "Unknown status", cut short (once in the daily
        // archive, 2025-04-01): the whole name, not a word within one.
        if lower == "unknown" || lower == "невідомий" {
            return Some(Class::new(Status::CONTESTED, "text:unknown".into(), None));
        }
        SNAKE_ISLAND
            .iter()
            .find(|p| lower.contains(**p))
            .map(|p| format!("text:{p}"))
    };
    if let Some(class) = fill.and_then(by_fill) {
        return Some(class);
    }
    let snake = snake?;
    let (y, m, d) = SNAKE_ISLAND_RETAKEN;
    let retaken = chrono::NaiveDate::from_ymd_opt(y, m, d)?;
    Some(if date? >= retaken {
        Class::new(Status::LIBERATED, format!("{snake}, from 2022-06-30"), None)
    } else {
        Class::new(
            Status::OCCUPIED,
            format!("{snake}, before 2022-06-30"),
            Some(Occupation::Since2022),
        )
    })
}

fn by_fill(fill: &str) -> Option<Class> {
    let fill = fill.trim().to_lowercase();
    let (status, occupation) = match fill.as_str() {
        "#a52714" => (Status::OCCUPIED, Some(Occupation::Since2022)),
        "#880e4f" | "#000000" => (Status::OCCUPIED, Some(Occupation::Since2014)),
        "#ff5252" => (Status::OTHER, None),
        "#bcaaa4" | "#bdbdbd" | "#757575" => (Status::CONTESTED, None),
        "#0f9d58" | "#0288d1" | "#01579b" => (Status::LIBERATED, None),
        _ => return None,
    };
    Some(Class::new(status, format!("fill:{fill}"), occupation))
}

fn by_key(key: &str) -> Option<(Status, Option<Occupation>)> {
    let key = key.trim();
    if key == "geojson.status.occupied" {
        return Some((Status::OCCUPIED, Some(Occupation::Since2022)));
    }
    if key == "geojson.status.unknown" {
        return Some((Status::CONTESTED, None));
    }
    if key == "geojson.status.dismissed" || key.starts_with("geojson.status.dismissed_at") {
        return Some((Status::LIBERATED, None));
    }
    key.strip_prefix("geojson.territories.")
        .map(|territory| match territory {
            "crimea" | "ordlo" | "tuzla" => (Status::OCCUPIED, Some(Occupation::Since2014)),
            _ => (Status::OTHER, None),
        })
}

/// Non-breaking spaces, newlines and runs of spaces become one space; trimmed.
pub fn normalise(name: &str) -> String {
    // Most names need nothing: copied as they are, without splitting and joining.
    let mut after_space = true;
    let plain = name.chars().all(|c| {
        let space = c.is_whitespace() || c == '\u{a0}';
        let fine = if space {
            c == ' ' && !after_space
        } else {
            true
        };
        after_space = space;
        fine
    }) && !after_space;
    if plain {
        return name.to_string();
    }
    name.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(name: &str, fill: Option<&str>) -> Option<Status> {
        classify(name, fill).map(|c| c.status)
    }

    #[test]
    fn normalise_copies_plain_names_and_cleans_the_others() {
        for (name, expected) in [
            ("Окуповано /// Occupied", "Окуповано /// Occupied"),
            ("a", "a"),
            ("", ""),
            (" a", "a"),
            ("a ", "a"),
            ("a  b", "a b"),
            ("a\u{a0}b", "a b"),
            ("a\nb\t", "a b"),
            ("\u{a0}", ""),
        ] {
            assert_eq!(normalise(name), expected, "{name:?}");
        }
    }

    #[test]
    fn machine_keys() {
        let cases = [
            (
                "Статус невідомий /// Unknown status /// geoJSON.status.unknown ",
                Status::CONTESTED,
            ),
            (
                "Звільнено 25.03 /// Liberated 25.03\u{a0}/// geoJSON.status.dismissed_at {{at:25.03}}",
                Status::LIBERATED,
            ),
            (
                "ОРДЛО /// CADR and CALR /// geoJSON.territories.ordlo",
                Status::OCCUPIED,
            ),
            ("Тузла /// geoJSON.territories.tuzla", Status::OCCUPIED),
            ("geoJSON.territories.transnistria", Status::OTHER),
            ("geoJSON.territories.karelia", Status::OTHER),
        ];
        for (name, expected) in cases {
            assert_eq!(status(name, None), Some(expected), "{name}");
        }
    }

    #[test]
    fn snake_island_by_fill_else_by_date() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        for name in [
            "Зміїний /// Snake Island /// geoJSON.zmiinyi_island",
            "geoJSON.zmiinyi_island",
            "Snake Island",
            "Острів Зміїний",
        ] {
            let on = |date| classify_on(name, None, date).map(|c| c.status);
            assert_eq!(on(day(2025, 10, 27)), Some(Status::LIBERATED), "{name}");
            assert_eq!(on(day(2022, 6, 30)), Some(Status::LIBERATED), "{name}");
            assert_eq!(on(day(2022, 6, 29)), Some(Status::OCCUPIED), "{name}");
            assert_eq!(on(None), None, "{name}");
            // A fill colour says it whatever the date.
            let red = classify_on(name, Some("#a52714"), day(2025, 1, 1));
            assert_eq!(red.map(|c| c.status), Some(Status::OCCUPIED), "{name}");
        }
        assert_eq!(status("Окупований Зміїний", None), Some(Status::OCCUPIED));
    }

    #[test]
    fn unknown_keys_fall_back_to_fill() {
        assert_eq!(
            status("geoJSON.territories_new.x", Some("#0f9d58")),
            Some(Status::LIBERATED)
        );
        assert_eq!(status("geoJSON.something", None), None);
    }

    /// The English-only names of the raw daily archive (2024-2026).
    #[test]
    fn english_names_of_the_daily_archive() {
        let since_2014 = Some(Occupation::Since2014);
        let since_2022 = Some(Occupation::Since2022);
        let cases = [
            ("Unknown status", Status::CONTESTED, None),
            ("Unknown", Status::CONTESTED, None),
            ("Liberated\u{fffd}\u{fffd}", Status::LIBERATED, None),
            ("Liberated", Status::LIBERATED, None),
            ("Liberated 27-31.03", Status::LIBERATED, None),
            ("Liberated 31.03 - 02.04", Status::LIBERATED, None),
            ("Occupied", Status::OCCUPIED, since_2022),
            ("CADR and CALR", Status::OCCUPIED, since_2014),
            ("Occupied Crimea", Status::OCCUPIED, since_2014),
            ("Occupied Tuzla Island", Status::OCCUPIED, since_2014),
            ("Transnistria", Status::OTHER, None),
            ("Occupied Abkhazia.", Status::OTHER, None),
            ("Occupied Tskhinvali district", Status::OTHER, None),
            (
                "The temporarily occupied territory of Karelia.",
                Status::OTHER,
                None,
            ),
            (
                "The temporarily occupied territory of the Republic of Ichkeria.",
                Status::OTHER,
                None,
            ),
            ("East Prussia is temporarily occupied.", Status::OTHER, None),
            ("Occupied Petsamo", Status::OTHER, None),
            ("Occupied Salla", Status::OTHER, None),
            ("occupied Estonia territories.", Status::OTHER, None),
            ("Occupied Latvia territories.", Status::OTHER, None),
            (
                "Occupied Pechorsky district (Saaste Boot).",
                Status::OTHER,
                None,
            ),
            ("Occupied Southern Kuril islands.", Status::OTHER, None),
        ];
        for (name, expected, occupation) in cases {
            let class = classify(name, None).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(
                (class.status, class.occupation),
                (expected, occupation),
                "{name}"
            );
        }
    }

    #[test]
    fn free_text_of_2022() {
        let cases = [
            ("Звільнено 31.03-02.04", Status::LIBERATED),
            ("Під питанням /// Contensed", Status::CONTESTED),
            ("Окупований Крим /// Occupied Crimea", Status::OCCUPIED),
            (
                "Тимчасово окупована територія Карелії. /// The temporarily occupied territory of Karelia.",
                Status::OTHER,
            ),
            ("Придністров'я /// Transnistria", Status::OTHER),
            ("Ок\u{fffd}\u{fffd}повано /// Occupied", Status::OCCUPIED),
            (
                "Сєвєродонецьк. Території, відбиті у орків.  /// Sieverodonetsk. Recaptured territories.",
                Status::LIBERATED,
            ),
            ("Рубіжне. Території зайняті ворогом", Status::OCCUPIED),
            ("Нам достеменно невідомо, що тут", Status::CONTESTED),
        ];
        for (name, expected) in cases {
            assert_eq!(status(name, Some("#ffffff")), Some(expected), "{name}");
        }
    }

    #[test]
    fn normalises_whitespace() {
        assert_eq!(normalise(" a\u{a0}\u{a0}b\n c "), "a b c");
    }
}
