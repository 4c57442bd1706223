//! Atomic file writes: a temporary file in the destination's directory, renamed
//! over the destination once complete, so that a reader never sees half a file
//! and a failed run leaves any previous file as it was.
//!
//! The temporary files open at any moment are listed, so that a program ended by
//! a signal (Ctrl-C, `kill`) can remove them with [`remove_temporary_files`]
//! from its handler instead of leaving `.name.<pid>.tmp` files behind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary files of the [`AtomicFile`]s not yet committed or dropped.
static OPEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn open_files() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the list was held leaves it as it was: still usable.
    OPEN.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget(tmp: &Path) {
    let mut open = open_files();
    if let Some(i) = open.iter().position(|p| p == tmp) {
        open.swap_remove(i);
    }
}

/// Removes the temporary file of every [`AtomicFile`] still being written, and
/// returns how many there were: for a signal handler, just before the program
/// exits (destinations are left as they were). Files written afterwards are not
/// affected.
///
/// ```
/// use frontline::atomic::{AtomicFile, remove_temporary_files};
/// let dir = std::env::temp_dir().join(format!("frontline-doc-rm-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let file = AtomicFile::create(dir.join("out.txt"))?;
/// assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1); // the temporary file
/// assert!(remove_temporary_files() >= 1);
/// assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
/// drop(file);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn remove_temporary_files() -> usize {
    let mut open = open_files();
    let n = open.len();
    for tmp in open.drain(..) {
        let _ = std::fs::remove_file(tmp);
    }
    n
}

use crate::{Error, Result};

/// A file being written atomically.
///
/// [`AtomicFile::create`] opens the temporary file at once, so that an
/// unwritable destination (missing directory, no permission) fails before any
/// costly work; [`AtomicFile::commit`] flushes, syncs and renames it into place.
/// Dropped without a commit, the temporary file is removed.
///
/// ```
/// use std::io::Write;
/// use frontline::atomic::AtomicFile;
/// let dir = std::env::temp_dir().join(format!("frontline-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("out.txt");
/// let mut file = AtomicFile::create(&path)?;
/// file.write_all(b"hello").unwrap();
/// file.commit()?;
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello");
/// assert!(AtomicFile::create(dir.join("no/such/dir/out.txt")).is_err());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Opens a temporary file beside `path` (named `.<name>.<pid>.tmp`).
    ///
    /// # Errors
    ///
    /// An error naming `path` when it has no file name, is a directory, or the
    /// temporary file cannot be created.
    pub fn create(path: impl AsRef<Path>) -> Result<AtomicFile> {
        let path = path.as_ref().to_path_buf();
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Invalid(format!("{}: not a file name", path.display())))?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if path.is_dir() {
            return Err(io(std::io::Error::other("is a directory")));
        }
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&tmp).map_err(io)?;
        open_files().push(tmp.clone());
        Ok(AtomicFile {
            path,
            tmp,
            file: Some(BufWriter::new(file)),
        })
    }

    /// The destination.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and syncs the temporary file, then renames it over the destination.
    ///
    /// # Errors
    ///
    /// An error naming the file when flushing, syncing or renaming fails.
    pub fn commit(mut self) -> Result<()> {
        let io = |source| Error::Io {
            path: self.path.clone(),
            source,
        };
        let Some(writer) = self.file.take() else {
            return Ok(()); // only `commit` takes the file, and it consumes self
        };
        let done = writer
            .into_inner()
            .map_err(|e| io(e.into_error()))
            .and_then(|file| file.sync_all().map_err(io))
            .and_then(|()| std::fs::rename(&self.tmp, &self.path).map_err(io));
        if done.is_err() {
            // Not left behind when the write fails half-way.
            let _ = std::fs::remove_file(&self.tmp);
        }
        forget(&self.tmp);
        done
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
            forget(&self.tmp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
///
/// ```
/// let path = std::env::temp_dir().join(format!("frontline-doc-bytes-{}", std::process::id()));
/// frontline::atomic::write(&path, b"abc")?;
/// assert_eq!(std::fs::read(&path).unwrap(), b"abc");
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// An error naming `path` when the file cannot be created, written or
/// renamed into place.
pub fn write(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|source| Error::Io {
        path: file.path().to_path_buf(),
        source,
    })?;
    file.commit()
}
