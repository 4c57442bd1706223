//! `frontline sync` against a loopback server in the test process (127.0.0.1,
//! port 0; nothing else is ever contacted), with faults injected: 5xx, a hang
//! past the timeout, bodies cut short, invalid JSON, HTML, empty and bad
//! listings, a listing that changes between runs, a gzip bomb, and a kill in
//! the middle of a run followed by a resume.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use frontline::sync::{self, Action, Manifest, SyncOptions};
use frontline::timeline::{Issue, LoadOptions, Timeline};

// ---------------------------------------------------------------------------
// A small HTTP/1.1 server: one thread per connection, `Connection: close`.

/// What the server answers to one request.
#[derive(Clone)]
enum Reply {
    /// A status and a body, with its length; JSON unless `content_type`.
    Body {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
        gzip: bool,
    },
    /// Nothing until this long has passed, then the connection is closed.
    Hang(Duration),
    /// The headers of the whole body (its full `Content-Length`), then only its
    /// first half, then the connection is closed.
    Cut(Vec<u8>),
}

fn json(body: impl Into<Vec<u8>>) -> Reply {
    Reply::Body {
        status: 200,
        content_type: "application/json",
        body: body.into(),
        gzip: false,
    }
}

fn status(code: u16) -> Reply {
    Reply::Body {
        status: code,
        content_type: "text/plain",
        body: format!("status {code}").into_bytes(),
        gzip: false,
    }
}

type Handler = dyn Fn(&str, usize) -> Reply + Send + Sync;

struct Server {
    base: String,
    /// Every path asked, in order.
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Serves `handler(path, n)`, `n` counting the requests for that path from 0.
    fn start(handler: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let counts = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let l = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, log, counts) = (handler.clone(), l.clone(), counts.clone());
                std::thread::spawn(move || serve(stream, &*handler, &log, &counts));
            }
        });
        Server { base, log }
    }

    fn asked(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn clear(&self) {
        self.log.lock().unwrap().clear();
    }
}

fn serve(
    mut stream: TcpStream,
    handler: &Handler,
    log: &Mutex<Vec<String>>,
    counts: &Mutex<HashMap<String, usize>>,
) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or("").to_string();
    log.lock().unwrap().push(path.clone());
    let n = {
        let mut counts = counts.lock().unwrap();
        let c = counts.entry(path.clone()).or_default();
        *c += 1;
        *c - 1
    };
    let head = |status: u16, content_type: &str, len: usize, extra: &str| {
        format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\n\
             {extra}Connection: close\r\n\r\n"
        )
    };
    let _ = match handler(&path, n) {
        Reply::Body {
            status,
            content_type,
            body,
            gzip,
        } => {
            let extra = if gzip {
                "Content-Encoding: gzip\r\n"
            } else {
                ""
            };
            stream
                .write_all(head(status, content_type, body.len(), extra).as_bytes())
                .and_then(|()| stream.write_all(&body))
        }
        Reply::Hang(d) => {
            std::thread::sleep(d);
            Ok(())
        }
        Reply::Cut(body) => stream
            .write_all(head(200, "application/json", body.len(), "").as_bytes())
            .and_then(|()| stream.write_all(&body[..body.len() / 2])),
    };
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

// ---------------------------------------------------------------------------
// A fake DeepState API over a set of updates.

/// A small synthetic map: one occupied square, one grey square and a marker,
/// with Z values, as DeepState draws them; `id` moves it a little.
fn map_of(id: i64) -> String {
    let x = 37.0 + (id % 97) as f64 * 0.001;
    format!(
        r##"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"name":"Окуповано /// Occupied /// geoJSON.status.occupied","fill":"#a52714"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},48.0,0],[{x1},48.0,0],[{x1},48.1,0],[{x},48.1,0],[{x},48.0,0]]]}}}},{{"type":"Feature","properties":{{"name":"Статус невідомий /// Unknown status /// geoJSON.status.unknown"}},"geometry":{{"type":"Polygon","coordinates":[[[{x1},48.0,0],[{x2},48.0,0],[{x2},48.1,0],[{x1},48.1,0],[{x1},48.0,0]]]}}}},{{"type":"Feature","properties":{{"name":"Unit"}},"geometry":{{"type":"Point","coordinates":[36.5,47.5,0]}}}}]}}"##,
        x1 = x + 0.1,
        x2 = x + 0.2
    )
}

fn envelope(id: i64, map: &str) -> String {
    let when = chrono::DateTime::from_timestamp(id, 0).unwrap();
    format!(
        r#"{{"id":{id},"datetime":"{}","map":{map}}}"#,
        when.format("%Y-%m-%dT%H:%M:%S%.3fZ")
    )
}

