//! Place histories on the bundled samples and on the real archives.

mod common;

use chrono::{DateTime, Utc};
use frontline::proximity::OccupiedSince;
use frontline::timeline::{LoadOptions, load_histories};
use frontline::{Occupation, Status, import};

fn day(d: Option<DateTime<Utc>>) -> String {
    d.map_or("-".into(), |d| d.format("%F").to_string())
}

#[test]
fn samples_histories() {
    let places = import::read_places("data/places.geojson").unwrap();
    let all: Vec<_> = places.iter().collect();
    let h = load_histories(&["data/snapshots"], &all, &LoadOptions::default()).unwrap();
    let get = |n: &str| h.places.iter().find(|p| p.place == n).unwrap();
    // Contested in June, occupied in August: 61 days contested.
    let dunmere = get("Dunmere");
    assert_eq!(
        dunmere.statuses,
        [Some(Status::CONTESTED), Some(Status::OCCUPIED)]
    );
    assert_eq!(day(dunmere.first_contested), "2025-06-01");
    assert_eq!(day(dunmere.first_occupied), "2025-08-01");
    assert!((dunmere.days_contested.unwrap() - 61.0).abs() < 0.01);
    let birchmoor = get("Birchmoor");
    assert_eq!(
        birchmoor.statuses,
        [Some(Status::LIBERATED), Some(Status::LIBERATED)]
    );
    assert_eq!(get("Cedarholm").statuses, [None, None]);
    // A polygon place is looked up at an interior point.
    let towns = import::read_places("data/city.geojson").unwrap();
    let h = load_histories(
        &["data/snapshots"],
        &towns.find("Demo City").unwrap(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(h.places[0].statuses, [None, Some(Status::CONTESTED)]);
}

#[test]
fn real_histories_of_known_towns() {
    let Some(data) = common::shared_data("real_histories_of_known_towns") else {
        return;
    };
    let places = import::read_places(data.join("admin/donetsk/places.geojson")).unwrap();
    let pick =
        |names: &[&str]| -> Vec<_> { names.iter().map(|n| places.find(n).unwrap()[0]).collect() };
    // Raw weekly archive, 2022-2025: grey zone then occupied.
    let h = load_histories(
        &[data.join("deepstate/raw-weekly")],
        &pick(&["Bakhmut", "Avdiyivka", "Chasiv Yar", "Soledar", "Pokrovsk"]),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(h.dates.len(), 175);
    let summary: Vec<(String, String, String, f64)> = h
        .places
        .iter()
        .map(|p| {
            (
                p.place.clone(),
                day(p.first_contested),
                day(p.first_occupied),
                p.days_contested.unwrap(),
            )
        })
        .collect();
    let expect = [
        ("Bakhmut", "2023-03-19", "2023-04-09", 21.0),
        ("Avdiyivka", "-", "2024-02-18", 0.0),
        ("Chasiv Yar", "2025-01-19", "2025-05-18", 118.9),
        ("Soledar", "-", "2023-01-08", 0.0),
        ("Pokrovsk", "-", "-", 0.0),
    ];
    for ((name, c, o, days), (en, ec, eo, edays)) in summary.iter().zip(expect) {
        assert_eq!((name.as_str(), c.as_str(), o.as_str()), (en, ec, eo));
        assert!((days - edays).abs() < 0.1, "{name}: {days} days contested");
    }
    // Occupied-daily archive, autumn 2025: Pokrovsk's centre falls on 3 November.
    let autumn = data.join("deepstate/occupied-daily/deepstatemap_data_20251[01]*.geojson");
    let h = load_histories(&[autumn], &pick(&["Pokrovsk"]), &LoadOptions::default()).unwrap();
    let p = &h.places[0];
    assert_eq!(day(p.first_occupied), "2025-11-03");
    let k = h
        .dates
        .iter()
        .position(|d| d.format("%F").to_string() == "2025-11-03")
        .unwrap();
    assert!(p.statuses[..k].iter().all(Option::is_none));
    assert!(p.statuses[k..].iter().all(|s| s == &Some(Status::OCCUPIED)));
}

/// Since when, from the raw daily map of 27 October 2025 (which draws Crimea,
/// "CADR and CALR" and Tuzla as standing territories), against the historical
/// record: the cities of Crimea and of the 2014 ORDLO areas (Debaltseve, taken in
/// February 2015, lies inside them) are held since 2014; the cities taken after
/// 24 February 2022 are in the other part; Kherson (liberated in November 2022)
/// and Kramatorsk (never taken) are not occupied at all. The occupied-only file
/// of the next day draws the same ground without saying since when: unknown,
/// never 2022.
#[test]
fn real_histories_tell_2014_from_2022() {
    let Some(data) = common::shared_data("real_histories_tell_2014_from_2022") else {
        return;
    };
    let places = import::read_places(data.join("admin/ukraine_places.geojson")).unwrap();
    let since_2014 = [
        "Simferopol",
        "Sevastopol",
        "Kerch",
        "Yevpatoriya",
        "Donetsk",
        "Horlivka",
        "Luhansk",
        "Alchevsk",
    ];
    let since_2022 = [
        "Mariupol",
        "Melitopol",
        "Berdyansk",
        "Volnovakha",
        "Siverskodonetsk",
        "Lysychansk",
        "Starobilsk",
        "Enerhodar",
        "Nova Kakhovka",
        "Henichesk",
    ];
    let free = ["Kherson", "Kramatorsk"];
    let all: Vec<&str> = since_2014
        .iter()
        .chain(&since_2022)
        .chain(&free)
        .copied()
        .collect();
    // One place per name: the largest of those that share it.
    let picked: Vec<_> = all
        .iter()
        .map(|n| {
            let mut found = places.find(n).unwrap();
            found.sort_by_key(|p| std::cmp::Reverse(p.properties["population"].as_u64()));
            found[0]
        })
        .collect();
    let raw = data.join("deepstate/raw-daily/deepstatemap_data_20251027_polygons.geojson.gz");
    let occupied_only = data.join("deepstate/occupied-daily/deepstatemap_data_20251028.geojson");
    let h = load_histories(&[&raw, &occupied_only], &picked, &LoadOptions::default()).unwrap();
    assert_eq!(
        h.dates
            .iter()
            .map(|d| d.format("%F").to_string())
            .collect::<Vec<_>>(),
        ["2025-10-27", "2025-10-28"]
    );
    let known = |o| Some(OccupiedSince::Known(o));
    for (name, p) in all.iter().zip(&h.places) {
        let expected = if since_2014.contains(name) {
            known(Occupation::Since2014)
        } else if since_2022.contains(name) {
            known(Occupation::Since2022)
        } else {
            None
        };
        assert_eq!(p.occupied_since[0], expected, "{name} on 2025-10-27");
        let occupied = expected.is_some();
        assert_eq!(p.statuses[0] == Some(Status::OCCUPIED), occupied, "{name}");
        // The occupied-only file: the same places occupied, since unknown.
        assert_eq!(p.statuses[1] == Some(Status::OCCUPIED), occupied, "{name}");
        let unknown = occupied.then_some(OccupiedSince::Unknown);
        assert_eq!(p.occupied_since[1], unknown, "{name} on 2025-10-28");
        assert_eq!(p.unknown_split().count(), usize::from(occupied), "{name}");
        let first_2022 = since_2022.contains(name).then(|| h.dates[0]);
        assert_eq!(p.first_occupied_since_2022, first_2022, "{name}");
    }
}

/// The raw weekly archive, 2022-2025: every map draws the standing territories,
/// so the split is known on all 175 dates. Donetsk and Horlivka are held since
/// 2014 throughout; the towns taken later are in the part since 2022 from the
/// first date they are occupied, which falls in the month the record gives:
/// Mariupol (besieged in March, held by 20 May 2022), Sievierodonetsk (late
/// June 2022), Lysychansk (2-3 July 2022), Soledar (January 2023), Bakhmut
/// (April-May 2023), Avdiivka (17 February 2024), Vuhledar (1-2 October 2024).
#[test]
fn real_weekly_histories_date_the_2022_occupations() {
    let Some(data) = common::shared_data("real_weekly_histories_date_the_2022_occupations") else {
        return;
    };
    let places = import::read_places(data.join("admin/donetsk/places.geojson")).unwrap();
    let luhansk = import::read_places(data.join("admin/ukraine_places.geojson")).unwrap();
    let mut picked: Vec<_> = [
        "Donetsk",
        "Horlivka",
        "Mariupol",
        "Soledar",
        "Bakhmut",
        "Avdiyivka",
        "Vuhledar",
    ]
    .iter()
    .map(|n| places.find(n).unwrap()[0])
    .collect();
    for n in ["Siverskodonetsk", "Lysychansk"] {
        picked.push(luhansk.find(n).unwrap()[0]);
    }
    let h = load_histories(
        &[data.join("deepstate/raw-weekly")],
        &picked,
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(h.dates.len(), 175);
    let known = |o| Some(OccupiedSince::Known(o));
    for p in &h.places[..2] {
        assert!(
            p.occupied_since
                .iter()
                .all(|s| *s == known(Occupation::Since2014)),
            "{}: {:?}",
            p.place,
            p.occupied_since
        );
        assert_eq!(p.first_occupied_since_2022, None, "{}", p.place);
    }
    let months = [
        ("Mariupol", "2022-04", "2022-05"),
        ("Soledar", "2023-01", "2023-01"),
        ("Bakhmut", "2023-04", "2023-05"),
        ("Avdiyivka", "2024-02", "2024-02"),
        ("Vuhledar", "2024-10", "2024-10"),
        ("Siverskodonetsk", "2022-06", "2022-06"),
        ("Lysychansk", "2022-07", "2022-07"),
    ];
    for (p, (name, from, to)) in h.places[2..].iter().zip(months) {
        assert_eq!(p.place, name);
        let taken = p
            .first_occupied_since_2022
            .map(|d| d.format("%Y-%m").to_string());
        let taken = taken.unwrap_or_else(|| panic!("{name}: never occupied since 2022"));
        assert!(
            from <= taken.as_str() && taken.as_str() <= to,
            "{name}: {taken}"
        );
        assert_eq!(p.first_occupied_since_2022, p.first_occupied, "{name}");
        // Once taken, the part since 2022 on every later date (none of these was
        // retaken), and never since 2014.
        let k = h
            .dates
            .iter()
            .position(|d| Some(*d) == p.first_occupied)
            .unwrap();
        assert!(
            p.occupied_since[k..]
                .iter()
                .all(|s| *s == known(Occupation::Since2022)),
            "{name}: {:?}",
            &p.occupied_since[k..]
        );
        assert!(p.occupied_since[..k].iter().all(Option::is_none), "{name}");
    }
}

/// The command: since when in the table, CSV (unknown empty, not occupied `-`)
/// and JSON, and the notes on stderr.
#[test]
fn cli_history_tells_since_when() {
    let Some(data) = common::shared_data("cli_history_tells_since_when") else {
        return;
    };
    let raw = data.join("deepstate/raw-daily/deepstatemap_data_20251027_polygons.geojson.gz");
    let occupied_only = data.join("deepstate/occupied-daily/deepstatemap_data_20251028.geojson");
    let places = data.join("admin/donetsk/places.geojson");
    let run = |format: &str, files: &[&std::path::Path]| {
        let mut args: Vec<&str> = vec!["history"];
        args.extend(files.iter().map(|p| p.to_str().unwrap()));
        args.extend(["--places", places.to_str().unwrap()]);
        args.extend([
            "--name",
            "Donetsk",
            "--name",
            "Mariupol",
            "--name",
            "Kramatorsk",
        ]);
        args.extend(["--format", format]);
        let o = common::frontline(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    // Raw daily alone: the split is known, and no note says otherwise.
    let (table, stderr) = run("table", &[&raw]);
    assert!(!stderr.contains("is unknown"), "{stderr}");
    let row = |name: &str| -> Vec<String> {
        let line = table.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().map(str::to_string).collect()
    };
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    let col = |c: &str| header.iter().position(|h| *h == c).unwrap();
    let (latest, since, first_2022) = (
        col("latest_status"),
        col("latest_occupied_since"),
        col("first_occupied_since_2022"),
    );
    assert_eq!(row("Donetsk")[latest], "occupied");
    assert_eq!(row("Donetsk")[since], "2014");
    assert_eq!(row("Donetsk")[first_2022], "-");
    assert_eq!(row("Mariupol")[since], "2022");
    assert_eq!(row("Mariupol")[first_2022], "2025-10-27");
    assert_eq!(row("Kramatorsk")[since], "-");
    // With the occupied-only file of the next day: unknown there, and said.
    let (csv, stderr) = run("csv", &[&raw, &occupied_only]);
    assert!(
        stderr.contains("1 of 2 snapshots (2025-10-28")
            && stderr.contains("occupied_since_2022 is unknown: the file does not tell them apart"),
        "{stderr}"
    );
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "place,id,lon,lat,first_contested,first_occupied,first_occupied_since_2022,\
         days_contested,latest_status,latest_occupied_since,\
         2025-10-27,2025-10-27_occupied_since,2025-10-28,2025-10-28_occupied_since"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0][0], "Donetsk");
    assert_eq!(
        &rows[0][8..],
        ["occupied", "", "occupied", "2014", "occupied", ""]
    );
    assert_eq!(
        &rows[1][8..],
        ["occupied", "", "occupied", "2022", "occupied", ""]
    );
    assert_eq!(
        &rows[2][8..],
        ["unmarked", "-", "unmarked", "-", "unmarked", "-"]
    );
    let (json, _) = run("json", &[&raw, &occupied_only]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let p = &v["places"];
    assert_eq!(
        p[0]["occupied_since"],
        serde_json::json!(["2014", "unknown"])
    );
    assert_eq!(
        p[1]["occupied_since"],
        serde_json::json!(["2022", "unknown"])
    );
    assert_eq!(p[2]["occupied_since"], serde_json::json!([null, null]));
    assert_eq!(p[0]["first_occupied_since_2022"], serde_json::Value::Null);
    assert_eq!(p[1]["first_occupied_since_2022"], "2025-10-27T00:00:00Z");
}
