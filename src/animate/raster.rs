//! SVG to pixels with resvg: the fonts are loaded once and shared by every frame.

use std::path::Path;
use std::sync::Arc;

use resvg::{tiny_skia, usvg};

use crate::{Error, Result};

/// A rendered frame: `width × height` pixels, RGBA, row by row, opaque.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// RGBA bytes (the SVG writer paints an opaque background, so alpha is 255).
    pub rgba: Vec<u8>,
}

impl Frame {
    /// Writes the frame as a PNG file (atomically), e.g. to look at one frame.
    ///
    /// ```
    /// let frame = frontline::animate::Frame { width: 2, height: 1, rgba: vec![255; 8] };
    /// let path = std::env::temp_dir().join(format!("frontline-frame-{}.png", std::process::id()));
    /// frame.write_png(&path)?;
    /// assert!(std::fs::read(&path).unwrap().starts_with(b"\x89PNG"));
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An error when the frame has no pixels or its size and bytes disagree, or
    /// when the PNG cannot be encoded or written to `path`.
    pub fn write_png(&self, path: impl AsRef<Path>) -> Result<()> {
        let pixmap = tiny_skia::Pixmap::from_vec(
            self.rgba.clone(),
            tiny_skia::IntSize::from_wh(self.width, self.height)
                .ok_or_else(|| Error::Invalid("a frame without pixels".into()))?,
        )
        .ok_or_else(|| Error::Invalid("a frame whose size and bytes disagree".into()))?;
        let png = pixmap
            .encode_png()
            .map_err(|e| Error::Invalid(format!("cannot encode the PNG: {e}")))?;
        crate::atomic::write(path, &png)
    }
}

/// Renders SVG documents with resvg, with fonts loaded once.
///
/// ```
/// let r = frontline::animate::Rasterizer::new()?;
/// let f = r.render(r##"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect width="4" height="2" fill="#ff0000"/></svg>"##)?;
/// assert_eq!((f.width, f.height), (4, 2));
/// assert_eq!(&f.rgba[..4], &[255, 0, 0, 255]);
/// # Ok::<(), frontline::Error>(())
/// ```
pub struct Rasterizer {
    options: usvg::Options<'static>,
}

impl std::fmt::Debug for Rasterizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rasterizer")
            .field("fonts", &self.options.fontdb.len())
            .finish()
    }
}

impl Rasterizer {
    /// A rasteriser with the system's fonts; an error when there is none (frames
    /// carry dates, a legend and credits, which must not silently vanish).
    ///
    /// # Errors
    ///
    /// An error when the system has no fonts.
    pub fn new() -> Result<Rasterizer> {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        Rasterizer::with_fonts(db)
    }

    /// A rasteriser with the fonts of these files (and the system's).
    ///
    /// # Errors
    ///
    /// An error naming the file when one cannot be read, or when no font is
    /// available at all.
    pub fn with_font_files(files: &[impl AsRef<Path>]) -> Result<Rasterizer> {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        for f in files {
            let f = f.as_ref();
            db.load_font_file(f).map_err(|source| Error::Io {
                path: f.to_path_buf(),
                source,
            })?;
        }
        Rasterizer::with_fonts(db)
    }

    fn with_fonts(mut db: usvg::fontdb::Database) -> Result<Rasterizer> {
        if db.is_empty() {
            return Err(Error::Invalid(
                "no font found on this system for the frames' text (dates, legend, credits): \
                 install one, e.g. apt-get install fonts-dejavu-core"
                    .into(),
            ));
        }
        // The SVG writer names DejaVu Sans first; "sans-serif" falls back to a
        // family that is there, so that text is drawn with whatever is installed.
        let family = |name: &str| {
            db.faces()
                .any(|f| f.families.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        };
        let fallback = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "FreeSans"]
            .into_iter()
            .find(|n| family(n))
            .map(str::to_string)
            .or_else(|| {
                db.faces()
                    .next()
                    .and_then(|f| f.families.first().map(|(n, _)| n.clone()))
            });
        if let Some(name) = fallback {
            db.set_sans_serif_family(name);
        }
        let options = usvg::Options {
            fontdb: Arc::new(db),
            ..usvg::Options::default()
        };
        Ok(Rasterizer { options })
    }

    /// Parses the SVG (text laid out with the fonts), for inspection.
    ///
    /// # Errors
    ///
    /// An error when `svg` is not an SVG document it can parse.
    pub fn tree(&self, svg: &str) -> Result<usvg::Tree> {
        usvg::Tree::from_str(svg, &self.options)
            .map_err(|e| Error::Invalid(format!("cannot read the frame's SVG: {e}")))
    }

    /// Renders an SVG document at its own size.
    ///
    /// # Errors
    ///
    /// An error when `svg` cannot be parsed or has no pixels (zero size).
    pub fn render(&self, svg: &str) -> Result<Frame> {
        let tree = self.tree(svg)?;
        let size = tree.size().to_int_size();
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
            .ok_or_else(|| Error::Invalid("the frame has no pixels".into()))?;
        resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
        Ok(Frame {
            width: size.width(),
            height: size.height(),
            // The background is opaque: premultiplied and straight RGBA are equal.
            rgba: pixmap.take(),
        })
    }
}
