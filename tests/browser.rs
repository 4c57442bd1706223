//! The map page in a real browser: headless Chromium loads the exported page from
//! a server on 127.0.0.1, with Leaflet from a local copy (npm's leaflet@1.9.4, in
//! the directory `FRONTLINE_LEAFLET_DIR` names: its `dist`, or a folder holding
//! `leaflet.js` and `leaflet.css`), and the test reads the DOM it leaves: no
//! script error, and one drawn shape per feature shown.
//!
//! Also: place markers take their status colour (`marker-color`); a page whose
//! Leaflet cannot be loaded shows a message instead of a blank page; a page with
//! Leaflet written into it (`--leaflet-dir`) draws with nothing else served.
//!
//! Without `chromium` on the PATH (or `FRONTLINE_CHROMIUM`) or without
//! `FRONTLINE_LEAFLET_DIR`, it reports a skip and passes; `.ci/run` installs both.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use frontline::export::{Export, ExportOptions, PageOptions, map_page};
use frontline::proximity::{Front, FrontOptions};
use frontline::{Snapshot, import};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FRONTLINE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

fn leaflet_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("FRONTLINE_LEAFLET_DIR")?);
    [
        dir.join("node_modules/leaflet/dist"),
        dir.join("dist"),
        dir.clone(),
    ]
    .into_iter()
    .find(|d| d.join("leaflet.js").is_file())
}

/// Serves the files of `root` on 127.0.0.1 from a background thread; returns the port.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            if BufReader::new(&stream).read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/");
            let path = path
                .split('?')
                .next()
                .unwrap_or("/")
                .trim_start_matches('/');
            let file = (!path.contains("..")).then(|| root.join(path));
            let response = match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
                Some((f, body)) => {
                    let kind = match f.extension().and_then(|e| e.to_str()) {
                        Some("html") => "text/html; charset=utf-8",
                        Some("js") => "text/javascript",
                        Some("css") => "text/css",
                        Some("png") => "image/png",
                        _ => "application/octet-stream",
                    };
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    port
}

