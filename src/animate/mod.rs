//! Animations of a timeline: one map per snapshot (or per day or week), drawn by
//! the SVG writer ([`crate::export::svg_map`]) so that a frame looks
//! like an exported map, rasterised with resvg ([`raster`]) and encoded as an
//! animated GIF ([`gif`], pure Rust, one palette built from the status colours
//! for every frame), an animated WebP ([`webp`], pure Rust, lossless) or an MP4
//! ([`video`], through an installed `ffmpeg`).
//!
//! Frames are rendered in parallel, a batch at a time, so that memory stays
//! bounded; the output is written atomically.
//!
//! ```no_run
//! use frontline::animate::{AnimateOptions, Animation, Every};
//! use frontline::export::Aoi;
//! use frontline::timeline::{LoadOptions, Timeline};
//! let oblast = frontline::import::read_places("donetsk/oblast.geojson")?.union().unwrap();
//! let aoi = Aoi::new("Donetsk oblast", oblast);
//! let options = AnimateOptions::new(aoi).every(Every::Week);
//! let animation = Animation::load(&["raw-weekly"], &LoadOptions::default(), &options)?;
//! animation.write("donetsk.gif", None)?;
//! # Ok::<(), frontline::Error>(())
//! ```

pub mod gif;
pub mod palette;
pub mod raster;
pub mod video;
pub mod webp;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use geo::{BoundingRect, Rect};
use rayon::prelude::*;

use crate::export::{
    Aoi, Credits, Export, ExportOptions, Inset, Labels, Style, SvgOptions, svg_map,
};
use crate::proximity::{Front, FrontOptions};
use crate::timeline::{Issue, LoadOptions, Timeline};
use crate::{Error, Places, Result};

pub use raster::{Frame, Rasterizer};

/// How often a frame is drawn.
///
/// ```
/// use frontline::animate::Every;
/// assert_eq!("week".parse::<Every>()?, Every::Week);
/// assert!("month".parse::<Every>().is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// One frame per snapshot, dated by it.
    Snapshot,
    /// One frame per day from the first snapshot's to the last's: the latest
    /// snapshot at or before the day's end.
    Day,
    /// One frame per ISO week (Monday to Sunday): the latest snapshot at or before
    /// the week's end.
    Week,
}

impl std::str::FromStr for Every {
    type Err = Error;
    fn from_str(s: &str) -> Result<Every> {
        match s {
            "snapshot" => Ok(Every::Snapshot),
            "day" => Ok(Every::Day),
            "week" => Ok(Every::Week),
            _ => Err(Error::Invalid(format!(
                "--every {s:?}: expected snapshot, day or week"
            ))),
        }
    }
}

/// One frame to draw: which snapshot (index into the timeline) and its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFrame {
    /// The snapshot shown.
    pub entry: usize,
    /// The date label drawn on the frame.
    pub label: String,
}

/// `3 Aug 2025`.
fn day_label(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// The frames for snapshots of these dates (sorted, as in a timeline).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use frontline::animate::{plan_frames, Every};
/// let dates = [
///     Utc.with_ymd_and_hms(2025, 8, 1, 18, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2025, 8, 4, 18, 0, 0).unwrap(),
/// ];
/// assert_eq!(plan_frames(&dates, Every::Snapshot).len(), 2);
/// let days = plan_frames(&dates, Every::Day);
/// assert_eq!(days.len(), 4); // 1 to 4 August
/// assert_eq!((days[2].entry, days[2].label.as_str()), (0, "3 Aug 2025"));
/// // 1 Aug is a Friday: the week of 28 July, then that of 4 August.
/// let weeks = plan_frames(&dates, Every::Week);
/// assert_eq!(weeks.len(), 2);
/// assert_eq!(weeks[0].label, "week of 28 Jul 2025");
/// ```
pub fn plan_frames(dates: &[DateTime<Utc>], every: Every) -> Vec<PlannedFrame> {
    let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
        return Vec::new();
    };
    // The latest snapshot at or before the end of `day`.
    let latest_by = |day: NaiveDate| -> Option<usize> {
        let end = day.succ_opt()?.and_hms_opt(0, 0, 0)?.and_utc();
        dates.iter().rposition(|d| *d < end)
    };
    let mut frames = Vec::new();
    match every {
        Every::Snapshot => {
            for (i, d) in dates.iter().enumerate() {
                frames.push(PlannedFrame {
                    entry: i,
                    label: day_label(d.date_naive()),
                });
            }
        }
        Every::Day => {
            let mut day = first.date_naive();
            while day <= last.date_naive() {
                if let Some(entry) = latest_by(day) {
                    frames.push(PlannedFrame {
                        entry,
                        label: day_label(day),
                    });
                }
                day += Duration::days(1);
            }
        }
        Every::Week => {
            let monday =
                |d: NaiveDate| d - Duration::days(d.weekday().num_days_from_monday() as i64);
            let mut week = monday(first.date_naive());
            while week <= last.date_naive() {
                if let Some(entry) = latest_by(week + Duration::days(6)) {
                    frames.push(PlannedFrame {
                        entry,
                        label: format!("week of {}", day_label(week)),
                    });
                }
                week += Duration::days(7);
            }
        }
    }
    frames
}

