//! Regions and places as every command reads them: identified (`--id`), labelled
//! in one language (`--lang`), picked by name (`--name`), with what was chosen
//! said on stderr.

use std::path::Path;

use clap::Args;

use crate::warn;
use frontline::model::IdKey;
use frontline::{Place, Places, Result};

/// How regions or places are identified and labelled.
#[derive(Debug, Args)]
pub struct PlaceArgs {
    /// Property that identifies each region or place in results (the `id`
    /// column) [default: the first of katotth, @id, geonameid, id that is unique
    /// in the file, else the GeoJSON feature id, else the feature's index].
    #[arg(long, value_name = "PROPERTY")]
    pub id: Option<String>,

    /// Language of the labels: `name:<LANG>`, else `name` (those are listed on
    /// stderr).
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: String,
}

/// How many of the listed items stderr shows.
const SHOWN: usize = 10;

fn listed(items: impl Iterator<Item = String>, total: usize) -> String {
    let shown: Vec<String> = items.take(SHOWN).collect();
    let more = total.saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// Reads a region or place file: repairs, the id chosen (unless `--id` gave it)
/// and the labels that are not in the language asked for go to stderr.
pub fn read(path: &Path, args: &PlaceArgs, what: &str) -> Result<Places> {
    let places = crate::read_places(path)?;
    warn(path, places.warnings());
    let places = match &args.id {
        Some(property) => places.identify_by(property)?,
        None => {
            let how = match places.id_key() {
                IdKey::Index => {
                    "the feature index, as no property is unique in the file".to_string()
                }
                key => key.to_string(),
            };
            eprintln!(
                "frontline: {}: {what} identified by {how} (the id column; --id PROPERTY to choose)",
                path.display()
            );
            places
        }
    };
    let places = places.with_language(&args.lang);
    let fallbacks: Vec<&Place> = places.language_fallbacks().collect();
    if !fallbacks.is_empty() {
        eprintln!(
            "frontline: note: {}: {} of {} {what} have no name:{}, labelled by their `name`: {}",
            path.display(),
            fallbacks.len(),
            places.len(),
            args.lang,
            listed(
                fallbacks.iter().map(|p| p.label().to_string()),
                fallbacks.len()
            )
        );
    }
    let mut labels: std::collections::HashMap<&str, usize> = Default::default();
    for p in &places {
        *labels.entry(p.label()).or_default() += 1;
    }
    let shared = labels.values().filter(|n| **n > 1).count();
    if shared > 0 {
        eprintln!(
            "frontline: note: {}: {shared} labels are each shared by several {what}: the id \
             column tells them apart",
            path.display()
        );
    }
    Ok(places)
}

/// The places with any of `names` (all when empty), in the order asked and each
/// once; an error for a name that none has. A name several places share is said
/// on stderr, and each of them kept (their ids tell them apart).
pub fn select<'a>(places: &'a Places, names: &[String], what: &str) -> Result<Vec<&'a Place>> {
    if names.is_empty() {
        return Ok(places.iter().collect());
    }
    let mut picked: Vec<&Place> = Vec::new();
    for name in names {
        let found = places.find(name)?;
        if found.len() > 1 {
            eprintln!(
                "frontline: note: {}: {} {what} are named {name:?}, kept apart by id: {}",
                places.path().display(),
                found.len(),
                listed(
                    found.iter().map(|p| p.id().unwrap_or("?").to_string()),
                    found.len()
                )
            );
        }
        for p in found {
            if !picked.iter().any(|q| std::ptr::eq(*q, p)) {
                picked.push(p);
            }
        }
    }
    Ok(picked)
}
