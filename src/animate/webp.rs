//! Animated WebP, lossless, in pure Rust: each frame is the box of pixels that
//! changed since the previous one (even offsets, as the format wants; unchanged
//! pixels transparent and blended over what is shown), VP8L-encoded by
//! `image-webp` in parallel and put in the animation container (RIFF `VP8X`,
//! `ANIM`, one `ANMF` per frame).

use std::io::Write;
use std::path::Path;

use rayon::prelude::*;

use super::{Animation, Rasterizer};
use crate::atomic::AtomicFile;
use crate::{Error, Result};

/// One encoded frame: its box and its `VP8L` chunk.
struct Encoded {
    x: u32,
    y: u32,
    width: u32,
    height: u32,
    duration_ms: u32,
    /// Alpha-blend over the canvas (a partial frame) or not (the first).
    blend: bool,
    chunk: Vec<u8>,
}

/// The box where `now` differs from `before` (RGBA), x and y rounded down to even.
fn changed_box(before: &[u8], now: &[u8], width: u32) -> Option<(u32, u32, u32, u32)> {
    let w = width as usize * 4;
    let height = (now.len() / w) as u32;
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for y in 0..height as usize {
        let (a, b) = (&before[y * w..(y + 1) * w], &now[y * w..(y + 1) * w]);
        if a == b {
            continue;
        }
        let first = (0..width as usize).find(|&x| a[x * 4..x * 4 + 4] != b[x * 4..x * 4 + 4]);
        let last = (0..width as usize)
            .rev()
            .find(|&x| a[x * 4..x * 4 + 4] != b[x * 4..x * 4 + 4]);
        if let (Some(f), Some(l)) = (first, last) {
            x0 = x0.min(f as u32);
            x1 = x1.max(l as u32);
            y0 = y0.min(y as u32);
            y1 = y1.max(y as u32);
        }
    }
    if x0 == u32::MAX {
        return None;
    }
    let (x0, y0) = (x0 & !1, y0 & !1);
    Some((x0, y0, x1 - x0 + 1, y1 - y0 + 1))
}

fn vp8l(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut file = Vec::new();
    image_webp::WebPEncoder::new(&mut file)
        .encode(rgba, width, height, image_webp::ColorType::Rgba8)
        .map_err(|e| Error::Invalid(format!("cannot encode a WebP frame: {e}")))?;
    // The simple container: "RIFF" size "WEBP", then the one VP8L chunk.
    match file.get(12..) {
        Some(chunk) if chunk.starts_with(b"VP8L") => Ok(chunk.to_vec()),
        _ => Err(Error::Invalid(
            "the WebP encoder wrote an unexpected container".into(),
        )),
    }
}

fn encode(
    before: Option<&[u8]>,
    now: &[u8],
    width: u32,
    duration_ms: u32,
) -> Result<Option<Encoded>> {
    let height = (now.len() / (width as usize * 4)) as u32;
    let Some(before) = before else {
        return Ok(Some(Encoded {
            x: 0,
            y: 0,
            width,
            height,
            duration_ms,
            blend: false,
            chunk: vp8l(now, width, height)?,
        }));
    };
    let Some((x, y, w, h)) = changed_box(before, now, width) else {
        return Ok(None);
    };
    let mut sub = Vec::with_capacity((w * h * 4) as usize);
    for row in y..y + h {
        for col in x..x + w {
            let i = ((row * width + col) * 4) as usize;
            if before[i..i + 4] == now[i..i + 4] {
                sub.extend_from_slice(&[0, 0, 0, 0]);
            } else {
                sub.extend_from_slice(&now[i..i + 4]);
            }
        }
    }
    Ok(Some(Encoded {
        x,
        y,
        width: w,
        height: h,
        duration_ms,
        blend: true,
        chunk: vp8l(&sub, w, h)?,
    }))
}

fn u24(v: u32) -> [u8; 3] {
    let b = v.to_le_bytes();
    [b[0], b[1], b[2]]
}

fn chunk(out: &mut Vec<u8>, tag: &[u8; 4], payload: &[u8]) {
    out.extend_from_slice(tag);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    if payload.len() % 2 == 1 {
        out.push(0);
    }
}

fn anmf(f: &Encoded) -> Vec<u8> {
    let mut p = Vec::with_capacity(16 + f.chunk.len());
    p.extend_from_slice(&u24(f.x / 2));
    p.extend_from_slice(&u24(f.y / 2));
    p.extend_from_slice(&u24(f.width - 1));
    p.extend_from_slice(&u24(f.height - 1));
    p.extend_from_slice(&u24(f.duration_ms.min(0xff_ffff)));
    // Bit 1: do not blend; bit 0: dispose to background (never: frames build up).
    p.push(if f.blend { 0 } else { 0b10 });
    p.extend_from_slice(&f.chunk);
    p
}

/// Writes the animation as an animated WebP at `path`, atomically; returns its
/// size in bytes.
///
/// # Errors
///
/// An error naming `path` when it cannot be written, when a frame cannot be
/// rendered or encoded, or when the file would exceed 4 GiB.
pub fn write(animation: &Animation, rasterizer: &Rasterizer, path: &Path) -> Result<u64> {
    let mut file = AtomicFile::create(path)?;
    let (width, height) = animation.size();
    let mut frames: Vec<Encoded> = Vec::new();
    let mut previous: Option<Vec<u8>> = None;
    animation.render(rasterizer, |start, batch| {
        let encoded: Vec<Option<Encoded>> = (0..batch.len())
            .into_par_iter()
            .map(|j| {
                let before = match j {
                    0 => previous.as_deref(),
                    _ => Some(batch[j - 1].rgba.as_slice()),
                };
                encode(before, &batch[j].rgba, width, animation.delay_ms(start + j))
            })
            .collect::<Result<_>>()?;
        for (j, e) in encoded.into_iter().enumerate() {
            match (e, frames.last_mut()) {
                (Some(e), _) => frames.push(e),
                (None, Some(last)) => last.duration_ms += animation.delay_ms(start + j),
                (None, None) => {}
            }
        }
        previous = batch.into_iter().last().map(|f| f.rgba).or(previous.take());
        Ok(())
    })?;
    let mut body = Vec::new();
    body.extend_from_slice(b"WEBP");
    let mut vp8x = vec![0b0001_0010, 0, 0, 0]; // animation and alpha
    vp8x.extend_from_slice(&u24(width - 1));
    vp8x.extend_from_slice(&u24(height - 1));
    chunk(&mut body, b"VP8X", &vp8x);
    // Background white (BGRA), looping for ever.
    chunk(&mut body, b"ANIM", &[255, 255, 255, 255, 0, 0]);
    for f in &frames {
        chunk(&mut body, b"ANMF", &anmf(f));
    }
    let size = u32::try_from(body.len())
        .map_err(|_| Error::Invalid(format!("{}: over 4 GiB, too big for WebP", path.display())))?;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    file.write_all(b"RIFF").map_err(io)?;
    file.write_all(&size.to_le_bytes()).map_err(io)?;
    file.write_all(&body).map_err(io)?;
    file.commit()?;
    Ok(u64::from(size) + 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_start_on_even_pixels() {
        let before = vec![0u8; 4 * 4 * 4];
        let mut now = before.clone();
        now[(3 * 4 + 3) * 4] = 9; // (3, 3)
        assert_eq!(changed_box(&before, &now, 4), Some((2, 2, 2, 2)));
        assert_eq!(changed_box(&before, &before, 4), None);
    }
}
