//! Snapshots: the zones of one dated map, resolved into disjoint layers.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use geo::{Coord, LineString, MultiPolygon, Polygon, Rect};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::ShapeType;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};
use i_overlay::i_float::adapter::FloatPointAdapter;

use crate::measure::clip::clip_to;
use crate::measure::overlay::solver_for;
use crate::recent::{Key, Recent, same_rings};

use super::SnapGrid;
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
    /// Each zone polygon's box with its vertex count, by zone, found once for
    /// the choices between whole and cut layers.
    boxes: OnceLock<Vec<ZoneBoxes>>,
}

/// A zone's polygons' boxes, each with its polygon's vertex count.
type ZoneBoxes = Vec<(Rect<f64>, usize)>;

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
            boxes: OnceLock::new(),
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

    /// Whether the layers are resolved already: read from a store (which keeps
    /// them), or asked for before.
    ///
    /// ```
    /// let snap = frontline::import::read_zones("data/snapshots/deepstate_20250601.geojson", None)?.snapshot;
    /// assert!(!snap.is_resolved());
    /// snap.layers();
    /// assert!(snap.is_resolved());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn is_resolved(&self) -> bool {
        self.layers.get().is_some()
    }

    /// The same snapshot with its layers (and, when it splits occupation, the
    /// occupied layer's parts since 2014 and since 2022) resolved beforehand, as
    /// a store keeps them; `None` when they cannot be its layers: a status no
    /// zone has, out of precedence order, twice, or parts where the zones do not
    /// split occupation.
    pub(crate) fn with_resolved(
        self,
        layers: Vec<Layer>,
        parts: [Option<Layer>; 2],
    ) -> Option<Snapshot> {
        let drawn = self.drawn_statuses();
        let statuses: Vec<&Status> = layers.iter().map(Layer::status).collect();
        let ordered = statuses.windows(2).all(|w| {
            self.precedence.rank(w[0]) < self.precedence.rank(w[1])
                || (self.precedence.rank(w[0]) == self.precedence.rank(w[1]) && w[0] < w[1])
        });
        let known = statuses.iter().all(|s| drawn.contains(s));
        let split = self.splits_occupation();
        if !(ordered && known && (split || parts.iter().all(Option::is_none))) {
            return None;
        }
        let _ = self.layers.set(layers);
        if split {
            let [older, newer] = parts;
            let _ = self.occupied_parts[0].set(older);
            let _ = self.occupied_parts[1].set(newer);
        }
        Some(self)
    }

    /// Whether measures of regions within `rect` use the layers of the whole
    /// map (of the zones that reach `rect`, [`Snapshot::meeting`]) rather than
    /// those of the map cut to `rect` ([`Snapshot::clipped`]): when the polygons
    /// that `rect` would cut have no more vertices than those wholly inside it,
    /// cutting saves little work, and layers resolved whole (a store keeps them)
    /// serve as they are. Only zones that reach `rect` count, so the choice is
    /// the same for a snapshot read with the zones far from `rect` left out
    /// ([`crate::import::read_zones_in`]) and for the whole one a store gives.
    pub(crate) fn measured_whole(&self, rect: Rect<f64>) -> bool {
        let (mut inside, mut cut) = (0usize, 0usize);
        for (b, n) in self.boxes().iter().flatten() {
            if within(b, &rect) {
                inside += n;
            } else if meets(b, &rect) {
                cut += n;
            }
        }
        cut <= inside
    }

    /// The same map with only the zones whose box meets `rect` (as
    /// [`crate::import::read_zones_in`] keeps them); resolved anew.
    pub(crate) fn meeting(&self, rect: Rect<f64>) -> Snapshot {
        let zones = self
            .zones
            .iter()
            .zip(self.boxes())
            .filter(|(_, boxes)| zone_meets(boxes, &rect))
            .map(|(z, _)| z.clone())
            .collect();
        Snapshot::with_precedence(self.date, zones, &self.precedence)
            .with_markers(self.markers.clone())
    }

    /// Whether the zones whose box misses `rect` are apart from the rest: no
    /// polygon of theirs has a box that meets one of the others'. Then each is in
    /// groups of its own when the layers are resolved, and the layers resolved
    /// with them are, near `rect`, exactly those of [`Snapshot::meeting`].
    pub(crate) fn far_zones_stand_alone(&self, rect: Rect<f64>) -> bool {
        let boxes = |near: bool| -> Vec<Rect<f64>> {
            self.boxes()
                .iter()
                .filter(|boxes| zone_meets(boxes, &rect) == near)
                .flatten()
                .map(|(b, _)| *b)
                .collect()
        };
        let far = boxes(false);
        if far.is_empty() {
            return true;
        }
        let near = boxes(true);
        far.iter().all(|f| near.iter().all(|n| !meets(f, n)))
    }

    /// Each zone polygon's box and vertex count, by zone (polygons without
    /// coordinates left out).
    fn boxes(&self) -> &[ZoneBoxes] {
        self.boxes.get_or_init(|| {
            self.zones
                .iter()
                .map(|z| {
                    z.geometry
                        .0
                        .iter()
                        .filter_map(|p| {
                            let n = p.exterior().0.len()
                                + p.interiors().iter().map(|r| r.0.len()).sum::<usize>();
                            Some((geo::BoundingRect::bounding_rect(p)?, n))
                        })
                        .collect()
                })
                .collect()
        })
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
            let own: Vec<&Polygon<f64>> = self
                .zones
                .iter()
                .filter(|z| {
                    z.status == Status::OCCUPIED && z.occupation == Some(Occupation::Since2014)
                })
                .flat_map(|z| &z.geometry.0)
                .collect();
            if own.is_empty() {
                return None;
            }
            // The part of the occupied layer the older zones cover: the layer
            // already lacks the ground of stronger statuses.
            let clip: Vec<&Polygon<f64>> = occupied.geometry().0.iter().collect();
            let part = overlay(
                Status::OCCUPIED_SINCE_2014,
                &own,
                &clip,
                OverlayRule::Intersect,
            );
            (!part.geometry().0.is_empty()).then_some(part)
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
                    let part = overlay(
                        Status::OCCUPIED_SINCE_2022,
                        &occupied.geometry().0.iter().collect::<Vec<_>>(),
                        &older.geometry().0.iter().collect::<Vec<_>>(),
                        OverlayRule::Difference,
                    );
                    (!part.geometry().0.is_empty()).then_some(part)
                })
                .as_ref(),
        }
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
    let polygons = |status: &Status| -> Vec<&Polygon<f64>> {
        zones
            .iter()
            .filter(|z| &z.status == status)
            .flat_map(|z| &z.geometry.0)
            .collect()
    };
    let mut stronger: Vec<&Polygon<f64>> = Vec::new();
    let mut layers = Vec::with_capacity(statuses.len());
    for status in &statuses {
        let own = polygons(status);
        // One operation per status: the union of its zones less the union of the
        // stronger statuses' zones. Zones arrive valid and oriented (exteriors
        // counter-clockwise, holes clockwise), so non-zero winding is the union.
        layers.push(overlay(
            status.clone(),
            &own,
            &stronger,
            OverlayRule::Difference,
        ));
        stronger.extend(own);
    }
    layers
}