/// Loads `url` headless and returns the DOM after scripts ran.
fn dump_dom(chromium: &Path, url: &str, profile: &Path) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", "--virtual-time-budget=5000", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// The attributes of `<div id="frontline-status" ...>` in a DOM dump.
fn status_attr(dom: &str, name: &str) -> Option<String> {
    let start = dom.find(r#"id="frontline-status""#)?;
    let tag_start = dom[..start].rfind('<')?;
    let tag = &dom[tag_start..tag_start + dom[tag_start..].find('>')?];
    let key = format!(r#"{name}=""#);
    let at = tag.find(&key)? + key.len();
    Some(tag[at..at + tag[at..].find('"')?].to_string())
}

/// Chromium and Leaflet, or a reported skip.
fn tools(test: &str) -> Option<(PathBuf, PathBuf)> {
    let Some(chromium) = chromium() else {
        common::skip(test, "chromium not found (.ci/run installs it)");
        return None;
    };
    let Some(leaflet) = leaflet_dir() else {
        common::skip(
            test,
            "FRONTLINE_LEAFLET_DIR not set (npm install --prefix DIR leaflet@1.9.4)",
        );
        return None;
    };
    Some((chromium, leaflet))
}

/// The `fill` of every circle marker Leaflet drew (an SVG path of two arcs).
fn circle_fills(dom: &str) -> Vec<String> {
    let mut fills = Vec::new();
    for tag in dom.split("<path ").skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let attr = |name: &str| {
            let key = format!(r#" {name}=""#);
            let at = tag.find(&key)? + key.len();
            Some(tag[at..at + tag[at..].find('"')?].to_string())
        };
        if attr("d").is_some_and(|d| d.contains(" 0 1,0 ")) {
            fills.extend(attr("fill"));
        }
    }
    fills.sort();
    fills
}

#[test]
fn map_page_draws_every_feature_without_errors() {
    let Some((chromium, leaflet)) = tools("map_page_draws_every_feature_without_errors") else {
        return;
    };
    let root = std::env::temp_dir().join(format!("frontline-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("leaflet")).unwrap();
    for f in ["leaflet.js", "leaflet.css"] {
        std::fs::copy(leaflet.join(f), root.join("leaflet").join(f)).unwrap();
    }
    let read = |p: &str| -> Snapshot { import::read_zones(p, None).unwrap().snapshot };
    let june = read("data/snapshots/deepstate_20250601.geojson");
    let august = read("data/snapshots/deepstate_20250801.geojson");
    let places = import::read_places("data/places.geojson").unwrap();
    let front = Front::derive(&august, &FrontOptions::default()).unwrap();
    let page = PageOptions {
        tiles: None,
        ..PageOptions::default().leaflet("leaflet/leaflet.js", "leaflet/leaflet.css")
    };

    // One snapshot: layers, zones as drawn, changes, front and places.
    let mut export = Export::new(ExportOptions::default()).unwrap();
    export.layers(&august).unwrap();
    export.zones(&august).unwrap();
    export.changes(&june, &august).unwrap();
    export.front(&front, august.date()).unwrap();
    export.places(&places, &august, Some(&front)).unwrap();
    let fc = export.to_feature_collection();
    std::fs::write(root.join("map.html"), map_page(&fc, &page, false)).unwrap();

    // A time-enabled series: the page opens on the last date.
    let mut series = Export::new(ExportOptions::default()).unwrap();
    series.series([&june, &august], false).unwrap();
    let sfc = series.to_feature_collection();
    let last = sfc
        .features
        .iter()
        .filter(|f| f.property("until").is_none())
        .count();
    std::fs::write(root.join("series.html"), map_page(&sfc, &page, true)).unwrap();

    let port = serve(root.clone());
    for (file, expected, total) in [
        ("map.html", fc.features.len(), fc.features.len()),
        ("series.html", last, sfc.features.len()),
    ] {
        let profile = root.join(format!("profile-{file}"));
        let dom = dump_dom(
            &chromium,
            &format!("http://127.0.0.1:{port}/{file}"),
            &profile,
        );
        let attr = |n: &str| status_attr(&dom, n);
        assert_eq!(
            attr("data-ready").as_deref(),
            Some("1"),
            "{file}: page did not finish drawing"
        );
        assert_eq!(
            attr("data-errors").as_deref(),
            Some("0"),
            "{file}: script errors"
        );
        let shapes: usize = attr("data-shapes").unwrap().parse().unwrap();
        let shown: usize = attr("data-features").unwrap().parse().unwrap();
        // Counted from the DOM dump too, independently of the page's own count.
        let in_dom = dom.matches(r#"<path class="leaflet-interactive""#).count();
        println!("{file}: {shapes} shapes for {expected} features shown of {total}");
        assert_eq!(shown, expected, "{file}");
        assert_eq!(shapes, expected, "{file}");
        assert_eq!(in_dom, expected, "{file}");
        assert_eq!(attr("data-leaflet").as_deref(), Some("loaded"), "{file}");
        if file == "map.html" {
            // Every place marker in its status colour, none left grey.
            let mut wanted: Vec<String> = fc
                .features
                .iter()
                .filter_map(|f| f.property("marker-color").and_then(|c| c.as_str()))
                .map(str::to_string)
                .collect();
            wanted.sort();
            assert!(!wanted.is_empty());
            assert_eq!(circle_fills(&dom), wanted, "{file}: marker colours");
        }
    }
    assert!(fc.features.len() > 20);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_page_without_leaflet_says_so_and_an_inlined_one_draws_offline() {
    let Some((chromium, leaflet)) =
        tools("a_page_without_leaflet_says_so_and_an_inlined_one_draws_offline")
    else {
        return;
    };
    let root = std::env::temp_dir().join(format!("frontline-offline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let august = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)
        .unwrap()
        .snapshot;
    let places = import::read_places("data/places.geojson").unwrap();
    let mut export = Export::new(ExportOptions::default()).unwrap();
    export.layers(&august).unwrap();
    export.places(&places, &august, None).unwrap();
    let fc = export.to_feature_collection();
    // Leaflet from a URL that fails (nothing is served there), as offline.
    let missing = PageOptions {
        tiles: None,
        ..PageOptions::default().leaflet("missing/leaflet.js", "missing/leaflet.css")
    };
    std::fs::write(root.join("missing.html"), map_page(&fc, &missing, false)).unwrap();
    // Leaflet written into the page: nothing but the page is served.
    let inline = PageOptions {
        tiles: None,
        ..PageOptions::default().inline_leaflet(&leaflet).unwrap()
    };
    std::fs::write(root.join("inline.html"), map_page(&fc, &inline, false)).unwrap();
    let port = serve(root.clone());
    let dom = dump_dom(
        &chromium,
        &format!("http://127.0.0.1:{port}/missing.html"),
        &root.join("profile-missing"),
    );
    let attr = |n: &str| status_attr(&dom, n);
    assert_eq!(attr("data-ready").as_deref(), Some("1"));
    assert_eq!(attr("data-leaflet").as_deref(), Some("missing"));
    assert_eq!(attr("data-errors").as_deref(), Some("0"), "no script error");
    let message = dom
        .find(r#"id="frontline-no-leaflet""#)
        .map(|i| &dom[i..i + dom[i..].find('>').unwrap()])
        .unwrap();
    assert!(
        !message.contains("hidden"),
        "the message is shown: {message}"
    );
    assert!(
        dom.contains("--leaflet-dir"),
        "the message says how to fix it"
    );
    let dom = dump_dom(
        &chromium,
        &format!("http://127.0.0.1:{port}/inline.html"),
        &root.join("profile-inline"),
    );
    let attr = |n: &str| status_attr(&dom, n);
    assert_eq!(attr("data-leaflet").as_deref(), Some("loaded"));
    assert_eq!(attr("data-errors").as_deref(), Some("0"));
    let shapes: usize = attr("data-shapes").unwrap().parse().unwrap();
    assert_eq!(shapes, fc.features.len());
    let _ = std::fs::remove_dir_all(&root);
}
