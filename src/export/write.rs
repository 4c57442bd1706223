//! Atomic file writes: a temporary file in the same directory, then a rename.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Error, Result};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The directory a file goes into (`.` for a bare file name) and a temporary
/// name beside it.
fn temp_beside(path: &Path) -> Result<(PathBuf, PathBuf)> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::Invalid(format!("{}: not a file name", path.display())))?
        .to_string_lossy();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    Ok((dir, tmp))
}

/// Checks, before any work, that `path` can be written: it is not a directory,
/// its directory exists, and a file can be created there (a probe file is
/// created and removed).
///
/// ```
/// use frontline::export::check_writable;
/// assert!(check_writable("target/probe.geojson").is_ok());
/// assert!(check_writable("no/such/dir/map.geojson").is_err());
/// assert!(check_writable("src").is_err()); // a directory
/// ```
pub fn check_writable(path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    if path.is_dir() {
        return Err(Error::Invalid(format!(
            "{}: is a directory, not an output file",
            path.display()
        )));
    }
    let (dir, probe) = temp_beside(path)?;
    if !dir.is_dir() {
        return Err(Error::Invalid(format!(
            "{}: cannot write here: directory {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(io_error(path))?;
    // Only the probe made here is removed; failing to remove it is harmless.
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`: readers see the old file or the new one, never half of one. On error
/// the temporary file is removed.
///
/// ```
/// use frontline::export::write_atomically;
/// write_atomically("target/atomic.txt", b"hello")?;
/// assert_eq!(std::fs::read_to_string("target/atomic.txt").unwrap(), "hello");
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn write_atomically(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let path = path.as_ref();
    let (_, tmp) = temp_beside(path)?;
    let written = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(path)(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_writes_leave_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("frontline-write-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        // Renaming a file over a directory fails: the temporary file must go.
        assert!(write_atomically(dir.join("sub"), b"x").is_err());
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