fn areas_of(id: i64) -> String {
    format!(
        r##"[{{"hash":"#a52714","area":{}.5,"percent":"10.579","type":"occupied_after_24_02_2022"}},{{"hash":"#880e4f","area":43000.25,"percent":"7.1","type":"occupied_to_24_02_2022"}},{{"hash":"#bcaaa4","area":900.125,"percent":"0.15","type":"unspecified"}}]"##,
        60000 + id % 1000
    )
}

fn listing(ids: &[i64], updated: &dyn Fn(i64) -> String) -> String {
    let entries: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"id":{id},"createdAt":"x","updatedAt":"{}","datetime":"x","description":"d","descriptionEn":"d","status":true}}"#,
                updated(*id)
            )
        })
        .collect();
    format!("[{}]", entries.join(","))
}

/// The request's id, for `/api/history/{id}/...`.
fn id_in(path: &str) -> Option<i64> {
    path.strip_prefix("/api/history/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

/// A healthy API over `ids` (updatedAt "u1" for all).
fn healthy(ids: Vec<i64>) -> impl Fn(&str, usize) -> Reply + Send + Sync + 'static {
    move |path, _| answer(&ids, path)
}

fn answer(ids: &[i64], path: &str) -> Reply {
    if path == "/api/history/public" {
        return json(listing(ids, &|_| "u1".into()));
    }
    match id_in(path) {
        Some(id) if ids.contains(&id) && path.ends_with("/geojson") => {
            json(envelope(id, &map_of(id)))
        }
        Some(id) if ids.contains(&id) && path.ends_with("/areas") => json(areas_of(id)),
        _ => status(404),
    }
}

const IDS: [i64; 3] = [1754200000, 1754251105, 1754300000];

/// Options for a loopback test: no delay, short timeout and backoff.
fn fast(server: &Server) -> SyncOptions {
    SyncOptions::default()
        .base_url(&server.base)
        .delay(Duration::ZERO)
        .timeout(Duration::from_millis(800))
        .retries(2)
        .backoff(Duration::from_millis(10))
}

fn run(dir: &Path, options: &SyncOptions) -> frontline::Result<sync::Summary> {
    sync::sync(dir, options, &mut |_| {})
}

/// The file names in `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Every file the manifest names is there with its SHA-256 and size, and every
/// snapshot and areas file there is in the manifest; no temporary file is left.
fn assert_consistent(dir: &Path) -> Manifest {
    let manifest = Manifest::load(dir).unwrap();
    let mut named: Vec<String> = Vec::new();
    for (file, sha, bytes) in manifest.files() {
        let data =
            std::fs::read(dir.join(&file)).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(data.len() as u64, bytes, "{}", file.display());
        assert_eq!(sync::sha256_hex(&data), sha, "{}", file.display());
        named.push(file.to_string_lossy().into_owned());
    }
    for name in files(dir) {
        assert!(!name.ends_with(".tmp"), "a temporary file is left: {name}");
        if name.ends_with(".geojson.gz") || name.ends_with(".areas.json") {
            assert!(named.contains(&name), "{name} is not in the manifest");
        }
    }
    for r in &manifest.updates {
        let map = gunzip(&dir.join(&r.file));
        assert_eq!(sync::sha256_hex(&map), r.map_sha256, "{}", r.file);
    }
    manifest
}

// ---------------------------------------------------------------------------

#[test]
fn a_fresh_directory_is_filled_and_a_second_run_asks_only_the_listing() {
    let server = Server::start(healthy(IDS.to_vec()));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    let summary = run(&dir, &fast(&server)).unwrap();
    assert_eq!(
        (summary.listed, summary.stored(), summary.failed()),
        (3, 3, 0)
    );
    assert_eq!(summary.archived, 3);
    for id in IDS {
        // The map exactly as served, gzip: the raw-weekly form.
        let map = gunzip(&dir.join(format!("{id}.geojson.gz")));
        assert_eq!(String::from_utf8(map).unwrap(), map_of(id));
        let areas = std::fs::read_to_string(dir.join(format!("{id}.areas.json"))).unwrap();
        assert_eq!(areas, areas_of(id));
        let published = sync::published_areas(dir.join(format!("{id}.geojson.gz")))
            .unwrap()
            .unwrap();
        assert_eq!(published.km2("unspecified"), Some(900.125));
    }
    let manifest = assert_consistent(&dir);
    let first = manifest.get(IDS[0]).unwrap();
    assert_eq!(first.datetime.as_deref(), Some("2025-08-03T05:46:40+00:00"));
    assert_eq!(first.updated_at.as_deref(), Some("u1"));
    assert!(first.fetched_at.is_some());

    // Every command reads the directory as an archive: no warning about the
    // manifest or the areas files.
    let timeline = Timeline::load(&[&dir], &LoadOptions::default()).unwrap();
    assert_eq!(timeline.len(), 3);
    assert!(timeline.issues().is_empty(), "{:?}", timeline.issues());

    server.clear();
    let again = run(&dir, &fast(&server)).unwrap();
    assert!(again.outcomes.is_empty());
    assert_eq!(server.asked(), ["/api/history/public"]);
    assert_eq!(Manifest::load(&dir).unwrap(), manifest);
}

#[test]
fn since_and_every_pick_the_updates() {
    let server = Server::start(healthy(IDS.to_vec()));
    let tmp = tempfile::tempdir().unwrap();
    let options = fast(&server).every(sync::Every::Week);
    let summary = run(tmp.path(), &options).unwrap();
    let ids: Vec<i64> = summary.outcomes.iter().map(|o| o.id).collect();
    assert_eq!(ids, [1754251105, 1754300000]); // Sunday's later update, then Monday's
    let since = frontline::timeline::parse_date("2025-08-04", false).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let summary = run(tmp.path(), &fast(&server).since(Some(since))).unwrap();
    assert_eq!(summary.outcomes.len(), 1);
    assert_eq!(summary.selected, 1);
}

#[test]
fn server_errors_and_a_hang_are_retried() {
    let ids = IDS.to_vec();
    let server = Server::start(move |path, n| {
        if path.ends_with(&format!("{}/geojson", IDS[0])) && n < 2 {
            return status(if n == 0 { 500 } else { 503 });
        }
        if path.ends_with(&format!("{}/geojson", IDS[1])) && n == 0 {
            return Reply::Hang(Duration::from_secs(3));
        }
        answer(&ids, path)
    });
    let tmp = tempfile::tempdir().unwrap();
    let mut retries = Vec::new();
    let started = Instant::now();
    let summary = sync::sync(tmp.path(), &fast(&server), &mut |e| {
        if let sync::Event::Retrying(r) = e {
            retries.push(r.error.to_string());
        }
    })
    .unwrap();
    assert_eq!((summary.stored(), summary.failed()), (3, 0));
    assert_eq!(retries.len(), 3, "{retries:?}");
    assert!(retries[0].contains("HTTP 500") && retries[1].contains("HTTP 503"));
    assert!(retries[2].contains("timed out"), "{}", retries[2]);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the hang was waited out"
    );
    assert_consistent(tmp.path());
}

