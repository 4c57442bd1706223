//! The manifest of a synced directory (`sync-manifest.json`): what was stored,
//! when, and its SHA-256, so that a later run (or `sha256sum`) can tell a file is
//! the one fetched. Written atomically after every file it describes.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The manifest's file name in a synced directory.
pub const MANIFEST: &str = "sync-manifest.json";

/// What the manifest's `format` says.
const FORMAT: &str = "frontline-sync/1";

/// The manifest of a synced directory: one record per update, by id.
///
/// ```
/// use frontline::sync::Manifest;
/// let dir = std::env::temp_dir().join(format!("frontline-doc-manifest-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let mut manifest = Manifest::load(&dir)?;
/// assert!(manifest.updates.is_empty());
/// manifest.record_mut(1754251105).file = "1754251105.geojson.gz".into();
/// manifest.save(&dir)?;
/// assert_eq!(Manifest::load(&dir)?.get(1754251105).unwrap().file, "1754251105.geojson.gz");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// `frontline-sync/1`.
    pub format: String,
    /// The API the updates came from (the last run's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The updates stored, oldest first.
    pub updates: Vec<Record>,
}

/// One update in the manifest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The update's id (its time in Unix seconds).
    pub id: i64,
    /// The envelope's `datetime` (RFC 3339), when it had one.
    #[serde(default)]
    pub datetime: Option<String>,
    /// The snapshot file, in the directory: `<id>.geojson.gz`.
    pub file: String,
    /// SHA-256 of the file as stored (hex).
    pub sha256: String,
    /// Size of the file as stored.
    pub bytes: u64,
    /// SHA-256 of the map's JSON text inside it, byte for byte as served: what
    /// tells a different body for the same id.
    pub map_sha256: String,
    /// When it was fetched; `None` for a file found in the directory and adopted.
    #[serde(default)]
    pub fetched_at: Option<DateTime<Utc>>,
    /// The listing's `updatedAt` when it was fetched.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The published areas stored beside it (`<id>.areas.json`).
    #[serde(default)]
    pub areas: Option<Stored>,
    /// Why there are none, when the API has none (e.g. `HTTP 404`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub areas_missing: Option<String>,
    /// Later, different bodies for the same id, each kept in its own file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<Revision>,
    /// Later, different published areas for the same map, each in its own file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas_revisions: Vec<Stored>,
}

impl Record {
    /// An empty record for `id`.
    pub fn new(id: i64) -> Record {
        Record {
            id,
            ..Record::default()
        }
    }
}

/// A file stored beside a snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    /// Its name, in the directory.
    pub file: String,
    /// SHA-256 of its bytes (hex).
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// When it was fetched (`None`: adopted).
    #[serde(default)]
    pub fetched_at: Option<DateTime<Utc>>,
}

/// A different body served later for an update already stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    /// The snapshot file: `<id>.rev-<12 hex digits of map_sha256>.geojson.gz`.
    pub file: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// SHA-256 of its map's JSON text.
    pub map_sha256: String,
    /// When it was fetched.
    pub fetched_at: Option<DateTime<Utc>>,
    /// The listing's `updatedAt` then.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Whether its zones are the same as the first body's (statuses and
    /// coordinates; only names, styles or markers differ).
    pub same_zones: bool,
    /// Its published areas (`<id>.rev-<...>.areas.json`).
    #[serde(default)]
    pub areas: Option<Stored>,
}

impl Manifest {
    /// The manifest of `dir`; empty when it has none. A manifest that cannot be
    /// read is an error (never replaced: move it away to rebuild one from the
    /// files).
    ///
    /// # Errors
    ///
    /// An error naming the manifest when it cannot be read, is not valid JSON, or
    /// has another format version.
    pub fn load(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Manifest {
                    format: FORMAT.into(),
                    ..Manifest::default()
                });
            }
            Err(source) => return Err(Error::Io { path, source }),
        };
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            Error::format(
                &path,
                format!(
                    "not a sync manifest ({e}); move it away and run again to rebuild it \
                     from the files"
                ),
            )
        })?;
        if manifest.format != FORMAT {
            return Err(Error::format(
                &path,
                format!("manifest format {:?}, expected {FORMAT:?}", manifest.format),
            ));
        }
        Ok(manifest)
    }

    /// Writes the manifest into `dir`, atomically.
    ///
    /// # Errors
    ///
    /// An error when the manifest cannot be encoded or written.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let mut text = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::Invalid(format!("cannot write the manifest: {e}")))?;
        text.push(b'\n');
        crate::atomic::write(dir.join(MANIFEST), &text)
    }

    /// The record of `id`.
    pub fn get(&self, id: i64) -> Option<&Record> {
        self.updates
            .binary_search_by_key(&id, |r| r.id)
            .ok()
            .map(|i| &self.updates[i])
    }

    /// The record of `id`, created (in order) when there is none.
    pub fn record_mut(&mut self, id: i64) -> &mut Record {
        let i = match self.updates.binary_search_by_key(&id, |r| r.id) {
            Ok(i) => i,
            Err(i) => {
                self.updates.insert(i, Record::new(id));
                i
            }
        };
        &mut self.updates[i]
    }

    /// Every file the manifest names, with the SHA-256 and size it records.
    pub fn files(&self) -> Vec<(PathBuf, &str, u64)> {
        let mut out = Vec::new();
        for r in &self.updates {
            out.push((PathBuf::from(&r.file), r.sha256.as_str(), r.bytes));
            let stored = r
                .areas
                .iter()
                .chain(&r.areas_revisions)
                .chain(r.revisions.iter().filter_map(|v| v.areas.as_ref()));
            for s in stored {
                out.push((PathBuf::from(&s.file), s.sha256.as_str(), s.bytes));
            }
            for v in &r.revisions {
                out.push((PathBuf::from(&v.file), v.sha256.as_str(), v.bytes));
            }
        }
        out
    }
}

/// SHA-256 of `bytes`, in lowercase hex.
///
/// ```
/// assert_eq!(
///     frontline::sync::sha256_hex(b"abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_manifest_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MANIFEST),
            "{\"format\": \"frontline-sync/1\", ",
        )
        .unwrap();
        let err = Manifest::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("sync-manifest.json") && err.contains("move it away"),
            "{err}"
        );
        std::fs::write(
            dir.path().join(MANIFEST),
            r#"{"format": "other/9", "updates": []}"#,
        )
        .unwrap();
        assert!(Manifest::load(dir.path()).is_err());
    }

    #[test]
    fn records_stay_in_id_order() {
        let mut m = Manifest::default();
        for id in [300_000_000, 100_000_000, 200_000_000, 100_000_000] {
            m.record_mut(id);
        }
        let ids: Vec<i64> = m.updates.iter().map(|r| r.id).collect();
        assert_eq!(ids, [100_000_000, 200_000_000, 300_000_000]);
        assert!(m.get(200_000_000).is_some() && m.get(5).is_none());
    }
}
