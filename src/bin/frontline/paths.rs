//! Outputs that would overwrite an input are refused before any work.
//!
//! Every command lists its inputs (zones, regions, places, outlines, every file of
//! a directory or glob series) and its outputs; an output that is the same file as
//! an input, by canonical path or by file identity (device and inode, so that a
//! hard link or a symlink is caught too), or the same file as another output, is
//! an error naming both. A Shapefile counts as all of its parts (`.shx`, `.dbf`,
//! `.prj`, `.cpg`), since writing one replaces them all.

use std::path::{Path, PathBuf};

use frontline::{Error, Result};

/// A file given to a command, and the option (or argument) that gave it.
#[derive(Clone, Debug)]
pub struct Named<'a> {
    /// How the user gave it: `--regions`, `-o`, `zones`, ...
    pub what: &'a str,
    pub path: PathBuf,
}

impl<'a> Named<'a> {
    pub fn new(what: &'a str, path: impl Into<PathBuf>) -> Named<'a> {
        Named {
            what,
            path: path.into(),
        }
    }
}

/// The inputs of a command: built up with [`Inputs::file`] and friends, then
/// checked against the outputs with [`Inputs::refuse_outputs`].
#[derive(Debug, Default)]
pub struct Inputs<'a> {
    files: Vec<Named<'a>>,
}

