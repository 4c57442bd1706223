//! Snapshots: the zones of one dated map, resolved into disjoint layers.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use geo::{Coord, LineString, MultiPolygon, Polygon, Rect};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};

use crate::measure::clip::clip_to;

use super::{Layer, Marker, Occupation, Precedence, Status, Zone};

/// The zones of one dated map, with their ground resolved per status.
///
/// The polygons of each status are unioned, then overlaps between statuses are
/// settled by a [`Precedence`] (by default occupied over contested over liberated
/// over other): each square metre belongs to one layer at most, so no km² is
/// counted twice. That work is done once, on the first call that needs the layers;
/// work on one area of a country-wide map can skip most of it with
/// [`Snapshot::clipped`].
///
/// ```
/// use frontline::{Snapshot, Status, Zone};
/// use geo::{polygon, MultiPolygon};
/// let square = |x0: f64| MultiPolygon(vec![polygon![
///     (x: x0, y: 48.0), (x: x0 + 1.0, y: 48.0), (x: x0 + 1.0, y: 49.0), (x: x0, y: 49.0)]]);
/// // A grey zone drawn half over occupied ground.
/// let snap = Snapshot::new(None, vec![
///     Zone::new(Status::OCCUPIED, square(37.0)),
///     Zone::new(Status::CONTESTED, square(37.5)),
/// ]);
/// let occupied = snap.layer(&Status::OCCUPIED).unwrap().area_km2();
/// let contested = snap.layer(&Status::CONTESTED).unwrap().area_km2();
/// // Half the square, give or take the bulge of geodesic edges.
/// assert!((contested / occupied - 0.5).abs() < 0.001);
/// ```
#[derive(Clone, Debug)]
pub struct Snapshot {
    date: Option<DateTime<Utc>>,
    zones: Vec<Zone>,
    markers: Vec<Marker>,
    precedence: Precedence,
    layers: OnceLock<Vec<Layer>>,
    /// The occupied layer's parts since 2014 and since 2022, when the zones tell.
    occupied_parts: [OnceLock<Option<Layer>>; 2],
}

impl Snapshot {
    /// A snapshot with the default precedence.
    pub fn new(date: Option<DateTime<Utc>>, zones: Vec<Zone>) -> Snapshot {
        Snapshot::with_precedence(date, zones, &Precedence::default())
    }

    /// A snapshot whose overlaps are settled by `precedence`.
    pub fn with_precedence(
        date: Option<DateTime<Utc>>,
        zones: Vec<Zone>,
        precedence: &Precedence,
    ) -> Snapshot {
        Snapshot {
            date,
            zones,
            markers: Vec::new(),
            precedence: precedence.clone(),
            layers: OnceLock::new(),
            occupied_parts: Default::default(),
        }
    }