/// One boolean overlay (non-zero winding) of `subject` and `clip` (`Difference`
/// or `Intersect`), as a layer of `status`.
///
/// The polygons are first split into groups whose boxes do not meet (the main
/// front, an island, a territory abroad), and each group is overlaid on its
/// own: a group's result depends on nothing outside it, and i_overlay snaps
/// vertices to a grid of its input's extent (2^-29 of its half-width), so a map
/// that also draws islands in the Pacific would otherwise snap the whole front
/// to a grid of 1.2e-7 degree (about 9 mm) instead of about 2 mm, or finer for
/// small groups. Each group's grid is kept with its polygons ([`Layer::grids`]):
/// the store keeps them as whole numbers of it.
fn overlay(
    status: Status,
    subject: &[&Polygon<f64>],
    clip: &[&Polygon<f64>],
    rule: OverlayRule,
) -> Layer {
    let all: Vec<(bool, &Polygon<f64>)> = subject
        .iter()
        .map(|p| (true, *p))
        .chain(clip.iter().map(|p| (false, *p)))
        .collect();
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    let mut runs: Vec<(SnapGrid, usize)> = Vec::new();
    for group in groups(&all) {
        let rings = |want: bool| {
            rings_of(
                group
                    .iter()
                    .filter(|&&i| all[i].0 == want)
                    .map(|&i| all[i].1),
            )
        };
        let (own, other) = (rings(true), rings(false));
        if own.is_empty() || (other.is_empty() && rule == OverlayRule::Intersect) {
            continue;
        }
        let (grid, found) = overlay_group(own, other, rule);
        if !found.is_empty() {
            runs.push((grid, found.len()));
            polygons.extend(found);
        }
    }
    Layer::new(status, MultiPolygon(polygons)).snapped_to(runs)
}

