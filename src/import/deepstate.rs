//! DeepStateMap's classes: which status a polygon of a raw snapshot stands for.
//!
//! A polygon is classified by the first rule that applies:
//! 1. **Machine key.** From 2024 names end in a key after the last `///`:
//!    `geoJSON.status.occupied` → occupied; `geoJSON.status.unknown` → contested;
//!    `geoJSON.status.dismissed` and `geoJSON.status.dismissed_at {{at:..}}` →
//!    liberated; `geoJSON.territories.crimea`, `.ordlo`, `.tuzla` → occupied
//!    (Ukraine, occupied since 2014); every other `geoJSON.territories.*`
//!    (Transnistria, Abkhazia, Karelia, Kuril, ...) → other. Unknown keys (e.g.
//!    `geoJSON.zmiinyi_island`) fall through to the fill colour.
//! 2. **Free text** (2022-2023), Ukrainian or English, case-insensitive, in this
//!    order: other countries' occupied land (`Придністров'я`, `Transnistria`,
//!    `Абхазія`, `Карелія`, `Курили`, ...) → other; `ОРДЛО`, `CADR`, `Крим`,
//!    `Тузла` → occupied; `Під питанням`, `Contested`, `Статус невідомий`,
//!    `Unknown status`, `Ситуація невідома`, `Сіра зона`, ... → contested;
//!    `Звільнено`, `Liberated`, `Taken back`, `Recaptured`, ... → liberated;
//!    `Окуповано`, `Occupied`, `зайняті ворогом`, `Захоплено` → occupied.
//! 3. **Fill colour**: `#a52714` (occupied), `#880e4f` and `#000000` (ORDLO/Crimea)
//!    → occupied; `#ff5252` → other; `#bcaaa4`, `#bdbdbd`, `#757575` → contested;
//!    `#0f9d58`, `#0288d1`, `#01579b` → liberated.
//! 4. Otherwise the polygon is **unclassified**: kept out of every area and listed in
//!    the import report.
//!
//! Liberated or contested ground outside Ukraine (the Kursk salient, 2024-2025) is
//! drawn with the same keys as inside; it keeps its status here and is told apart
//! geometrically, by measuring within an outline of the country (see the README).

use crate::Status;

/// The class of one DeepState polygon.
///
/// ```
/// use frontline::import::deepstate::classify;
/// use frontline::Status;
/// let c = classify("Окуповано /// Occupied\u{a0}/// geoJSON.status.occupied ", Some("#a52714")).unwrap();
/// assert_eq!((c.status, c.layer.as_str()), (Status::OCCUPIED, "geoJSON.status.occupied"));
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
pub fn classify(name: &str, fill: Option<&str>) -> Option<Class> {
    let name = normalise(name);
    let lower = name.to_lowercase();
    // ASCII lowercasing keeps byte offsets, so `start` indexes `name` too.
    if let Some(start) = name.to_ascii_lowercase().find("geojson.") {
        let key = &name[start..];
        if let Some(status) = by_key(&key.to_lowercase()) {
            return Some(Class {
                status,
                layer: key.to_string(),
            });
        }
    } else {
        let rules: [(&[&str], Status); 5] = [
            (OTHER_COUNTRIES, Status::OTHER),
            (OCCUPIED_SINCE_2014, Status::OCCUPIED),
            (CONTESTED, Status::CONTESTED),
            (LIBERATED, Status::LIBERATED),
            (OCCUPIED, Status::OCCUPIED),
        ];
        for (patterns, status) in rules {
            if let Some(p) = patterns.iter().find(|p| lower.contains(**p)) {
                return Some(Class {
                    status,
                    layer: format!("text:{p}"),
                });
            }
        }
    }
    let fill = fill?.trim().to_lowercase();
    let status = match fill.as_str() {
        "#a52714" | "#880e4f" | "#000000" => Status::OCCUPIED,
        "#ff5252" => Status::OTHER,
        "#bcaaa4" | "#bdbdbd" | "#757575" => Status::CONTESTED,
        "#0f9d58" | "#0288d1" | "#01579b" => Status::LIBERATED,
        _ => return None,
    };
    Some(Class {
        status,
        layer: format!("fill:{fill}"),
    })
}

fn by_key(key: &str) -> Option<Status> {
    let key = key.trim();
    if key == "geojson.status.occupied" {
        return Some(Status::OCCUPIED);
    }
    if key == "geojson.status.unknown" {
        return Some(Status::CONTESTED);
    }
    if key == "geojson.status.dismissed" || key.starts_with("geojson.status.dismissed_at") {
        return Some(Status::LIBERATED);
    }
    key.strip_prefix("geojson.territories.")
        .map(|territory| match territory {
            "crimea" | "ordlo" | "tuzla" => Status::OCCUPIED,
            _ => Status::OTHER,
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
    fn unknown_keys_fall_back_to_fill() {
        assert_eq!(
            status(
                "Зміїний /// Snake Island /// geoJSON.zmiinyi_island",
                Some("#0f9d58")
            ),
            Some(Status::LIBERATED)
        );
        assert_eq!(status("Зміїний", Some("#a52714")), Some(Status::OCCUPIED));
        assert_eq!(status("geoJSON.zmiinyi_island", None), None);
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
