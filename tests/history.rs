//! Place histories on the bundled samples and on the real archives.

mod common;

use chrono::{DateTime, Utc};
use frontline::timeline::{LoadOptions, load_histories};
use frontline::{Status, import};

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
    assert!((dunmere.days_contested - 61.0).abs() < 0.01);
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
                p.days_contested,
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
