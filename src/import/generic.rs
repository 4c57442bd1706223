//! A generic zone file's status mapping checked against the file: a status name
//! neither known nor in the file, or a value no feature has, would otherwise
//! measure nothing, silently.

use std::path::Path;

use serde_json::Value;

use super::StatusMapping;
use super::file::Feature;
use crate::{Error, Precedence, Result, Status};

/// The distinct values of the mapping's property in the file, in file order.
fn values(mapping: &StatusMapping, features: &[Feature]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for f in features {
        let value = match f.properties.as_ref().and_then(|p| p.get(&mapping.property)) {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            _ => continue,
        };
        if !seen
            .iter()
            .any(|s| s.to_lowercase() == value.to_lowercase())
        {
            seen.push(value);
        }
    }
    seen
}

/// An error when the mapping names a status that is neither one of the four known
/// ones nor a value of the property in the file (`RU=occupyed`), listing both;
/// warnings for mapped values that no feature has.
pub(crate) fn check(
    mapping: &StatusMapping,
    features: &[Feature],
    path: &Path,
) -> Result<Vec<String>> {
    let present = values(mapping, features);
    let known = Precedence::default();
    let in_file = |s: &Status| present.iter().any(|v| Status::new(v) == *s);
    for (value, status) in &mapping.values {
        if !known.statuses().contains(status) && !in_file(status) {
            let shown: Vec<&str> = present.iter().take(20).map(String::as_str).collect();
            return Err(Error::format(
                path,
                format!(
                    "--status-map {value}={status}: unknown status {:?}: the known statuses \
                     are {}; the values of {:?} in the file are {}",
                    status.as_str(),
                    known
                        .statuses()
                        .iter()
                        .map(Status::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    mapping.property,
                    if shown.is_empty() {
                        "none".to_string()
                    } else {
                        shown.join(", ")
                    }
                ),
            ));
        }
    }
    Ok(mapping
        .values
        .iter()
        .filter(|(value, _)| {
            !present
                .iter()
                .any(|v| v.to_lowercase() == value.to_lowercase())
        })
        .map(|(value, status)| {
            format!(
                "--status-map {value}={status}: no feature has {:?} = {value:?}",
                mapping.property
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::{Source, parse_zones};
    use super::*;

    const FC: &str = r#"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"control": "RU"},
         "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}},
        {"type": "Feature", "properties": {"control": "disputed"},
         "geometry": {"type": "Polygon", "coordinates": [[[2,0],[3,0],[3,1],[2,0]]]}}]}"#;

    fn read(pairs: &str) -> Result<crate::import::Import> {
        let m = StatusMapping::new("control").parse_pairs(pairs)?;
        parse_zones(FC, "zones.geojson", Some(&Source::Generic(m)))
    }

    #[test]
    fn a_misspelt_status_is_refused_with_the_choices() {
        let err = read("RU=occupyed").unwrap_err().to_string();
        assert!(err.contains("unknown status \"occupyed\""), "{err}");
        assert!(
            err.contains("occupied, contested, liberated, other"),
            "{err}"
        );
        assert!(err.contains("RU, disputed"), "{err}");
        // A status of the file's own is data, not a typo.
        let ok = read("RU=occupied,disputed=disputed").unwrap();
        assert_eq!(ok.report.zones[&Status::new("disputed")], 1);
    }

    #[test]
    fn a_value_no_feature_has_is_a_warning() {
        let import = read("RU=occupied,XX=contested").unwrap();
        assert!(
            import.report.warnings.iter().any(|w| w.contains("\"XX\"")),
            "{:?}",
            import.report.warnings
        );
    }
}
