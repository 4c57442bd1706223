//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while reading files or measuring.
///
/// Messages name the file and, where one is at fault, the feature (its index in the
/// file's `features` array, and its name when it has one), so that a bad file among
/// hundreds can be found and fixed.
///
/// ```
/// use frontline::Error;
/// let err = Error::feature("zones.geojson", 3, Some("Bakhmut".into()), "NaN coordinate");
/// assert_eq!(err.to_string(), "zones.geojson: feature 3 (Bakhmut): NaN coordinate");
/// let missing = Error::Io { path: "gone.geojson".into(), source: std::io::ErrorKind::NotFound.into() };
/// assert_eq!(missing.to_string(), "gone.geojson: no such file or directory");
/// assert_eq!(format!("{missing:?}"), missing.to_string());
/// ```
///
/// `Debug` prints the same message as `Display`, so that a
/// `fn main() -> frontline::Result<()>` that fails says what went wrong in
/// words, not as Rust structures (`Io { path: ..., source: Os { .. } }`).
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened or read.
    #[error("{}: {}", path.display(), io_message(source))]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not JSON, or not the JSON that was expected.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// One feature of the file is unusable.
    #[error("{}: feature {index}{}: {problem}", path.display(), name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default())]
    Feature {
        /// The file.
        path: PathBuf,
        /// The feature's index in the file's `features` array.
        index: usize,
        /// The feature's name, when it has one.
        name: Option<String>,
        /// What is wrong with it.
        problem: String,
    },
    /// No place matches a name.
    #[error("{}: no feature is named {name:?}{}", path.display(), suggest(suggestions))]
    UnknownName {
        /// The file searched.
        path: PathBuf,
        /// The name asked for.
        name: String,
        /// Names in the file that are close to it.
        suggestions: Vec<String>,
    },
    /// Options that do not fit together, or a value that cannot be parsed.
    #[error("{0}")]
    Invalid(String),
}

/// An I/O error in words: the common kinds said plainly (an error made from a
/// kind alone would print as "entity not found"), the rest as the system says.
pub(crate) fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "no such file or directory".to_string(),
        K::PermissionDenied => "permission denied".to_string(),
        K::IsADirectory => "is a directory, not a file".to_string(),
        K::UnexpectedEof => "the file ends early (cut short?)".to_string(),
        _ => e.to_string(),
    }
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

fn suggest(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", names.join(", "))
    }
}

impl Error {
    /// An error in one feature of a file.
    pub fn feature(
        path: impl Into<PathBuf>,
        index: usize,
        name: Option<String>,
        problem: impl Into<String>,
    ) -> Error {
        Error::Feature {
            path: path.into(),
            index,
            name,
            problem: problem.into(),
        }
    }

    /// An error in a file as a whole.
    pub fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
        Error::Format {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