/// Called with the number of frames done so far.
pub type Progress = Arc<dyn Fn(usize) + Send + Sync>;

/// What an animation shows and how.
#[derive(Clone)]
pub struct AnimateOptions {
    /// The area shown (every frame shows its box).
    pub aoi: Aoi,
    /// Frame size in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// How often a frame is drawn.
    pub every: Every,
    /// How long each frame shows, ms.
    pub delay_ms: u32,
    /// How long the last frame shows, ms.
    pub hold_last_ms: u32,
    /// Title at the top left.
    pub title: String,
    /// Draw each snapshot's front line.
    pub front: bool,
    /// Draw these places, coloured by their status on each frame's date.
    pub places: Option<Places>,
    /// Which places get labels.
    pub labels: Labels,
    /// Colours per status.
    pub style: Style,
    /// A locator inset.
    pub inset: Option<Inset>,
    /// Called after each frame is rendered.
    pub progress: Option<Progress>,
    /// Whether the area's outline is credited to OpenStreetMap (an outline file;
    /// not a box). Zones are always credited, places when drawn.
    pub boundaries_credit: bool,
    /// Only snapshots at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only snapshots at or before this time.
    pub to: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for AnimateOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnimateOptions")
            .field("aoi", &self.aoi.name())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("every", &self.every)
            .field("delay_ms", &self.delay_ms)
            .field("front", &self.front)
            .field("places", &self.places.as_ref().map(Places::len))
            .finish()
    }
}

impl AnimateOptions {
    /// 1080 × 1080 frames of `aoi`, one per snapshot, 250 ms each and the last
    /// held 2 s, titled by the area's name.
    pub fn new(aoi: Aoi) -> AnimateOptions {
        AnimateOptions {
            title: aoi.name().to_string(),
            aoi,
            width: 1080,
            height: 1080,
            every: Every::Snapshot,
            delay_ms: 250,
            hold_last_ms: 2000,
            front: false,
            places: None,
            labels: Labels::All,
            style: Style::default(),
            inset: None,
            progress: None,
            boundaries_credit: true,
            from: None,
            to: None,
        }
    }

    /// The same options with frames drawn this often.
    pub fn every(mut self, every: Every) -> AnimateOptions {
        self.every = every;
        self
    }

    /// The same options with frames of this size.
    pub fn size(mut self, width: u32, height: u32) -> AnimateOptions {
        self.width = width;
        self.height = height;
        self
    }

    fn check(&self) -> Result<()> {
        if !(200..=4096).contains(&self.width) || !(200..=4096).contains(&self.height) {
            return Err(Error::Invalid(format!(
                "frame size {}x{}: width and height must be 200 to 4096 pixels",
                self.width, self.height
            )));
        }
        if !(10..=60_000).contains(&self.delay_ms) || self.hold_last_ms > 600_000 {
            return Err(Error::Invalid(format!(
                "frame delay {} ms must be 10 to 60000 ms (the last frame's hold at most 600000)",
                self.delay_ms
            )));
        }
        Ok(())
    }
}

/// The features of one snapshot's frame.
struct Scene {
    features: geojson::FeatureCollection,
}

/// Snapshots loaded and cut to the area of interest, ready to draw.
pub struct Animation {
    options: AnimateOptions,
    timeline: Timeline<Scene>,
    frames: Vec<PlannedFrame>,
    rect: Rect<f64>,
}

impl std::fmt::Debug for Animation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Animation")
            .field("options", &self.options)
            .field("snapshots", &self.timeline.len())
            .field("frames", &self.frames.len())
            .finish()
    }
}