impl<'a> Inputs<'a> {
    pub fn new() -> Inputs<'a> {
        Inputs::default()
    }

    /// One input file (`None`: the option was not given).
    pub fn file(mut self, what: &'a str, path: Option<&Path>) -> Inputs<'a> {
        if let Some(p) = path {
            self.files.push(Named::new(what, p));
        }
        self
    }

    /// A zone file as `load_zones` reads it: `archive.fls@DATE` is the store file.
    pub fn zones(mut self, what: &'a str, path: &Path) -> Inputs<'a> {
        let file = match path.to_str().and_then(|s| s.rsplit_once('@')) {
            Some((file, _)) if !path.exists() => PathBuf::from(file),
            _ => path.to_path_buf(),
        };
        self.files.push(Named::new(what, file));
        self
    }

    /// Snapshots given as files, directories or glob patterns: every file they name.
    /// Inputs that name nothing are left for the command to report.
    pub fn series(mut self, what: &'a str, inputs: &[PathBuf]) -> Inputs<'a> {
        for input in inputs {
            match frontline::timeline::snapshot_files(std::slice::from_ref(input)) {
                Ok(files) => self
                    .files
                    .extend(files.into_iter().map(|f| Named::new(what, f))),
                Err(_) => self.files.push(Named::new(what, input)),
            }
        }
        self
    }

    /// An error when an output is an input or another output, checked before any
    /// work. `outputs` pairs each output's option with its path (`None`: not given).
    pub fn refuse_outputs(&self, outputs: &[(&str, Option<&Path>)]) -> Result<()> {
        let outputs: Vec<Named> = outputs
            .iter()
            .filter_map(|(what, p)| p.map(|p| Named::new(what, p)))
            .collect();
        for (i, out) in outputs.iter().enumerate() {
            for input in &self.files {
                if same_file(&out.path, &input.path) {
                    return Err(Error::Invalid(format!(
                        "{} {} is the same file as the input {} ({}): refusing to \
                         overwrite an input; write the output elsewhere",
                        out.what,
                        out.path.display(),
                        input.path.display(),
                        input.what
                    )));
                }
            }
            for other in &outputs[..i] {
                if same_file(&out.path, &other.path) || same_name(&out.path, &other.path) {
                    return Err(Error::Invalid(format!(
                        "{} {} and {} {} are the same file: one would overwrite the other",
                        other.what,
                        other.path.display(),
                        out.what,
                        out.path.display()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// An error unless `path` (given by option `what`) ends in one of `extensions`
/// (any case): an SVG chart named `.png` would not be what its name says.
pub fn require_extension(what: &str, path: Option<&Path>, extensions: &[&str]) -> Result<()> {
    // A directory is refused as such when the output is opened.
    let Some(path) = path.filter(|p| !p.is_dir()) else {
        return Ok(());
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if extensions.iter().any(|e| e.eq_ignore_ascii_case(ext)) {
        return Ok(());
    }
    Err(Error::Invalid(format!(
        "{what} {}: this output is written as .{}; name it so",
        path.display(),
        extensions.join(" or .")
    )))
}

/// An error when a store's output name says another format (`-o x.geojson`).
pub fn refuse_format_name(what: &str, path: &Path) -> Result<()> {
    match frontline::formats::Format::from_extension(path) {
        Some(format) => Err(Error::Invalid(format!(
            "{what} {}: a store file is not {format}, as the name says; name it .fls",
            path.display()
        ))),
        None => Ok(()),
    }
}

/// The files a path stands for: itself, and a Shapefile's other parts.
fn parts(path: &Path) -> Vec<PathBuf> {
    let is_shp = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
    if !is_shp {
        return vec![path.to_path_buf()];
    }
    ["shp", "shx", "dbf", "prj", "cpg"]
        .iter()
        .map(|ext| path.with_extension(ext))
        .collect()
}

/// Whether an output and an input (or two outputs) are, or share, one file.
fn same_file(a: &Path, b: &Path) -> bool {
    let (a, b) = (parts(a), parts(b));
    a.iter().any(|x| b.iter().any(|y| identical(x, y)))
}

/// Two paths not yet on disk that name the same place (two outputs).
fn same_name(a: &Path, b: &Path) -> bool {
    let full = |p: &Path| -> Option<PathBuf> {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
    };
    matches!((full(a), full(b)), (Some(x), Some(y)) if x == y)
}

/// Both exist and are one file: same canonical path, or (Unix) same device and inode.
fn identical(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (ma.dev(), ma.ino()) == (mb.dev(), mb.ino()) {
            return true;
        }
    }
    #[cfg(not(unix))]
    let _ = (ma, mb);
    matches!(
        (std::fs::canonicalize(a), std::fs::canonicalize(b)),
        (Ok(x), Ok(y)) if x == y
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_links_and_symlinks_are_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.geojson");
        std::fs::write(&a, "{}").unwrap();
        let hard = dir.path().join("b.geojson");
        std::fs::hard_link(&a, &hard).unwrap();
        assert!(same_file(&a, &hard));
        #[cfg(unix)]
        {
            let soft = dir.path().join("c.geojson");
            std::os::unix::fs::symlink(&a, &soft).unwrap();
            assert!(same_file(&soft, &a));
        }
        let other = dir.path().join("d.geojson");
        std::fs::write(&other, "{}").unwrap();
        assert!(!same_file(&a, &other));
        assert!(!same_file(&a, &dir.path().join("missing.geojson")));
    }

    #[test]
    fn a_shapefile_is_all_its_parts() {
        let dir = tempfile::tempdir().unwrap();
        let dbf = dir.path().join("r.dbf");
        std::fs::write(&dbf, "x").unwrap();
        assert!(same_file(&dir.path().join("r.shp"), &dbf));
    }

    #[test]
    fn output_names_say_the_format() {
        assert!(require_extension("--svg", Some(Path::new("m.SVG")), &["svg"]).is_ok());
        assert!(require_extension("--svg", Some(Path::new("m.png")), &["svg"]).is_err());
        assert!(require_extension("--html", None, &["html"]).is_ok());
        assert!(refuse_format_name("-o", Path::new("a.fls")).is_ok());
        assert!(refuse_format_name("-o", Path::new("a.geojson")).is_err());
    }

    #[test]
    fn two_outputs_of_one_name() {
        let inputs = Inputs::new();
        let err = inputs
            .refuse_outputs(&[
                ("-o", Some(Path::new("map.out"))),
                ("--svg", Some(Path::new("./map.out"))),
            ])
            .unwrap_err()
            .to_string();
        assert!(err.contains("same file"), "{err}");
    }
}
