//! The import report: every feature of a file, used or accounted for.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::Status;

/// What an import did with each feature of a file.
///
/// ```
/// use frontline::import::ImportReport;
/// let report = ImportReport::new("snapshot.geojson");
/// assert_eq!(report.features, 0);
/// assert!(report.to_string().starts_with("snapshot.geojson: 0 features"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The file.
    pub path: PathBuf,
    /// Features in the file.
    pub features: usize,
    /// Features that became zones, by status.
    pub zones: BTreeMap<Status, usize>,
    /// Point features kept as markers.
    pub markers: usize,
    /// Features left out because they lie outside the box read
    /// ([`crate::import::read_zones_in`]).
    #[serde(default)]
    pub outside: usize,
    /// Features with only lines, or no geometry: neither ground nor markers.
    pub ignored: Vec<Skipped>,
    /// Polygonal features no rule could classify: left out of every area.
    pub unclassified: Vec<Skipped>,
    /// Repairs made (see [`crate::import`] for the list of repairs).
    pub warnings: Vec<String>,
    /// Doubts about the file as a whole, to show whatever else is shown: a kind
    /// told from the content that the file name contradicts, a kind forced by the
    /// caller that the content contradicts, a split of occupied ground that is
    /// unknown.
    pub notices: Vec<String>,
}

/// A feature left out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Its index in the file's `features` array.
    pub index: usize,
    /// Its name, when it has one.
    pub name: Option<String>,
    /// Why it was left out.
    pub reason: String,
}

impl ImportReport {
    /// What to tell whoever reads the results, whatever else they asked for, one
    /// line each, starting with the file: the [`notices`](Self::notices), and the
    /// polygons no rule classified (their count and the first five), which are
    /// left out of every area. Repairs are not among them.
    ///
    /// ```
    /// use frontline::import::{ImportReport, Skipped};
    /// let mut report = ImportReport::new("zones.geojson");
    /// assert!(report.doubts().is_empty());
    /// report.unclassified.push(Skipped { index: 3, name: Some("x".into()), reason: "no class".into() });
    /// let doubts = report.doubts();
    /// assert!(doubts[0].starts_with("zones.geojson: 1 of 1 polygon features unclassified"), "{doubts:?}");
    /// ```
    pub fn doubts(&self) -> Vec<String> {
        let path = self.path.display();
        let mut out: Vec<String> = self
            .notices
            .iter()
            .map(|n| format!("{path}: {n}"))
            .collect();
        if !self.unclassified.is_empty() {
            let classified: usize = self.zones.values().sum();
            let names: Vec<String> = self
                .unclassified
                .iter()
                .take(5)
                .map(|s| format!("{} ({})", s.index, s.name.as_deref().unwrap_or("unnamed")))
                .collect();
            let more = self.unclassified.len().saturating_sub(names.len());
            out.push(format!(
                "{path}: {} of {} polygon features unclassified, left out of every area: \
                 feature {}{}",
                self.unclassified.len(),
                self.unclassified.len() + classified,
                names.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        out
    }

    /// An empty report for `path`.
    pub fn new(path: impl Into<PathBuf>) -> ImportReport {
        ImportReport {
            path: path.into(),
            ..ImportReport::default()
        }
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        write!(
            f,
            "{}: {} feature{}:",
            self.path.display(),
            self.features,
            s(self.features)
        )?;
        let mut statuses: Vec<&Status> = self.zones.keys().collect();
        statuses.sort_by_key(|s| crate::Precedence::default().rank(s));
        for status in statuses {
            write!(f, " {} {status},", self.zones[status])?;
        }
        write!(f, " {} marker{},", self.markers, s(self.markers))?;
        if self.outside > 0 {
            write!(f, " {} outside the box read,", self.outside)?;
        }
        write!(
            f,
            " {} ignored, {} unclassified, {} repair{}",
            self.ignored.len(),
            self.unclassified.len(),
            self.warnings.len(),
            s(self.warnings.len())
        )?;
        for (what, list) in [
            ("unclassified", &self.unclassified),
            ("ignored", &self.ignored),
        ] {
            for s in list {
                let name = s.name.as_deref().unwrap_or("unnamed");
                write!(f, "\n  {what} feature {} ({name}): {}", s.index, s.reason)?;
            }
        }
        for w in &self.warnings {
            write!(f, "\n  repaired {w}")?;
        }
        for n in &self.notices {
            write!(f, "\n  note: {n}")?;
        }
        Ok(())
    }
}