    /// The same map cut down to `rect`: zones clipped to it, markers outside it
    /// dropped. Shares of regions inside `rect` are the same as in the whole map,
    /// but resolving the layers only walks the edges near it.
    ///
    /// ```
    /// use frontline::{import, measure::Region};
    /// use geo::BoundingRect;
    /// let snapshot = import::read_zones("data/snapshots/deepstate_20250801.geojson", None)?.snapshot;
    /// let places = import::read_places("data/city.geojson")?;
    /// let city = Region::from_place(places.find("Demo City")?[0])?;
    /// let near = snapshot.clipped(city.area().bounding_rect().unwrap());
    /// let (a, b) = (snapshot.share_in(&city)?, near.share_in(&city)?);
    /// assert!((a.km2(&frontline::Status::OCCUPIED) - b.km2(&frontline::Status::OCCUPIED)).abs() < 1e-6);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn clipped(&self, rect: Rect<f64>) -> Snapshot {
        let zones = self
            .zones
            .iter()
            .filter_map(|z| {
                let parts: Vec<Polygon<f64>> = z
                    .geometry
                    .0
                    .iter()
                    .filter_map(|p| clip_to(p, &rect).map(|c| c.into_owned()))
                    .collect();
                (!parts.is_empty()).then(|| Zone {
                    geometry: MultiPolygon(parts),
                    ..z.clone()
                })
            })
            .collect();
        let markers = self
            .markers
            .iter()
            .filter(|m| rect.min().x <= m.point.x() && m.point.x() <= rect.max().x)
            .filter(|m| rect.min().y <= m.point.y() && m.point.y() <= rect.max().y)
            .cloned()
            .collect();
        Snapshot::with_precedence(self.date, zones, &self.precedence).with_markers(markers)
    }

    /// The same snapshot with point markers (units, directions) attached.
    pub fn with_markers(mut self, markers: Vec<Marker>) -> Snapshot {
        self.markers = markers;
        self
    }

    /// When the map was published, when known.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        self.date
    }

    /// The zones as drawn (overlapping, unresolved).
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// The point markers.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// The precedence that resolved the layers.
    pub fn precedence(&self) -> &Precedence {
        &self.precedence
    }

    /// The resolved layers, strongest status first; statuses with no zone have none.
    pub fn layers(&self) -> &[Layer] {
        self.layers
            .get_or_init(|| resolve(&self.zones, &self.precedence))
    }

    /// The layer of one status.
    pub fn layer(&self, status: &Status) -> Option<&Layer> {
        self.layers().iter().find(|l| l.status() == status)
    }

    /// Whether the occupied ground divides into [`Occupation`]s: every occupied
    /// zone says since when it is held (DeepState raw snapshots that draw the
    /// standing territories, or a generic file mapped to `occupied_since_2014` and
    /// `occupied_since_2022`). Occupied-only archives and early 2022 maps without
    /// standing territories cannot tell.
    ///
    /// ```
    /// use frontline::{Occupation, Snapshot, Status, Zone};
    /// use geo::{polygon, MultiPolygon};
    /// let square = |x0: f64| MultiPolygon(vec![polygon![
    ///     (x: x0, y: 48.0), (x: x0 + 1.0, y: 48.0), (x: x0 + 1.0, y: 49.0), (x: x0, y: 49.0)]]);
    /// let plain = Snapshot::new(None, vec![Zone::new(Status::OCCUPIED, square(37.0))]);
    /// assert!(!plain.splits_occupation());
    /// let split = Snapshot::new(None, vec![
    ///     Zone::new(Status::OCCUPIED, square(37.0)).occupied_since(Occupation::Since2014),
    ///     Zone::new(Status::OCCUPIED, square(37.5)).occupied_since(Occupation::Since2022),
    /// ]);
    /// assert!(split.splits_occupation());
    /// // The older occupation wins where they overlap: the parts are disjoint, and
    /// // measured in a region they sum to occupied.
    /// let older = split.occupied_part(Occupation::Since2014).unwrap().geometry();
    /// assert_eq!(geo::BoundingRect::bounding_rect(older), geo::BoundingRect::bounding_rect(&square(37.0)));
    /// let share = split.share_of("Demo", &square(37.0))?;
    /// let parts = share.occupied_split.unwrap();
    /// assert!((parts.since_2014.km2 + parts.since_2022.km2 - share.km2(&Status::OCCUPIED)).abs() < 1e-9);
    /// assert!(parts.since_2022.km2 < 1e-6);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn splits_occupation(&self) -> bool {
        self.zones
            .iter()
            .filter(|z| z.status == Status::OCCUPIED)
            .all(|z| z.occupation.is_some())
    }

    /// The part of the occupied layer held since `occupation`; `None` when it has
    /// no ground, or when the snapshot cannot tell ([`Snapshot::splits_occupation`]).
    /// Since 2014 wins over since 2022 where zones of both overlap, so the two
    /// parts are disjoint and make up the occupied layer.
    pub fn occupied_part(&self, occupation: Occupation) -> Option<&Layer> {
        if !self.splits_occupation() {
            return None;
        }
        let older = || {
            let occupied = self.layer(&Status::OCCUPIED)?;
            let own = self.zone_rings(|z| {
                z.status == Status::OCCUPIED && z.occupation == Some(Occupation::Since2014)
            });
            if own.is_empty() {
                return None;
            }
            // The part of the occupied layer the older zones cover: the layer
            // already lacks the ground of stronger statuses.
            let clip = rings_of(&occupied.geometry().0);
            let shapes = FloatOverlay::with_subj_and_clip_custom(
                &own,
                &clip,
                OverlayOptions::ogc(),
                Default::default(),
            )
            .overlay(OverlayRule::Intersect, FillRule::NonZero);
            let part = multi_polygon(shapes);
            (!part.0.is_empty()).then(|| Layer::new(Status::OCCUPIED_SINCE_2014, part))
        };
        match occupation {
            Occupation::Since2014 => self.occupied_parts[0].get_or_init(older).as_ref(),
            Occupation::Since2022 => self.occupied_parts[1]
                .get_or_init(|| {
                    let occupied = self.layer(&Status::OCCUPIED)?;
                    let Some(older) = self.occupied_part(Occupation::Since2014) else {
                        return Some(Layer::new(
                            Status::OCCUPIED_SINCE_2022,
                            occupied.geometry().clone(),
                        ));
                    };
                    let shapes = FloatOverlay::with_subj_and_clip_custom(
                        &rings_of(&occupied.geometry().0),
                        &rings_of(&older.geometry().0),
                        OverlayOptions::ogc(),
                        Default::default(),
                    )
                    .overlay(OverlayRule::Difference, FillRule::NonZero);
                    let part = multi_polygon(shapes);
                    (!part.0.is_empty()).then(|| Layer::new(Status::OCCUPIED_SINCE_2022, part))
                })
                .as_ref(),
        }
    }

    fn zone_rings(&self, keep: impl Fn(&Zone) -> bool) -> Vec<Vec<[f64; 2]>> {
        rings_of(
            &self
                .zones
                .iter()
                .filter(|z| keep(z))
                .flat_map(|z| z.geometry.0.iter().cloned())
                .collect::<Vec<_>>(),
        )
    }

    /// The status a user's `name` stands for: one of the four known ones
    /// ([`Precedence::default`]) or one this snapshot draws. Any other name is an
    /// error listing both, since statuses are data and a misspelt one
    /// (`occupyed`) would otherwise measure nothing, silently.
    ///
    /// ```
    /// use frontline::{Snapshot, Status, Zone};
    /// use geo::polygon;
    /// let square = geo::MultiPolygon(vec![polygon![
    ///     (x: 37.0, y: 48.0), (x: 38.0, y: 48.0), (x: 38.0, y: 49.0), (x: 37.0, y: 49.0)]]);
    /// let snap = Snapshot::new(None, vec![Zone::new(Status::new("disputed"), square)]);
    /// assert_eq!(snap.status_named("Occupied")?, Status::OCCUPIED);
    /// assert_eq!(snap.status_named("disputed")?, Status::new("disputed"));
    /// let err = snap.status_named("occupyed").unwrap_err().to_string();
    /// assert!(err.contains("occupied, contested, liberated, other"), "{err}");
    /// assert!(err.contains("the file has disputed"), "{err}");
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error listing the known statuses and the file's when `name` is neither.
    pub fn status_named(&self, name: &str) -> crate::Result<Status> {
        let status: Status = name.parse()?;
        let known = Precedence::default();
        let drawn = self.drawn_statuses();
        if known.statuses().contains(&status) || drawn.contains(&status) {
            return Ok(status);
        }
        let list = |v: &[Status]| v.iter().map(Status::as_str).collect::<Vec<_>>().join(", ");
        Err(crate::Error::Invalid(format!(
            "unknown status {name:?}: the known statuses are {}; the file has {}",
            list(known.statuses()),
            if drawn.is_empty() {
                "none".to_string()
            } else {
                list(&drawn)
            }
        )))
    }

    /// The statuses that at least one zone has, strongest first: what the file
    /// draws (an occupied-only file draws only `occupied`), whereas
    /// [`Snapshot::statuses`] lists the precedence's too.
    ///
    /// ```
    /// use frontline::{Snapshot, Status, Zone};
    /// use geo::polygon;
    /// let square = geo::MultiPolygon(vec![polygon![
    ///     (x: 37.0, y: 48.0), (x: 38.0, y: 48.0), (x: 38.0, y: 49.0), (x: 37.0, y: 49.0)]]);
    /// let snap = Snapshot::new(None, vec![Zone::new(Status::OCCUPIED, square)]);
    /// assert_eq!(snap.drawn_statuses(), [Status::OCCUPIED]);
    /// assert!(snap.statuses().contains(&Status::LIBERATED));
    /// ```
    pub fn drawn_statuses(&self) -> Vec<Status> {
        let mut drawn: Vec<Status> = Vec::new();
        for z in &self.zones {
            if !drawn.contains(&z.status) {
                drawn.push(z.status.clone());
            }
        }
        self.precedence.sort(&mut drawn);
        drawn
    }

    /// Every status measures should list: the precedence's and any other present,
    /// strongest first.
    pub fn statuses(&self) -> Vec<Status> {
        let mut all: Vec<Status> = self.precedence.statuses().to_vec();
        for layer in self.layers() {
            if !all.contains(layer.status()) {
                all.push(layer.status().clone());
            }
        }
        self.precedence.sort(&mut all);
        all
    }
}

