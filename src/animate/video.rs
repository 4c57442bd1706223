//! MP4 (H.264) through an installed `ffmpeg`: raw RGBA frames on its standard
//! input, at a constant frame rate (a frame shown longer is repeated).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{Animation, Rasterizer};
use crate::{Error, Result};

/// The `ffmpeg` to run: `FRONTLINE_FFMPEG`, or `ffmpeg` on the PATH.
fn ffmpeg() -> PathBuf {
    std::env::var_os("FRONTLINE_FFMPEG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("ffmpeg"))
}

/// An error unless `ffmpeg` runs.
///
/// ```
/// // Either it runs, or the error says how to get it.
/// if let Err(e) = frontline::animate::video::check_ffmpeg() {
///     assert!(e.to_string().contains("ffmpeg"));
/// }
/// ```
///
/// # Errors
///
/// An error saying how to install `ffmpeg` when it does not run.
pub fn check_ffmpeg() -> Result<()> {
    let ok = Command::new(ffmpeg())
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "MP4 needs ffmpeg, and {} could not be run: install it (apt-get install ffmpeg) \
             or set FRONTLINE_FFMPEG, or write .gif or .webp, which need nothing else",
            ffmpeg().display()
        )))
    }
}

/// The frame rate that shows every delay as a whole number of frames (at most
/// 50 fps), and each frame's repeat count.
fn rate(delays_ms: &[u32]) -> (u32, Vec<u32>) {
    let gcd = |mut a: u32, mut b: u32| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let step = delays_ms.iter().copied().fold(0, gcd).max(20);
    let fps = (1000 / step).clamp(1, 50);
    let step = 1000 / fps;
    let repeats = delays_ms
        .iter()
        .map(|d| (d + step / 2) / step)
        .map(|n| n.max(1))
        .collect();
    (fps, repeats)
}

/// Writes the animation as MP4 at `path` through ffmpeg (into a temporary file
/// renamed into place); returns its size in bytes.
///
/// # Errors
///
/// An error when `ffmpeg` does not run or fails, when a frame cannot be
/// rendered, or when `path` cannot be written.
pub fn write(animation: &Animation, rasterizer: &Rasterizer, path: &Path) -> Result<u64> {
    check_ffmpeg()?;
    let (width, height) = animation.size();
    let delays: Vec<u32> = (0..animation.frames().len())
        .map(|i| animation.delay_ms(i))
        .collect();
    let (fps, repeats) = rate(&delays);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Invalid(format!("{}: not a file name", path.display())))?;
    let tmp = path.with_file_name(format!(".{name}.{}.tmp.mp4", std::process::id()));
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut child = Command::new(ffmpeg())
        .args([
            "-y",
            "-loglevel",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgba",
        ])
        .args(["-s", &format!("{width}x{height}")])
        .args(["-framerate", &fps.to_string(), "-i", "-"])
        // H.264 in yuv420p needs even sizes: pad by a pixel when odd.
        .args(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"])
        .args([
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
        ])
        .arg(&tmp)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io)?;
    let result = (|| {
        let stdin = child
            .stdin
            .as_mut()
            .ok_or_else(|| Error::Invalid("ffmpeg's input is not open".into()))?;
        animation.render(rasterizer, |start, frames| {
            for (j, f) in frames.iter().enumerate() {
                for _ in 0..repeats[start + j] {
                    stdin.write_all(&f.rgba).map_err(io)?;
                }
            }
            Ok(())
        })
    })();
    drop(child.stdin.take());
    let output = child.wait_with_output().map_err(io)?;
    let finish = match (result, output.status.success()) {
        (Ok(()), true) => std::fs::rename(&tmp, path).map_err(io),
        (Err(e), _) => Err(e),
        (Ok(()), false) => Err(Error::Invalid(format!(
            "ffmpeg failed writing {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))),
    };
    if finish.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    finish?;
    std::fs::metadata(path).map(|m| m.len()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_rate_fits_the_delays() {
        assert_eq!(rate(&[250, 250, 2000]), (4, vec![1, 1, 8]));
        assert_eq!(rate(&[100, 150]), (20, vec![2, 3]));
        // Delays finer than 20 ms are rounded at 50 fps.
        assert_eq!(rate(&[10, 30]).0, 50);
    }
}
