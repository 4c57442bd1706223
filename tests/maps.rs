//! Maps for print and animations: labels that never overlap (measured on the
//! text as resvg lays it out, not on the writer's own estimate), credits,
//! animations as GIF and WebP and their refusals, and the series' wide CSV.

mod common;

use frontline::animate::Rasterizer;
use frontline::export::{Aoi, Export, ExportOptions, SvgOptions, svg_map};
use frontline::{import, timeline};
use resvg::usvg;

/// The boxes of the texts whose id starts with `prefix`, as laid out by usvg.
fn text_boxes(node: &usvg::Group, prefix: &str, out: &mut Vec<(String, usvg::Rect)>) {
    for child in node.children() {
        match child {
            usvg::Node::Group(g) => text_boxes(g, prefix, out),
            usvg::Node::Text(t) if t.id().starts_with(prefix) => {
                out.push((t.id().to_string(), t.abs_stroke_bounding_box()));
            }
            _ => {}
        }
    }
}

fn overlap(a: &usvg::Rect, b: &usvg::Rect) -> bool {
    a.left() < b.right() && b.left() < a.right() && a.top() < b.bottom() && b.top() < a.bottom()
}

#[test]
fn svg_labels_of_the_real_places_never_overlap() {
    let Some(data) = common::shared_data("svg_labels_of_the_real_places_never_overlap") else {
        return;
    };
    let snapshot = import::read_zones(
        data.join("deepstate/raw-weekly/1754251105.geojson.gz"),
        None,
    )
    .unwrap()
    .snapshot;
    let oblast = import::read_places(data.join("admin/donetsk/oblast.geojson"))
        .unwrap()
        .union()
        .unwrap();
    let places = import::read_places(data.join("admin/donetsk/places.geojson")).unwrap();
    let aoi = Aoi::new("Donetsk oblast", oblast.clone());
    let mut export = Export::new(ExportOptions::default().aoi(aoi)).unwrap();
    export.layers(&snapshot).unwrap();
    let drawn = export.places(&places, &snapshot, None).unwrap();
    assert_eq!(drawn, 371, "the places of the oblast");
    let fc = export.to_feature_collection();
    let rasterizer = Rasterizer::new().unwrap();
    for (width, options) in [
        (1000.0, SvgOptions::default()),
        (
            1080.0,
            SvgOptions {
                width: 1080.0,
                height: Some(1080.0),
                outline: Some(oblast.clone()),
                ..SvgOptions::default()
            },
        ),
        (
            600.0,
            SvgOptions {
                width: 600.0,
                ..SvgOptions::default()
            },
        ),
    ] {
        let svg = svg_map(&fc, &options).unwrap();
        assert!(svg.contains("Places: GeoNames") && svg.contains("Zones: DeepStateMap"));
        assert_eq!(svg.matches("kind-place").count(), 371);
        let tree = rasterizer.tree(&svg).unwrap();
        let mut boxes = Vec::new();
        text_boxes(tree.root(), "label-", &mut boxes);
        let labels = svg.matches(r#"class="label""#).count();
        assert_eq!(boxes.len(), labels, "{width}: every label laid out");
        assert!(labels > 40, "{width}: only {labels} labels");
        for (i, (a, ra)) in boxes.iter().enumerate() {
            for (b, rb) in &boxes[i + 1..] {
                assert!(!overlap(ra, rb), "{width}: {a} {ra:?} overlaps {b} {rb:?}");
            }
        }
        // The largest towns are named.
        for town in ["Kramatorsk", "Slovyansk", "Mariupol", "Donetsk"] {
            assert!(svg.contains(&format!(">{town}</text>")), "{width}: {town}");
        }
        // Fewer labels when only towns of 20,000 and more are named.
        let few = svg_map(
            &fc,
            &SvgOptions {
                labels: frontline::export::Labels::MinPopulation(20_000),
                ..options.clone()
            },
        )
        .unwrap();
        assert!(few.matches(r#"class="label""#).count() < labels);
    }
}

fn gif_frames(path: &std::path::Path) -> (u16, u16, usize) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options
        .read_info(std::fs::File::open(path).unwrap())
        .unwrap();
    let (w, h) = (decoder.width(), decoder.height());
    let mut n = 0;
    while decoder.read_next_frame().unwrap().is_some() {
        n += 1;
    }
    (w, h, n)
}

#[test]
fn animate_writes_a_gif_and_a_webp_and_refuses_an_empty_area() {
    let dir = tempfile::tempdir().unwrap();
    let gif = dir.path().join("a.gif");
    let still = dir.path().join("last.png");
    let o = common::frontline(&[
        "animate",
        "data/snapshots",
        "--bbox",
        "37.0,47.8,38.6,48.9",
        "--places",
        "data/places.geojson",
        "--front",
        "--size",
        "400x300",
        "-o",
        gif.to_str().unwrap(),
        "--still",
        still.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("2 frames of 400x300 from 2 snapshots"),
        "{out}"
    );
    assert_eq!(gif_frames(&gif), (400, 300, 2));
    assert!(std::fs::read(&still).unwrap().starts_with(b"\x89PNG"));

    // Per day: 62 days from 1 June to 1 August, the unchanged days merged into
    // longer frames; WebP animated, every frame decodable.
    let webp = dir.path().join("a.webp");
    let o = common::frontline(&[
        "animate",
        "data/snapshots",
        "--bbox",
        "37.0,47.8,38.6,48.9",
        "--every",
        "day",
        "--size",
        "300x300",
        "-o",
        webp.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("62 frames"));
    let mut decoder =
        image_webp::WebPDecoder::new(std::io::Cursor::new(std::fs::read(&webp).unwrap())).unwrap();
    assert!(decoder.is_animated());
    assert_eq!(decoder.dimensions(), (300, 300));
    let mut buf = vec![0; decoder.output_buffer_size().unwrap()];
    let mut frames = 0;
    let mut total_ms = 0;
    while let Ok(ms) = decoder.read_frame(&mut buf) {
        frames += 1;
        total_ms += ms;
    }
    // The date label changes every day: every day is a frame of its own.
    assert_eq!(frames, 62);
    assert_eq!(total_ms, 61 * 250 + 2000);

    // No snapshot has a zone there: an error, and no file.
    let far = dir.path().join("far.gif");
    let o = common::frontline(&[
        "animate",
        "data/snapshots",
        "--bbox",
        "10,10,11,11",
        "-o",
        far.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nothing to animate"), "{err}");
    assert!(!far.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        3,
        "no temporary left"
    );

    // An unknown format and a missing ffmpeg are refused before any work.
    let o = common::frontline(&[
        "animate",
        "data/snapshots",
        "--bbox",
        "37,47,38,48",
        "-o",
        "a.png",
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains(".gif, .webp or .mp4"));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("FRONTLINE_FFMPEG", "/no/such/ffmpeg")
        .args(["animate", "data/snapshots", "--bbox", "37,47,38,48", "-o"])
        .arg(dir.path().join("a.mp4"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("MP4 needs ffmpeg"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn series_wide_csv_and_chart_title() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("c.svg");
    let o = common::frontline(&[
        "series",
        "data/snapshots",
        "--regions",
        "data/city.geojson",
        "--wide",
        "--chart",
        chart.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "date");
    assert!(
        header[1..].iter().all(|h| h.ends_with("_pct")),
        "{header:?}"
    );
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 2, "one row per date");
    // The same figures as the long CSV.
    let towns = import::read_places("data/city.geojson").unwrap();
    let regions: Vec<_> = towns.iter().collect();
    let series = timeline::load_series(
        &["data/snapshots"],
        &regions,
        &timeline::LoadOptions::default(),
    )
    .unwrap();
    let col = header
        .iter()
        .position(|h| h == "Demo City_occupied_pct")
        .unwrap();
    let want = series.entries()[1].value[0].pct(&frontline::Status::OCCUPIED);
    assert_eq!(records[1][col].parse::<f64>().unwrap(), want);
    let svg = std::fs::read_to_string(&chart).unwrap();
    let names: Vec<&str> = regions.iter().map(|p| p.label()).collect();
    assert!(
        svg.contains(&format!("{} and {}", names[0], names[1])),
        "titled by the regions' names"
    );
    assert!(!svg.contains("data/city.geojson") && svg.contains("DeepStateMap"));
    // --wide is CSV only.
    let o = common::frontline(&[
        "series",
        "data/snapshots",
        "--regions",
        "data/city.geojson",
        "--wide",
        "--format",
        "json",
    ]);
    assert!(!o.status.success());
}