/// One group's overlay (`own` the subject, `other` the clip): the grid its
/// vertices are snapped to and the polygons found, from [`OVERLAYS`] when the
/// same group, to the bit, was overlaid lately on this thread.
fn overlay_group(
    own: Vec<Vec<[f64; 2]>>,
    other: Vec<Vec<[f64; 2]>>,
    rule: OverlayRule,
) -> GroupOutput {
    fn numbers(ring: &[[f64; 2]]) -> impl Iterator<Item = f64> + '_ {
        ring.iter().flatten().copied()
    }
    let mut key = Key::new();
    for (side, rings) in [(0, &own), (1, &other)] {
        key.tag(side);
        for ring in rings {
            key.ring(ring.len(), numbers(ring));
        }
    }
    let key = key.finish();
    let same = |input: &GroupInput| {
        let rings = |a: &[Vec<[f64; 2]>], b: &[Vec<[f64; 2]>]| {
            same_rings(a.iter().map(|r| numbers(r)), b.iter().map(|r| numbers(r)))
        };
        input.0 == rule && rings(&input.1, &own) && rings(&input.2, &other)
    };
    if let Some(met) = OVERLAYS.with_borrow_mut(|o| o.find(key, same)) {
        return met;
    }
    let adapter = FloatPointAdapter::with_iter(own.iter().chain(&other).flatten());
    let grid = SnapGrid {
        offset: adapter.offset,
        step: adapter.inv_scale,
    };
    let capacity = own.iter().chain(&other).map(Vec::len).sum();
    let mut overlay = FloatOverlay::new_custom(
        adapter,
        OverlayOptions::ogc(),
        solver_for(capacity),
        capacity,
    )
    .unsafe_add_source(&own, ShapeType::Subject);
    let shapes = if other.is_empty() {
        overlay.overlay(OverlayRule::Subject, FillRule::NonZero)
    } else {
        overlay = overlay.unsafe_add_source(&other, ShapeType::Clip);
        overlay.overlay(rule, FillRule::NonZero)
    };
    let found = multi_polygon(shapes).0;
    let found_points: usize = found
        .iter()
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
        .sum();
    let points = capacity + found_points;
    // Only what a generation can hold is copied to be kept.
    OVERLAYS.with_borrow_mut(|o| {
        if o.fits(points) {
            o.keep(key, (rule, own, other), (grid, found.clone()), points);
        }
    });
    (grid, found)
}

/// An overlay's input: its rule, its subject's rings and its clip's.
type GroupInput = (OverlayRule, Vec<Vec<[f64; 2]>>, Vec<Vec<[f64; 2]>>);

/// An overlay's result: the grid its vertices are snapped to, and its polygons.
type GroupOutput = (SnapGrid, Vec<Polygon<f64>>);

/// Vertices (input and output) a generation of [`OVERLAYS`] holds at most.
const OVERLAY_POINTS: usize = 1 << 17;

thread_local! {
    /// Group overlays met lately on this thread ([`Recent`]): most groups away
    /// from the front (islands, ground abroad or held since 2014) come back
    /// unchanged the next day, 83 % of the raw daily archive's overlays (28 %
    /// of their vertices). An overlay's result depends on its input alone.
    static OVERLAYS: std::cell::RefCell<Recent<GroupInput, GroupOutput>> =
        const { std::cell::RefCell::new(Recent::new(OVERLAY_POINTS)) };
}

