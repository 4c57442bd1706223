//! Writes the bundled (illustrative) data's map as GeoJSON, a Leaflet page and an
//! SVG into target/export_map/, and prints the paths.
//!
//! ```text
//! cargo run --example export_map [ZONES] [PLACES]
//! ```

use std::path::Path;

use frontline::export::{Export, ExportOptions, PageOptions, SvgOptions, map_page, svg_map};
use frontline::import;
use frontline::proximity::{Front, FrontOptions};

fn main() -> frontline::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let zones = args
        .first()
        .map_or("data/snapshots/deepstate_20250801.geojson", String::as_str);
    let places = args.get(1).map_or("data/places.geojson", String::as_str);
    let snapshot = import::read_zones(zones, None)?.snapshot;
    let places = import::read_places(places)?;
    let front = Front::derive(&snapshot, &FrontOptions::default())?;

    let mut export = Export::new(ExportOptions::default())?;
    export.layers(&snapshot)?;
    export.front(&front, snapshot.date())?;
    export.places(&places, &snapshot, Some(&front))?;
    let collection = export.to_feature_collection();

    let dir = Path::new("target/export_map");
    std::fs::create_dir_all(dir).map_err(|source| frontline::Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let title = match snapshot.date() {
        Some(d) => format!("Illustrative sample map, {}", d.format("%Y-%m-%d")),
        None => "Illustrative sample map".into(),
    };
    let geojson = dir.join("map.geojson");
    export.write(&geojson)?;
    let html = dir.join("map.html");
    let page = PageOptions {
        title: title.clone(),
        ..PageOptions::default()
    };
    frontline::atomic::write(&html, map_page(&collection, &page, false).as_bytes())?;
    let svg = dir.join("map.svg");
    let options = SvgOptions {
        title,
        ..SvgOptions::default()
    };
    frontline::atomic::write(&svg, svg_map(&collection, &options)?.as_bytes())?;
    for p in [&geojson, &html, &svg] {
        println!("{}", p.display());
    }
    eprintln!("{} features", export.report().features);
    Ok(())
}
