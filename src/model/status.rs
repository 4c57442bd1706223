//! Control statuses and the precedence that settles overlaps.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A control status: who holds a piece of ground.
///
/// Statuses are data, not a closed list: the four constants cover DeepStateMap's
/// classes, and [`Status::new`] makes any other (for other conflicts or sources).
/// Names are lowercase and trimmed, so `"Occupied "` and `"occupied"` are one status.
///
/// ```
/// use frontline::Status;
/// assert_eq!(Status::new(" Occupied"), Status::OCCUPIED);
/// assert_eq!(Status::CONTESTED.as_str(), "contested");
/// assert_eq!("liberated".parse::<Status>().unwrap(), Status::LIBERATED);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Status(Cow<'static, str>);

impl Status {
    /// Held by the occupying force (DeepState's occupied, ORDLO, Crimea).
    pub const OCCUPIED: Status = Status(Cow::Borrowed("occupied"));
    /// Contested: DeepState's grey zone ("status unknown").
    pub const CONTESTED: Status = Status(Cow::Borrowed("contested"));
    /// Liberated: taken back by the defending side.
    pub const LIBERATED: Status = Status(Cow::Borrowed("liberated"));
    /// The source's other territories, e.g. occupied land of other countries
    /// (Transnistria, Abkhazia, Karelia, ...): never counted as occupied Ukraine.
    pub const OTHER: Status = Status(Cow::Borrowed("other"));
    /// The part of [`Status::OCCUPIED`] held since 2014 (Crimea, ORDLO, Tuzla): a
    /// name for results, not a zone's status (see [`crate::Occupation`]).
    pub const OCCUPIED_SINCE_2014: Status = Status(Cow::Borrowed("occupied_since_2014"));
    /// The part of [`Status::OCCUPIED`] taken since 24 February 2022: a name for
    /// results, not a zone's status (see [`crate::Occupation`]).
    pub const OCCUPIED_SINCE_2022: Status = Status(Cow::Borrowed("occupied_since_2022"));

    /// A status by name (trimmed, lowercased).
    pub fn new(name: &str) -> Status {
        let name = name.trim().to_lowercase();
        for known in [
            Status::OCCUPIED,
            Status::CONTESTED,
            Status::LIBERATED,
            Status::OTHER,
            Status::OCCUPIED_SINCE_2014,
            Status::OCCUPIED_SINCE_2022,
        ] {
            if known.as_str() == name {
                return known;
            }
        }
        Status(Cow::Owned(name))
    }

    /// The status's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl FromStr for Status {
    type Err = crate::Error;

    /// Parses a status name; fails only on an empty name or the reserved `unmarked`
    /// (the measures' name for ground no zone covers).
    fn from_str(s: &str) -> crate::Result<Status> {
        let status = Status::new(s);
        if status.as_str().is_empty() || status.as_str() == UNMARKED {
            return Err(crate::Error::Invalid(format!(
                "{s:?} is not a usable status name"
            )));
        }
        Ok(status)
    }
}

/// The name measures give to ground that no zone covers.
pub const UNMARKED: &str = "unmarked";

/// The order in which statuses win where their zones overlap.
///
/// A snapshot keeps each square metre in exactly one status: the first in this list
/// among those whose zones cover it. The default is occupied, contested, liberated,
/// other; statuses not in the list come after it, alphabetically.
///
/// ```
/// use frontline::{Precedence, Status};
/// let p = Precedence::default();
/// assert!(p.rank(&Status::OCCUPIED) < p.rank(&Status::CONTESTED));
/// assert!(p.rank(&Status::LIBERATED) < p.rank(&Status::new("disputed")));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Precedence(Vec<Status>);

impl Default for Precedence {
    fn default() -> Self {
        Precedence(vec![
            Status::OCCUPIED,
            Status::CONTESTED,
            Status::LIBERATED,
            Status::OTHER,
        ])
    }
}

impl Precedence {
    /// A precedence from the strongest status to the weakest.
    pub fn new(order: impl IntoIterator<Item = Status>) -> Precedence {
        let mut list: Vec<Status> = Vec::new();
        for s in order {
            if !list.contains(&s) {
                list.push(s);
            }
        }
        Precedence(list)
    }

    /// The statuses named, strongest first.
    pub fn statuses(&self) -> &[Status] {
        &self.0
    }

    /// Position of a status (lower wins); unlisted statuses share the last rank.
    pub fn rank(&self, status: &Status) -> usize {
        self.0
            .iter()
            .position(|s| s == status)
            .unwrap_or(self.0.len())
    }

    /// Sorts statuses strongest first (unlisted ones alphabetically, after the rest).
    pub fn sort(&self, statuses: &mut [Status]) {
        statuses.sort_by(|a, b| self.rank(a).cmp(&self.rank(b)).then_with(|| a.cmp(b)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_statuses_sort_after_listed_ones() {
        let p = Precedence::default();
        let mut v = vec![
            Status::new("zeta"),
            Status::LIBERATED,
            Status::new("alpha"),
            Status::OCCUPIED,
        ];
        p.sort(&mut v);
        let names: Vec<&str> = v.iter().map(Status::as_str).collect();
        assert_eq!(names, ["occupied", "liberated", "alpha", "zeta"]);
    }

    #[test]
    fn unmarked_and_empty_are_not_statuses() {
        assert!("unmarked".parse::<Status>().is_err());
        assert!("  ".parse::<Status>().is_err());
    }

    #[test]
    fn precedence_drops_repeats() {
        let p = Precedence::new([Status::CONTESTED, Status::OCCUPIED, Status::CONTESTED]);
        assert_eq!(p.statuses(), &[Status::CONTESTED, Status::OCCUPIED]);
    }
}
