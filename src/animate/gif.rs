//! Animated GIF: one global palette ([`Palette::for_style`]), each frame only
//! the box of pixels that changed since the previous one (the unchanged ones
//! inside it transparent, which compresses well), LZW-compressed in parallel. A
//! frame identical to the previous one lengthens its delay instead.

use std::path::Path;

use rayon::prelude::*;

use super::palette::{Palette, TRANSPARENT};
use super::{Animation, Rasterizer};
use crate::atomic::AtomicFile;
use crate::{Error, Result};

/// The box of pixels where `now` differs from `before` (x, y, width, height).
fn changed_box(before: &[u8], now: &[u8], width: usize) -> Option<(usize, usize, usize, usize)> {
    let height = now.len() / width;
    let rows: Vec<usize> = (0..height)
        .filter(|&y| before[y * width..(y + 1) * width] != now[y * width..(y + 1) * width])
        .collect();
    let (&y0, &y1) = (rows.first()?, rows.last()?);
    let (mut x0, mut x1) = (width, 0);
    for &y in &rows {
        let (a, b) = (
            &before[y * width..(y + 1) * width],
            &now[y * width..(y + 1) * width],
        );
        if let Some(first) = (0..width).find(|&x| a[x] != b[x]) {
            x0 = x0.min(first);
        }
        if let Some(last) = (0..width).rev().find(|&x| a[x] != b[x]) {
            x1 = x1.max(last);
        }
    }
    Some((x0, y0, x1 - x0 + 1, y1 - y0 + 1))
}

/// The GIF frame of `now` over `before`, compressed; `None` when nothing changed.
fn encode(
    before: Option<&[u8]>,
    now: &[u8],
    width: usize,
    delay_cs: u16,
) -> Option<gif::Frame<'static>> {
    let height = now.len() / width;
    let (x, y, w, h, buffer) = match before {
        None => (0, 0, width, height, now.to_vec()),
        Some(before) => {
            let (x, y, w, h) = changed_box(before, now, width)?;
            let mut buf = Vec::with_capacity(w * h);
            for row in y..y + h {
                let (a, b) = (
                    &before[row * width + x..row * width + x + w],
                    &now[row * width + x..row * width + x + w],
                );
                buf.extend(
                    a.iter()
                        .zip(b)
                        .map(|(p, q)| if p == q { TRANSPARENT } else { *q }),
                );
            }
            (x, y, w, h, buf)
        }
    };
    // Sizes are at most 4096 (AnimateOptions::check): they fit in u16.
    let mut frame = gif::Frame {
        left: x as u16,
        top: y as u16,
        width: w as u16,
        height: h as u16,
        buffer: buffer.into(),
        delay: delay_cs,
        dispose: gif::DisposalMethod::Keep,
        transparent: Some(TRANSPARENT),
        ..gif::Frame::default()
    };
    frame.make_lzw_pre_encoded();
    Some(frame)
}

fn centiseconds(ms: u32) -> u16 {
    (ms.div_ceil(10)).min(u32::from(u16::MAX)) as u16
}

/// Writes the animation as a GIF at `path`, atomically; returns its size in bytes.
///
/// # Errors
///
/// An error naming `path` when it cannot be written, when a frame cannot be
/// rendered, or when GIF encoding fails.
pub fn write(animation: &Animation, rasterizer: &Rasterizer, path: &Path) -> Result<u64> {
    let file = AtomicFile::create(path)?;
    let (width, height) = animation.size();
    let palette = Palette::for_style(animation.style());
    let failed = |e: gif::EncodingError| Error::Invalid(format!("{}: {e}", path.display()));
    let mut encoder = gif::Encoder::new(file, width as u16, height as u16, &palette.rgb_bytes())
        .map_err(failed)?;
    encoder.set_repeat(gif::Repeat::Infinite).map_err(failed)?;
    let mut previous: Option<Vec<u8>> = None;
    // The last frame written is held back: a frame that changes nothing adds
    // its time to it.
    let mut pending: Option<gif::Frame<'static>> = None;
    let mut write_error = None;
    animation.render(rasterizer, |start, frames| {
        let indices: Vec<Vec<u8>> = frames
            .par_iter()
            .map(|f| palette.quantize(&f.rgba))
            .collect();
        let encoded: Vec<Option<gif::Frame<'static>>> = (0..indices.len())
            .into_par_iter()
            .map(|j| {
                let before = match j {
                    0 => previous.as_deref(),
                    _ => Some(indices[j - 1].as_slice()),
                };
                let delay = centiseconds(animation.delay_ms(start + j));
                encode(before, &indices[j], width as usize, delay)
            })
            .collect();
        for (j, frame) in encoded.into_iter().enumerate() {
            let delay = centiseconds(animation.delay_ms(start + j));
            match (frame, &mut pending) {
                (Some(f), _) => {
                    if let Some(p) = pending.replace(f)
                        && let Err(e) = encoder.write_lzw_pre_encoded_frame(&p)
                    {
                        write_error.get_or_insert(e);
                    }
                }
                (None, Some(p)) => p.delay = p.delay.saturating_add(delay),
                (None, None) => {}
            }
        }
        previous = indices.into_iter().last().or(previous.take());
        Ok(())
    })?;
    if let Some(p) = pending {
        encoder.write_lzw_pre_encoded_frame(&p).map_err(failed)?;
    }
    if let Some(e) = write_error {
        return Err(failed(e));
    }
    let file = encoder.into_inner().map_err(failed)?;
    file.commit()?;
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_changed_box_is_encoded() {
        let before = vec![0u8; 16];
        let mut now = before.clone();
        now[5] = 1; // (1, 1)
        now[10] = 2; // (2, 2)
        assert_eq!(changed_box(&before, &now, 4), Some((1, 1, 2, 2)));
        assert_eq!(changed_box(&before, &before, 4), None);
        assert!(encode(Some(&before), &before, 4, 10).is_none());
        let f = encode(Some(&before), &now, 4, 10).unwrap();
        assert_eq!((f.left, f.top, f.width, f.height), (1, 1, 2, 2));
    }
}