#[test]
fn cut_and_invalid_bodies_are_retried_then_reported_and_never_stored() {
    let ids = IDS.to_vec();
    let server = Server::start(move |path, n| {
        let id = id_in(path);
        match id {
            // Cut short every time.
            Some(i) if i == IDS[0] && path.ends_with("/geojson") => {
                Reply::Cut(envelope(i, &map_of(i)).into_bytes())
            }
            // Invalid JSON once, then fine.
            Some(i) if i == IDS[1] && path.ends_with("/geojson") && n == 0 => {
                json(&envelope(i, &map_of(i))[..200])
            }
            // A valid envelope whose map the DeepState reader refuses, always.
            Some(i) if i == IDS[2] && path.ends_with("/geojson") => json(envelope(
                i,
                r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x /// geoJSON.status.occupied"},"geometry":{"type":"Polygon","coordinates":[[[37,48],[37.1,"48"],[37.1,48.1],[37,48]]]}}]}"#,
            )),
            _ => answer(&ids, path),
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let summary = run(tmp.path(), &fast(&server)).unwrap();
    let by_id = |id: i64| summary.outcomes.iter().find(|o| o.id == id).unwrap();
    assert_eq!(by_id(IDS[0]).action, Action::Failed);
    let why = by_id(IDS[0]).problem.as_deref().unwrap();
    assert!(
        why.contains("cut short") && why.contains("after 3 attempts"),
        "{why}"
    );
    assert_eq!(by_id(IDS[1]).action, Action::Stored);
    assert_eq!(by_id(IDS[2]).action, Action::Failed);
    let why = by_id(IDS[2]).problem.as_deref().unwrap();
    assert!(
        why.contains("the map: not valid GeoJSON") && why.contains("\"48\""),
        "{why}"
    );
    assert_eq!(summary.failed(), 2);
    assert_eq!(
        files(tmp.path()),
        [
            ".sync.lock",
            "1754251105.areas.json",
            "1754251105.geojson.gz",
            "sync-manifest.json"
        ]
    );
    assert_consistent(tmp.path());
    assert_eq!(
        server
            .asked()
            .iter()
            .filter(|p| p.ends_with(&format!("{}/geojson", IDS[0])))
            .count(),
        3
    );
}

#[test]
fn bad_listings_are_clear_errors_and_write_nothing() {
    let gz_bomb = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![b' '; 8 << 20]).unwrap();
        e.finish().unwrap()
    };
    let cases: Vec<(Reply, &str)> = vec![
        (
            Reply::Body {
                status: 200,
                content_type: "text/html",
                body: b"<!DOCTYPE html><html><body>Welcome</body></html>".to_vec(),
                gzip: false,
            },
            "HTML",
        ),
        (json("[]"), "empty"),
        (json(r#"[{"id": 1754251105}, {"id": "latest"}]"#), "entry 1"),
        (
            json(r#"[{"id": "../../etc/passwd"}]"#),
            "not a whole number",
        ),
        (json(r#"{"updates": []}"#), "not a JSON array"),
        (json("[{\"id\": 17542511"), "invalid JSON"),
        (status(404), "404"),
        (
            Reply::Body {
                status: 200,
                content_type: "application/json",
                body: gz_bomb,
                gzip: true,
            },
            "larger than 1 MB",
        ),
        (json(vec![b' '; 2 << 20]), "larger than 1 MB"),
    ];
    for (reply, says) in cases {
        let server = Server::start(move |_, _| reply.clone());
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("archive");
        let options = fast(&server).retries(1).max_bytes(1 << 20);
        let err = run(&dir, &options).unwrap_err().to_string();
        assert!(err.contains(says), "expected {says:?} in: {err}");
        assert!(err.contains("/api/history/public"), "{err}");
        assert!(!dir.exists(), "{err}: wrote into the directory");
    }
}

#[test]
fn a_gzip_bomb_of_a_map_is_refused_and_the_rest_goes_on() {
    let bomb = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![b' '; 4 << 20]).unwrap();
        e.finish().unwrap()
    };
    let ids = IDS.to_vec();
    let server = Server::start(move |path, _| match id_in(path) {
        Some(i) if i == IDS[0] && path.ends_with("/geojson") => Reply::Body {
            status: 200,
            content_type: "application/json",
            body: bomb.clone(),
            gzip: true,
        },
        _ => answer(&ids, path),
    });
    let tmp = tempfile::tempdir().unwrap();
    let summary = run(tmp.path(), &fast(&server).max_bytes(1 << 20)).unwrap();
    let first = &summary.outcomes[0];
    assert_eq!(first.action, Action::Failed);
    assert!(
        first
            .problem
            .as_deref()
            .unwrap()
            .contains("larger than 1 MB")
    );
    assert_eq!(summary.stored(), 2);
    // Not worth another try: asked once.
    let asked = server.asked();
    assert_eq!(asked.iter().filter(|p| p.contains("1754200000")).count(), 1);
    assert!(!tmp.path().join("1754200000.geojson.gz").exists());
    assert_consistent(tmp.path());
}

#[test]
fn a_listing_that_changes_between_runs_adds_new_updates_and_keeps_revisions() {
    // Run 1 lists two updates; run 2 lists a third, a fourth that then vanishes
    // (404), and says the second changed, with a different map and areas.
    let round = Arc::new(Mutex::new(1));
    let r = round.clone();
    let revised = |id: i64| map_of(id).replace("\"Unit\"", "\"Unit (moved)\"");
    let server = Server::start(move |path, _| {
        let round = *r.lock().unwrap();
        let (ids, listed): (Vec<i64>, Vec<i64>) = match round {
            1 => (IDS[..2].to_vec(), IDS[..2].to_vec()),
            _ => (IDS.to_vec(), vec![IDS[0], IDS[1], IDS[2], 1754400000]),
        };
        if path == "/api/history/public" {
            return json(listing(&listed, &|id| {
                if round > 1 && id == IDS[1] {
                    "u2".into()
                } else {
                    "u1".into()
                }
            }));
        }
        match id_in(path) {
            Some(i) if round > 1 && i == IDS[1] && path.ends_with("/geojson") => {
                json(envelope(i, &revised(i)))
            }
            Some(i) if round > 1 && i == IDS[1] && path.ends_with("/areas") => {
                json(areas_of(i).replace("900.125", "950"))
            }
            _ => answer(&ids, path),
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let one = run(dir, &fast(&server)).unwrap();
    assert_eq!(one.stored(), 2);
    let original = std::fs::read(dir.join(format!("{}.geojson.gz", IDS[1]))).unwrap();

    *round.lock().unwrap() = 2;
    let two = run(dir, &fast(&server)).unwrap();
    let by_id = |id: i64| two.outcomes.iter().find(|o| o.id == id).unwrap();
    assert_eq!(by_id(IDS[2]).action, Action::Stored);
    let revision = by_id(IDS[1]);
    assert_eq!(revision.action, Action::Revised);
    assert!(revision.problem.is_none());
    let note = revision.note.as_deref().unwrap();
    assert!(
        note.contains("only names, styles or markers differ"),
        "{note}"
    );
    let vanished = by_id(1754400000);
    assert_eq!(vanished.action, Action::Failed);
    assert!(vanished.problem.as_deref().unwrap().contains("404"));
    assert!(two.outcomes.iter().all(|o| o.id != IDS[0]));

    // The first body is untouched, the second beside it, with its own areas.
    let first = dir.join(format!("{}.geojson.gz", IDS[1]));
    assert_eq!(std::fs::read(&first).unwrap(), original);
    let manifest = assert_consistent(dir);
    let record = manifest.get(IDS[1]).unwrap();
    assert_eq!(record.updated_at.as_deref(), Some("u2"));
    let rev = &record.revisions[0];
    assert!(rev.file.starts_with("1754251105.rev-") && rev.same_zones);
    assert_eq!(
        String::from_utf8(gunzip(&dir.join(&rev.file))).unwrap(),
        revised(IDS[1])
    );
    let kept_areas = sync::published_areas(dir.join(&rev.file)).unwrap().unwrap();
    assert_eq!(kept_areas.km2("unspecified"), Some(950.0));
    let first_areas = sync::published_areas(&first).unwrap().unwrap();
    assert_eq!(first_areas.km2("unspecified"), Some(900.125));

    // A directory listing reads the first body and warns about the revision.
    let timeline = Timeline::load(&[dir], &LoadOptions::default()).unwrap();
    assert_eq!(timeline.len(), 3);
    assert_eq!(timeline.entries()[1].path, first);
    match timeline.issues() {
        [Issue::Duplicate { kept, dropped, .. }] => {
            assert_eq!(kept, &first);
            assert_eq!(dropped, &dir.join(&rev.file));
        }
        other => panic!("expected one duplicate warning, got {other:?}"),
    }
    // Strict loads refuse to choose... only when the zones differ; these are the
    // same zones (a marker was renamed), which a timeline calls the same content.
    assert!(Timeline::load(&[dir], &LoadOptions::default().strict(true)).is_ok());

    // A third run: nothing new, the vanished update asked for again.
    server.clear();
    let three = run(dir, &fast(&server)).unwrap();
    assert_eq!(three.outcomes.len(), 1);
    assert_eq!(three.outcomes[0].id, 1754400000);
}

#[test]
fn a_revision_with_different_zones_is_a_strict_error_for_a_timeline() {
    let round = Arc::new(Mutex::new(1));
    let r = round.clone();
    let server = Server::start(move |path, _| {
        let round = *r.lock().unwrap();
        if path == "/api/history/public" {
            return json(listing(&IDS[..1], &|_| format!("u{round}")));
        }
        if round > 1 && path.ends_with("/geojson") {
            return json(envelope(IDS[0], &map_of(IDS[0] + 1)));
        }
        answer(&IDS[..1], path)
    });
    let tmp = tempfile::tempdir().unwrap();
    run(tmp.path(), &fast(&server)).unwrap();
    *round.lock().unwrap() = 2;
    let two = run(tmp.path(), &fast(&server)).unwrap();
    assert_eq!(two.outcomes[0].action, Action::Revised);
    assert!(
        two.outcomes[0]
            .note
            .as_deref()
            .unwrap()
            .contains("DIFFERENT zones")
    );
    assert_eq!(two.failed(), 0);
    let err = Timeline::load(&[tmp.path()], &LoadOptions::default().strict(true))
        .unwrap_err()
        .to_string();
    assert!(err.contains("DIFFERENT content"), "{err}");
    // Fetching the same revision again stores nothing new.
    *round.lock().unwrap() = 3;
    let three = run(tmp.path(), &fast(&server)).unwrap();
    assert_eq!(three.outcomes[0].action, Action::Unchanged);
    assert_eq!(assert_consistent(tmp.path()).updates[0].revisions.len(), 1);
}

#[test]
fn areas_not_published_are_recorded_and_not_asked_again() {
    let server = Server::start(|path, _| {
        if path.ends_with("/areas") {
            return status(404);
        }
        answer(&IDS[..1], path)
    });
    let tmp = tempfile::tempdir().unwrap();
    let one = run(tmp.path(), &fast(&server)).unwrap();
    assert_eq!((one.stored(), one.failed()), (1, 0));
    let manifest = assert_consistent(tmp.path());
    assert_eq!(
        manifest.updates[0].areas_missing.as_deref(),
        Some("HTTP 404")
    );
    assert!(
        sync::published_areas(tmp.path().join("1754200000.geojson.gz"))
            .unwrap()
            .is_none()
    );
    server.clear();
    assert!(run(tmp.path(), &fast(&server)).unwrap().outcomes.is_empty());
    assert_eq!(server.asked(), ["/api/history/public"]);
}

#[test]
fn areas_that_fail_are_fetched_on_the_next_run() {
    // Round 1: every areas request fails; round 2: the first update's are
    // there, the second's are not published (404).
    let round = Arc::new(Mutex::new(1));
    let r = round.clone();
    let server = Server::start(move |path, _| {
        let round = *r.lock().unwrap();
        if path.ends_with("/areas") && round == 1 {
            return status(500);
        }
        if path.ends_with(&format!("{}/areas", IDS[1])) {
            return status(404);
        }
        answer(&IDS[..2], path)
    });
    let tmp = tempfile::tempdir().unwrap();
    let one = run(tmp.path(), &fast(&server)).unwrap();
    assert!(one.outcomes.iter().all(|o| o.action == Action::Stored));
    let why = one.outcomes[0].problem.as_deref().unwrap();
    assert!(why.contains("published areas could not be fetched") && why.contains("HTTP 500"));
    assert_eq!(one.failed(), 2);
    *round.lock().unwrap() = 2;
    let two = run(tmp.path(), &fast(&server)).unwrap();
    assert_eq!(two.outcomes[0].action, Action::AreasStored);
    assert_eq!(two.outcomes[1].action, Action::Unchanged);
    assert!(two.outcomes[1].note.as_deref().unwrap().contains("404"));
    assert_eq!(two.failed(), 0);
    let manifest = assert_consistent(tmp.path());
    assert!(manifest.updates[0].areas.is_some());
    assert_eq!(
        manifest.updates[1].areas_missing.as_deref(),
        Some("HTTP 404")
    );
    assert!(run(tmp.path(), &fast(&server)).unwrap().outcomes.is_empty());
}

#[test]
fn files_already_there_are_adopted_or_left_alone_never_overwritten() {
    let server = Server::start(healthy(IDS.to_vec()));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A complete snapshot from elsewhere (no manifest yet), and a broken one.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(map_of(IDS[0]).as_bytes()).unwrap();
    let adopted = e.finish().unwrap();
    std::fs::write(dir.join("1754200000.geojson.gz"), &adopted).unwrap();
    std::fs::write(dir.join("1754251105.geojson.gz"), b"\x1f\x8b not gzip").unwrap();
    let mut warnings = Vec::new();
    let summary = sync::sync(dir, &fast(&server), &mut |e| {
        if let sync::Event::Warning(w) = e {
            warnings.push(w.to_string());
        }
    })
    .unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("1754251105.geojson.gz") && warnings[0].contains("left alone"));
    // The adopted one only needed its areas; the broken one was not fetched.
    let actions: Vec<(i64, Action)> = summary.outcomes.iter().map(|o| (o.id, o.action)).collect();
    assert_eq!(
        actions,
        [(IDS[0], Action::AreasStored), (IDS[2], Action::Stored)]
    );
    assert_eq!(
        std::fs::read(dir.join("1754200000.geojson.gz")).unwrap(),
        adopted
    );
    assert_eq!(
        std::fs::read(dir.join("1754251105.geojson.gz")).unwrap(),
        b"\x1f\x8b not gzip"
    );
    let manifest = Manifest::load(dir).unwrap();
    let adopted_record = manifest.get(IDS[0]).unwrap();
    assert!(adopted_record.fetched_at.is_none());
    // The listing's updatedAt taken for its own: a later change is noticed.
    assert_eq!(adopted_record.updated_at.as_deref(), Some("u1"));
    assert!(manifest.get(IDS[1]).is_none());
}

#[test]
fn a_dry_run_writes_nothing() {
    let server = Server::start(healthy(IDS.to_vec()));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    let summary = run(&dir, &fast(&server).dry_run(true)).unwrap();
    assert_eq!(summary.outcomes.len(), 3);
    assert!(summary.outcomes.iter().all(|o| o.action == Action::Planned));
    assert!(!dir.exists());
    assert_eq!(server.asked(), ["/api/history/public"]);
}

// ---------------------------------------------------------------------------
// The binary: killed in the middle of a run, then run again.

fn frontline_sync(dir: &Path, server: &Server, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontline"));
    cmd.arg("sync")
        .arg(dir)
        .args([
            "--base-url",
            &server.base,
            "--backoff",
            "0",
            "--timeout",
            "2",
        ])
        .args(extra)
        // Never a proxy in the way of the loopback server.
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy");
    cmd
}

#[test]
fn killed_mid_run_then_resumed_the_archive_is_complete_and_consistent() {
    let ids: Vec<i64> = (0..8).map(|i| 1754000000 + i * 86_400).collect();
    let server = Server::start(healthy(ids.clone()));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    // 0.1 s between requests: two per update, so the run takes about 1.7 s.
    let mut child = frontline_sync(&dir, &server, &["--delay", "0.1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let stored = |dir: &Path| {
        std::fs::read_dir(dir).map_or(0, |d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".geojson.gz"))
                .count()
        })
    };
    while stored(&dir) < 3 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = stored(&dir);
    assert!(
        (3..8).contains(&before),
        "killed after {before} of 8 updates"
    );
    // Whatever is there is whole: every snapshot reads.
    for name in files(&dir).iter().filter(|n| n.ends_with(".geojson.gz")) {
        frontline::import::read_zones(dir.join(name), None).unwrap();
    }

    let out = frontline_sync(&dir, &server, &["--delay", "0", "--format", "csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("the archive holds 8 updates"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("id,date,need,action,file,bytes\n"),
        "{stdout}"
    );
    assert!(stdout.lines().count() - 1 <= 8 - before + 1, "{stdout}");

    let manifest = assert_consistent(&dir);
    assert_eq!(
        manifest.updates.iter().map(|r| r.id).collect::<Vec<_>>(),
        ids
    );
    assert!(manifest.updates.iter().all(|r| r.areas.is_some()));
    for id in &ids {
        let map = gunzip(&dir.join(format!("{id}.geojson.gz")));
        assert_eq!(String::from_utf8(map).unwrap(), map_of(*id));
    }
    // And once more: nothing to do, success.
    let out = frontline_sync(&dir, &server, &["--delay", "0"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn the_binary_fails_with_a_clear_error_on_html_and_names_incomplete_updates() {
    let server = Server::start(|_, _| Reply::Body {
        status: 200,
        content_type: "text/html",
        body: b"<html>maintenance</html>".to_vec(),
        gzip: false,
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a");
    let out = frontline_sync(&dir, &server, &["--retries", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("frontline: error:") && stderr.contains("HTML"),
        "{stderr}"
    );
    assert!(!dir.exists());

    let server = Server::start(|path, _| {
        if path.ends_with("/areas") {
            return status(502);
        }
        answer(&IDS[..1], path)
    });
    let out = frontline_sync(&dir, &server, &["--retries", "0", "--delay", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("1 update(s) not complete"), "{stderr}");
    assert!(stderr.contains("HTTP 502"), "{stderr}");
}

// ---------------------------------------------------------------------------
// Real snapshots: served as the API serves them, stored as the archive holds them.

#[test]
fn real_snapshots_are_stored_byte_for_byte_and_series_reads_them_alike() {
    let Some(data) = common::shared_data("real_snapshots_are_stored_byte_for_byte") else {
        return;
    };
    let weekly = data.join("deepstate/raw-weekly");
    let ids = [1649005166i64, 1720000000, 1754251105];
    // The archive's nearest files to these times.
    let mut names: Vec<PathBuf> = std::fs::read_dir(&weekly)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let picked: Vec<(i64, PathBuf)> = ids
        .iter()
        .map(|want| {
            let p = names
                .iter()
                .min_by_key(|p| {
                    let id = frontline::import::date_from_file_name(p)
                        .unwrap()
                        .timestamp();
                    (id - want).abs()
                })
                .unwrap()
                .clone();
            (
                frontline::import::date_from_file_name(&p)
                    .unwrap()
                    .timestamp(),
                p,
            )
        })
        .collect();
    let maps: HashMap<i64, String> = picked
        .iter()
        // The envelope's `map` as the API serves it (one archive file of 175
        // ends with a newline, which is no part of the map).
        .map(|(id, p)| {
            (
                *id,
                String::from_utf8(gunzip(p)).unwrap().trim_end().to_string(),
            )
        })
        .collect();
    let served: Vec<i64> = picked.iter().map(|(id, _)| *id).collect();
    let m = maps.clone();
    let server = Server::start(move |path, _| {
        if path == "/api/history/public" {
            return json(listing(&served, &|_| "u".into()));
        }
        match id_in(path) {
            Some(id) if path.ends_with("/geojson") => json(envelope(id, &m[&id])),
            Some(id) if path.ends_with("/areas") => json(areas_of(id)),
            _ => status(404),
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    let summary = run(&dir, &fast(&server).timeout(Duration::from_secs(10))).unwrap();
    assert_eq!((summary.stored(), summary.failed()), (3, 0));
    for (id, original) in &picked {
        let stored = gunzip(&dir.join(format!("{id}.geojson.gz")));
        assert_eq!(
            stored,
            gunzip(original).trim_ascii_end(),
            "{id}: not the archive's bytes"
        );
    }
    assert_consistent(&dir);

    // `series DIR` gives the same figures as on the archive's own files.
    let regions = data.join("admin/donetsk/oblast.geojson");
    let series = |inputs: Vec<String>| {
        let mut args = vec!["series".to_string()];
        args.extend(inputs);
        args.extend(["--regions".into(), regions.display().to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = common::frontline(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Gaps between the three dates, nothing about the files.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr
                .lines()
                .filter(|l| l.starts_with("frontline: warning:"))
                .all(|l| l.starts_with("frontline: warning: gap:")),
            "{stderr}"
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let ours = series(vec![dir.display().to_string()]);
    let theirs = series(
        picked
            .iter()
            .map(|(_, p)| p.display().to_string())
            .collect(),
    );
    let strip = |csv: &str| -> Vec<String> {
        // The file column differs; the figures must not.
        csv.lines()
            .map(|l| {
                l.split(',')
                    .filter(|c| !c.contains(".geojson"))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    };
    assert_eq!(strip(&ours), strip(&theirs));
    assert_eq!(ours.lines().count(), 4, "{ours}");
}

// ---------------------------------------------------------------------------
// `series --published`: frontline's own km² beside DeepState's.

#[test]
fn series_published_puts_deepstate_km2_beside_frontline_in_both_area_models() {
    let server = Server::start(healthy(IDS.to_vec()));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    run(&dir, &fast(&server)).unwrap();
    // One snapshot without its areas: left out, with a warning.
    std::fs::remove_file(dir.join(format!("{}.areas.json", IDS[2]))).unwrap();
    let dir_arg = dir.display().to_string();
    let csv = |area: &str| {
        let out = common::frontline(&[
            "series",
            &dir_arg,
            "--published",
            "--area",
            area,
            "--format",
            "csv",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        assert!(
            stderr.contains("1 of 3 snapshots have no published areas"),
            "{stderr}"
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let rows: Vec<Vec<String>> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        assert!(text.starts_with(
            "date,status,area_model,frontline_km2,deepstate_km2,difference_km2,difference_pct\n"
        ));
        rows
    };
    let wgs84 = csv("wgs84");
    let sphere = csv("sphere");
    let value = |rows: &[Vec<String>], date: &str, status: &str, col: usize| -> f64 {
        let row = rows
            .iter()
            .find(|r| r[0].starts_with(date) && r[1] == status)
            .unwrap_or_else(|| panic!("no {status} row for {date}: {rows:?}"));
        row[col].parse().unwrap()
    };
    let snapshot = frontline::import::read_zones(dir.join(format!("{}.geojson.gz", IDS[0])), None)
        .unwrap()
        .snapshot;
    let totals = snapshot.total_figures();
    let ours = |s: &frontline::Status| totals.iter().find(|(t, _)| t == s).unwrap().1.unwrap();
    for (status, published) in [
        (frontline::Status::OCCUPIED, 60000.5 + 43000.25),
        (frontline::Status::CONTESTED, 900.125),
    ] {
        let (w, s) = (
            value(&wgs84, "2025-08-03 05:46", status.as_str(), 3),
            value(&sphere, "2025-08-03 05:46", status.as_str(), 3),
        );
        assert!(
            (w - ours(&status)).abs() < 1e-6,
            "{status}: {w} vs {}",
            ours(&status)
        );
        // The sphere measures a little less than the ellipsoid at 48° N.
        assert!(s < w && s > w * 0.997, "{status}: sphere {s}, WGS84 {w}");
        assert_eq!(
            value(&wgs84, "2025-08-03 05:46", status.as_str(), 4),
            published
        );
        let diff = value(&wgs84, "2025-08-03 05:46", status.as_str(), 5);
        assert!((diff - (w - published)).abs() < 1e-6);
    }
    assert!(wgs84.iter().all(|r| r[2] == "wgs84") && sphere.iter().all(|r| r[2] == "sphere"));
    assert!(!wgs84.iter().any(|r| r[0].starts_with("2025-08-04")));
    // Without any areas file, a clear error; --published and --regions exclude each other.
    let bare = tmp.path().join("bare");
    std::fs::create_dir(&bare).unwrap();
    std::fs::copy(
        dir.join(format!("{}.geojson.gz", IDS[0])),
        bare.join(format!("{}.geojson.gz", IDS[0])),
    )
    .unwrap();
    let out = common::frontline(&["series", &bare.display().to_string(), "--published"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no snapshot has published areas"));
    let out = common::frontline(&["series", &dir_arg, "--published", "--regions", "x.geojson"]);
    assert!(!out.status.success());
}