/// The polygons of `all` in groups whose boxes meet, transitively (indices into
/// `all`, in order; the groups in order of their first polygon).
fn groups(all: &[(bool, &Polygon<f64>)]) -> Vec<Vec<usize>> {
    use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};
    let boxes: Vec<Option<Rect<f64>>> = all
        .iter()
        .map(|(_, p)| geo::BoundingRect::bounding_rect(*p))
        .collect();
    let tree = RTree::bulk_load(
        boxes
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let b = (*b)?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]),
                    i,
                ))
            })
            .collect(),
    );
    // Union-find by the boxes' overlaps (touching counts: shared edges).
    let mut parent: Vec<usize> = (0..all.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, b) in boxes.iter().enumerate() {
        let Some(b) = b else { continue };
        let query = AABB::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]);
        for other in tree.locate_in_envelope_intersecting(&query) {
            let (a, c) = (root(&mut parent, i), root(&mut parent, other.data));
            if a != c {
                parent[a.max(c)] = a.min(c);
            }
        }
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut slot: Vec<Option<usize>> = vec![None; all.len()];
    for i in 0..all.len() {
        let r = root(&mut parent, i);
        let k = *slot[r].get_or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[k].push(i);
    }
    out
}

/// The rings of polygons as i_overlay takes them.
fn rings_of<'p>(polygons: impl IntoIterator<Item = &'p Polygon<f64>>) -> Vec<Vec<[f64; 2]>> {
    polygons
        .into_iter()
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

/// Whether two boxes meet (touching counts).
fn meets(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

/// Whether box `a` lies within box `b`.
fn within(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    b.min().x <= a.min().x
        && a.max().x <= b.max().x
        && b.min().y <= a.min().y
        && a.max().y <= b.max().y
}

/// Whether a zone's box (of its polygons' `boxes`) meets `rect`.
fn zone_meets(boxes: &[(Rect<f64>, usize)], rect: &Rect<f64>) -> bool {
    boxes
        .iter()
        .map(|(b, _)| *b)
        .reduce(|a, b| crate::measure::clip::rect_union(&a, &b))
        .is_some_and(|b| meets(&b, rect))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x0: f64, y0: f64, s: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x0 + s, y: y0), (x: x0 + s, y: y0 + s), (x: x0, y: y0 + s)]])
    }

    /// Occupied ground with a grey zone over its edge, and an island apart.
    fn zones(edge: f64) -> Vec<Zone> {
        vec![
            Zone::new(Status::OCCUPIED, square(37.0, 48.0, 1.0)),
            Zone::new(Status::CONTESTED, square(edge, 48.2, 0.3)),
            Zone::new(Status::OCCUPIED, square(33.0, 44.5, 0.2)),
        ]
    }

    /// The layers, bit for bit.
    fn layers(zones: Vec<Zone>) -> String {
        format!("{:?}", Snapshot::new(None, zones).layers())
    }

    /// On a thread that has overlaid nothing yet: what the overlay gives.
    fn fresh(zones: Vec<Zone>) -> String {
        std::thread::spawn(move || layers(zones)).join().unwrap()
    }

    /// Groups met again are reused, to the bit; a group that changed by the
    /// least a coordinate can is overlaid again, and the others still reused.
    #[test]
    fn overlays_met_again_are_the_overlays_of_their_input() {
        std::thread::spawn(|| {
            let first = layers(zones(37.9));
            let met = OVERLAYS.with_borrow(|o| o.kept());
            assert!(met > 0, "{met} vertices kept");
            assert_eq!(layers(zones(37.9)), first);
            assert_eq!(first, fresh(zones(37.9)));
            let moved = 37.9f64.next_up();
            let again = layers(zones(moved));
            assert_ne!(again, first);
            assert_eq!(again, fresh(zones(moved)));
        })
        .join()
        .unwrap();
    }

    /// However many overlays a thread meets, it keeps two generations of
    /// bounded size.
    #[test]
    fn overlays_kept_are_bounded() {
        std::thread::spawn(|| {
            // Circles of 400 vertices, each a little east of the last.
            for k in 0..1_000 {
                let ring: Vec<Coord<f64>> = (0..400)
                    .map(|i| {
                        let t = i as f64 / 400.0 * std::f64::consts::TAU;
                        Coord {
                            x: 30.0 + k as f64 * 1e-3 + 0.5 * t.cos(),
                            y: 48.0 + 0.5 * t.sin(),
                        }
                    })
                    .collect();
                let circle = MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]);
                let _ = layers(vec![Zone::new(Status::OCCUPIED, circle)]);
            }
            OVERLAYS.with_borrow(|o| {
                let held = o.kept();
                assert!(held <= 2 * OVERLAY_POINTS, "{held}");
                // 1,000 circles of 800 vertices (input and output) filled
                // more than one generation.
                assert!(held > OVERLAY_POINTS, "{held}");
            });
        })
        .join()
        .unwrap();
    }
}
