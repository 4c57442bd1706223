//! Options shared by the commands that draw maps (`export --svg`, `animate`):
//! labels and the locator inset.

use std::path::PathBuf;

use clap::Args;

use crate::read_outline;
use frontline::Result;
use frontline::Snapshot;
use frontline::export::{Inset, Labels, Style};

#[derive(Debug, Args)]
pub struct MapArgs {
    /// Label only the places of at least this population (labels never overlap:
    /// the most populous are placed first, the others dropped where crowded).
    #[arg(long, value_name = "N", conflicts_with = "no_labels")]
    pub label_min_population: Option<u64>,

    /// No place labels (markers only).
    #[arg(long)]
    pub no_labels: bool,

    /// Draw a locator inset: the map's area marked within the snapshot's whole
    /// extent (its occupied and contested ground, other countries' territories
    /// left out), and within --inset-outline when given.
    #[arg(long)]
    pub inset: bool,

    /// The inset's outline, e.g. ukraine_oblasts.geojson (implies --inset).
    #[arg(long, value_name = "FILE")]
    pub inset_outline: Option<PathBuf>,
}

impl MapArgs {
    /// Which places get labels.
    pub fn labels(&self) -> Labels {
        match (self.no_labels, self.label_min_population) {
            (true, _) => Labels::Off,
            (false, Some(n)) => Labels::MinPopulation(n),
            (false, None) => Labels::All,
        }
    }

    /// Whether an inset is asked for.
    pub fn wants_inset(&self) -> bool {
        self.inset || self.inset_outline.is_some()
    }

    /// The inset of `snapshot` (its whole extent) and the outline, when asked for.
    pub fn inset(&self, snapshot: &Snapshot, style: &Style) -> Result<Option<Inset>> {
        if !self.wants_inset() {
            return Ok(None);
        }
        let mut inset = Inset::of_snapshot(snapshot, style);
        if let Some(path) = &self.inset_outline {
            inset.base = frontline::export::simplify_m(&read_outline(path)?, 2_000.0);
        }
        Ok(Some(inset))
    }
}