impl Animation {
    /// Loads the snapshots (files, directories, globs, stores) with only what
    /// reaches into the area of interest, and plans the frames. An error when no
    /// snapshot has any zone in the area: an animation of nothing is refused.
    ///
    /// # Errors
    ///
    /// An error for invalid options, an empty area of interest, `from` after `to`,
    /// snapshots that cannot be loaded, or no snapshot with a zone in the area.
    pub fn load(
        inputs: &[impl AsRef<Path>],
        load: &LoadOptions,
        options: &AnimateOptions,
    ) -> Result<Animation> {
        options.check()?;
        let aoi = &options.aoi;
        let rect = aoi
            .area()
            .bounding_rect()
            .ok_or_else(|| Error::Invalid(format!("area of interest {} is empty", aoi.name())))?;
        // Drawn at about half a pixel: finer detail cannot show and costs time.
        let mid = (rect.min().y + rect.max().y) / 2.0;
        let across_m: f64 = geographiclib_rs::InverseGeodesic::inverse(
            &geographiclib_rs::Geodesic::wgs84(),
            mid,
            rect.min().x,
            mid,
            rect.max().x,
        );
        let metres_per_px = across_m / f64::from(options.width);
        let export_options = ExportOptions::default()
            .precision(5)
            .simplify_m(metres_per_px / 2.0)
            .style(options.style.clone())
            .aoi(aoi.clone());
        if let Some(places) = &options.places {
            let inside = places.iter().any(|p| match &p.geometry {
                crate::PlaceGeometry::Point(pt) => geo::Contains::contains(aoi.area(), pt),
                crate::PlaceGeometry::Area(a) => geo::Intersects::intersects(aoi.area(), a),
            });
            if !inside {
                return Err(Error::Invalid(format!(
                    "no place of {} lies in the area of interest {}",
                    places.path().display(),
                    aoi.name()
                )));
            }
        }
        let front_options = options
            .front
            .then(|| FrontOptions::default().within(aoi.area().clone()));
        let load = load.clone().within(rect);
        let (from, to) = (options.from, options.to);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(Error::Invalid(format!("from ({f}) is after to ({t})")));
        }
        let in_range = |d: Option<DateTime<Utc>>| {
            d.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t))
        };
        let mut timeline = Timeline::load_with(inputs, &load, |snapshot| {
            // Outside the dates asked for: kept empty, and left out below.
            if !in_range(snapshot.date()) {
                return Ok(None);
            }
            let mut export = Export::new(export_options.clone())?;
            let drawn = export.layers_in_aoi(&snapshot)?;
            if drawn > 0
                && let Some(o) = &front_options
            {
                let front = Front::derive(&snapshot, o)?;
                export.front(&front, snapshot.date())?;
            }
            if let Some(places) = &options.places {
                export.places(places, &snapshot, None)?;
            }
            Ok(Some((drawn, export.to_feature_collection())))
        })?;
        let read = timeline.len();
        timeline.retain(|e| e.value.is_some());
        if timeline.is_empty() {
            return Err(Error::Invalid(format!(
                "none of the {read} snapshots read falls in the dates asked for: nothing to animate"
            )));
        }
        let drawn = timeline
            .iter()
            .filter(|e| e.value.as_ref().is_some_and(|v| v.0 > 0))
            .count();
        if drawn == 0 {
            return Err(Error::Invalid(format!(
                "no snapshot of the {} read has a zone in the area of interest {}: \
                 nothing to animate",
                timeline.len(),
                aoi.name()
            )));
        }
        let timeline = timeline.map(|e| {
            Ok(Scene {
                features: e.value.as_ref().map_or_else(
                    || geojson::FeatureCollection::new(Vec::<geojson::Feature>::new()),
                    |v| v.1.clone(),
                ),
            })
        })?;
        let dates: Vec<DateTime<Utc>> = timeline.iter().map(|e| e.date).collect();
        let frames = plan_frames(&dates, options.every);
        Ok(Animation {
            options: options.clone(),
            timeline,
            frames,
            rect,
        })
    }

    /// The file of the latest snapshot (e.g. to draw an inset of its whole extent).
    pub fn last_path(&self) -> &Path {
        self.timeline
            .entries()
            .last()
            .map_or(Path::new(""), |e| e.path.as_path())
    }

    /// The date of the latest snapshot.
    pub fn last_date(&self) -> Option<DateTime<Utc>> {
        self.timeline.entries().last().map(|e| e.date)
    }

    /// Sets the locator inset.
    pub fn set_inset(&mut self, inset: Option<Inset>) {
        self.options.inset = inset;
    }

    /// Sets what is called as frames are rendered.
    pub fn set_progress(&mut self, progress: Option<Progress>) {
        self.options.progress = progress;
    }

    /// The frames to draw.
    pub fn frames(&self) -> &[PlannedFrame] {
        &self.frames
    }

    /// The files that could not be read, and duplicates left out.
    pub fn issues(&self) -> &[Issue] {
        self.timeline.issues()
    }

    /// The snapshots loaded.
    pub fn snapshots(&self) -> usize {
        self.timeline.len()
    }

    /// The SVG of frame `i` (as [`svg_map`] draws it).
    ///
    /// # Errors
    ///
    /// An error when there is no frame `i` or its map cannot be drawn.
    pub fn frame_svg(&self, i: usize) -> Result<String> {
        let plan = self
            .frames
            .get(i)
            .ok_or_else(|| Error::Invalid(format!("no frame {i}")))?;
        let entry = &self.timeline.entries()[plan.entry];
        let o = &self.options;
        let credits = Credits {
            zones: true,
            boundaries: o.boundaries_credit,
            places: o.places.is_some(),
        };
        svg_map(
            &entry.value.features,
            &SvgOptions {
                width: f64::from(o.width),
                height: Some(f64::from(o.height)),
                title: o.title.clone(),
                date_label: Some(plan.label.clone()),
                attribution: Some(credits.text()),
                extent: Some(self.rect),
                outline: Some(o.aoi.area().clone()),
                labels: o.labels,
                inset: o.inset.clone(),
            },
        )
    }

    /// Frame `i` rasterised.
    ///
    /// # Errors
    ///
    /// An error when there is no frame `i` or its SVG cannot be rasterised.
    pub fn frame(&self, i: usize, rasterizer: &Rasterizer) -> Result<Frame> {
        rasterizer.render(&self.frame_svg(i)?)
    }

    /// How long frame `i` shows, ms.
    pub fn delay_ms(&self, i: usize) -> u32 {
        if i + 1 == self.frames.len() {
            self.options.hold_last_ms.max(self.options.delay_ms)
        } else {
            self.options.delay_ms
        }
    }

    /// Renders every frame, in parallel batches, and hands each batch, in order,
    /// to `sink` with the index of its first frame.
    ///
    /// # Errors
    ///
    /// The first error in rendering a frame, or the first error `sink` returns.
    pub fn render(
        &self,
        rasterizer: &Rasterizer,
        mut sink: impl FnMut(usize, Vec<Frame>) -> Result<()>,
    ) -> Result<()> {
        let batch = 4 * rayon::current_num_threads().max(1);
        let done = std::sync::atomic::AtomicUsize::new(0);
        for start in (0..self.frames.len()).step_by(batch) {
            let end = (start + batch).min(self.frames.len());
            let frames: Vec<Frame> = (start..end)
                .into_par_iter()
                .map(|i| {
                    let f = self.frame(i, rasterizer);
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if let Some(p) = &self.options.progress {
                        p(n);
                    }
                    f
                })
                .collect::<Result<_>>()?;
            sink(start, frames)?;
        }
        Ok(())
    }

    /// Writes the animation to `path` in the format its extension names (`.gif`,
    /// `.webp`, `.mp4`), atomically; returns the bytes written. The fonts come
    /// from `rasterizer` (default: the system's).
    ///
    /// # Errors
    ///
    /// An error for an extension that is not `.gif`, `.webp` or `.mp4`, MP4 without
    /// `ffmpeg`, no system fonts, or a frame that cannot be rendered or written.
    pub fn write(&self, path: impl AsRef<Path>, rasterizer: Option<&Rasterizer>) -> Result<u64> {
        let path = path.as_ref();
        let kind = OutputKind::for_path(path)?;
        let own;
        let rasterizer = match rasterizer {
            Some(r) => r,
            None => {
                own = Rasterizer::new()?;
                &own
            }
        };
        match kind {
            OutputKind::Gif => gif::write(self, rasterizer, path),
            OutputKind::Webp => webp::write(self, rasterizer, path),
            OutputKind::Mp4 => video::write(self, rasterizer, path),
        }
    }

    /// The status colours, for a palette.
    pub fn style(&self) -> &Style {
        &self.options.style
    }

    /// Frame size.
    pub fn size(&self) -> (u32, u32) {
        (self.options.width, self.options.height)
    }
}

/// The animation formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// Animated GIF.
    Gif,
    /// Animated WebP (lossless).
    Webp,
    /// MP4 (H.264, through ffmpeg).
    Mp4,
}

impl OutputKind {
    /// The format a file's extension names; an error for any other, and for MP4
    /// when `ffmpeg` is not installed (checked before any work).
    ///
    /// ```
    /// use frontline::animate::OutputKind;
    /// assert_eq!(OutputKind::for_path("a.GIF".as_ref())?, OutputKind::Gif);
    /// assert!(OutputKind::for_path("a.png".as_ref()).is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error for an extension other than `.gif`, `.webp` or `.mp4`, and for
    /// `.mp4` when `ffmpeg` does not run.
    pub fn for_path(path: &Path) -> Result<OutputKind> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("gif") => Ok(OutputKind::Gif),
            Some("webp") => Ok(OutputKind::Webp),
            Some("mp4") => {
                video::check_ffmpeg()?;
                Ok(OutputKind::Mp4)
            }
            _ => Err(Error::Invalid(format!(
                "{}: the animation's format is told by its extension: .gif, .webp or .mp4",
                path.display()
            ))),
        }
    }
}