/// Unions each status's polygons, then removes from each the ground of the
/// statuses above it.
fn resolve(zones: &[Zone], precedence: &Precedence) -> Vec<Layer> {
    let mut statuses: Vec<Status> = Vec::new();
    for z in zones {
        if !statuses.contains(&z.status) {
            statuses.push(z.status.clone());
        }
    }
    precedence.sort(&mut statuses);
    let rings = |status: &Status| -> Vec<Vec<[f64; 2]>> {
        zones
            .iter()
            .filter(|z| &z.status == status)
            .flat_map(|z| &z.geometry.0)
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| r.0.iter().map(|c| [c.x, c.y]).collect())
            .collect()
    };
    let mut stronger: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut layers = Vec::with_capacity(statuses.len());
    for status in &statuses {
        let own = rings(status);
        // One operation per status: the union of its zones less the union of the
        // stronger statuses' zones. Zones arrive valid and oriented (exteriors
        // counter-clockwise, holes clockwise), so non-zero winding is the union.
        let shapes = if stronger.is_empty() {
            FloatOverlay::with_subj_custom(&own, OverlayOptions::ogc(), Default::default())
                .overlay(OverlayRule::Subject, FillRule::NonZero)
        } else {
            FloatOverlay::with_subj_and_clip_custom(
                &own,
                &stronger,
                OverlayOptions::ogc(),
                Default::default(),
            )
            .overlay(OverlayRule::Difference, FillRule::NonZero)
        };
        stronger.extend(own);
        layers.push(Layer::new(status.clone(), multi_polygon(shapes)));
    }
    layers
}

/// The rings of polygons as i_overlay takes them.
fn rings_of(polygons: &[Polygon<f64>]) -> Vec<Vec<[f64; 2]>> {
    polygons
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| r.0.iter().map(|c| [c.x, c.y]).collect())
        .collect()
}

/// i_overlay's shapes (outer contour first, then holes) as a MultiPolygon.
fn multi_polygon(shapes: Vec<Vec<Vec<[f64; 2]>>>) -> MultiPolygon<f64> {
    let ring = |contour: Vec<[f64; 2]>| {
        let mut line: LineString<f64> = contour.into_iter().map(|[x, y]| Coord { x, y }).collect();
        line.close();
        line
    };
    MultiPolygon(
        shapes
            .into_iter()
            .filter_map(|shape| {
                let mut contours = shape.into_iter();
                let exterior = ring(contours.next()?);
                Some(Polygon::new(exterior, contours.map(ring).collect()))
            })
            .collect(),
    )
}
