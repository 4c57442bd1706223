//! A self-contained Leaflet page: the data embedded, a legend, popups, and a
//! date slider for time-enabled exports.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::Credits;
use crate::{Error, Result};

/// Where the page gets Leaflet and its tiles from, and what it is called.
///
/// ```
/// use frontline::export::PageOptions;
/// let o = PageOptions::default();
/// assert_eq!(o.leaflet_url, "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js");
/// let local = PageOptions::default().leaflet("leaflet/leaflet.js", "leaflet/leaflet.css");
/// assert_eq!(local.leaflet_css_url, "leaflet/leaflet.css");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PageOptions {
    /// The page's title.
    pub title: String,
    /// Leaflet's script (default: unpkg, leaflet@1.9.4).
    pub leaflet_url: String,
    /// Leaflet's style sheet.
    pub leaflet_css_url: String,
    /// Leaflet itself, written into the page (see [`PageOptions::inline_leaflet`]):
    /// then the page needs no network for its script.
    pub inline: Option<InlineLeaflet>,
    /// A tile URL template for the base map (`None`: no base map).
    pub tiles: Option<String>,
    /// Sources to credit (`None`: [`Credits::of`] the features, without boundaries).
    pub credits: Option<Credits>,
}

/// Leaflet's script and style sheet, to be written into a page.
#[derive(Clone, Debug, PartialEq)]
pub struct InlineLeaflet {
    /// `leaflet.js`.
    pub script: String,
    /// `leaflet.css`.
    pub css: String,
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions {
            title: "frontline map".into(),
            leaflet_url: "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js".into(),
            leaflet_css_url: "https://unpkg.com/leaflet@1.9.4/dist/leaflet.css".into(),
            inline: None,
            tiles: Some("https://tile.openstreetmap.org/{z}/{x}/{y}.png".into()),
            credits: None,
        }
    }
}

impl PageOptions {
    /// The same options with Leaflet's script and style sheet from elsewhere.
    pub fn leaflet(mut self, script: impl Into<String>, css: impl Into<String>) -> PageOptions {
        self.leaflet_url = script.into();
        self.leaflet_css_url = css.into();
        self
    }

    /// The same options with Leaflet read from a local copy and written into the
    /// page, so that it works offline: `dir` holds `leaflet.js` and `leaflet.css`
    /// itself, or in `dist/` or `node_modules/leaflet/dist/` (where
    /// `npm install --prefix DIR leaflet@1.9.4` puts them). An error names what
    /// is missing, or the text that could not sit inside the page.
    ///
    /// ```
    /// use frontline::export::PageOptions;
    /// let err = PageOptions::default().inline_leaflet("no/such/dir").unwrap_err();
    /// assert!(err.to_string().contains("leaflet.js"));
    /// ```
    ///
    /// # Errors
    ///
    /// An error naming `dir` when no `leaflet.js` and `leaflet.css` are found in
    /// it, or naming the file that cannot be read.
    pub fn inline_leaflet(mut self, dir: impl AsRef<Path>) -> Result<PageOptions> {
        let dir = dir.as_ref();
        let found = [
            dir.to_path_buf(),
            dir.join("dist"),
            dir.join("node_modules/leaflet/dist"),
        ]
        .into_iter()
        .find(|d| d.join("leaflet.js").is_file() && d.join("leaflet.css").is_file())
        .ok_or_else(|| {
            Error::Invalid(format!(
                "--leaflet-dir {}: no leaflet.js and leaflet.css there, nor in its dist/ or \
                 node_modules/leaflet/dist/ (npm install --prefix {} leaflet@1.9.4)",
                dir.display(),
                dir.display()
            ))
        })?;
        let read = |name: &str| {
            let path = found.join(name);
            std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })
        };
        let (script, css) = (read("leaflet.js")?, read("leaflet.css")?);
        // A closing tag inside would end the element early: refused, not patched.
        for (text, tag, name) in [
            (&script, "</script", "leaflet.js"),
            (&css, "</style", "leaflet.css"),
        ] {
            if text.to_ascii_lowercase().contains(tag) {
                return Err(Error::Invalid(format!(
                    "{}: contains {tag}, so it cannot be written into the page",
                    found.join(name).display()
                )));
            }
        }
        self.inline = Some(InlineLeaflet { script, css });
        Ok(self)
    }
}

/// Text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that can sit inside a `<script>` element: `<`, `>` and `&` (which only
/// occur inside strings) escaped as `\u003c` and so on.
fn script_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into()) // only maps with non-string keys fail
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// One HTML file showing `collection` on a Leaflet map: features styled by their
/// simplestyle properties (places by their `marker-color`), a popup with each
/// feature's properties, a legend of the statuses present, credits for every
/// source, and, when `time_enabled`, a date slider that shows the features whose
/// `date` ≤ t < `until`.
///
/// The data is in the page; Leaflet is too with [`PageOptions::inline_leaflet`],
/// otherwise it is loaded from [`PageOptions::leaflet_url`]. When Leaflet cannot
/// be loaded (no network), the page says so and how to make an offline page,
/// instead of staying blank.
///
/// When drawing is done the page sets, on `<div id="frontline-status">`,
/// `data-shapes` (the SVG paths Leaflet drew), `data-features` (the features
/// shown), `data-errors` (script errors seen by `window.onerror`) and
/// `data-leaflet` (`loaded` or `missing`), for tests.
///
/// ```
/// use frontline::export::{map_page, PageOptions};
/// let page = map_page(&geojson::FeatureCollection::new([]), &PageOptions::default(), false);
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(page.contains("unpkg.com/leaflet@1.9.4"));
/// assert!(page.contains(r#"id="frontline-status""#));
/// assert!(page.contains(r#"id="frontline-no-leaflet""#));
/// ```
pub fn map_page(
    collection: &geojson::FeatureCollection,
    options: &PageOptions,
    time_enabled: bool,
) -> String {
    let mut legend: BTreeMap<String, String> = BTreeMap::new();
    for f in &collection.features {
        if let (Some(Value::String(s)), Some(Value::String(fill))) =
            (f.property("status"), f.property("fill"))
        {
            legend.entry(s.clone()).or_insert_with(|| fill.clone());
        }
    }
    let credits = options
        .credits
        .unwrap_or_else(|| Credits::of(collection, false));
    let config = serde_json::json!({
        "timeEnabled": time_enabled,
        "tiles": options.tiles,
        "legend": legend,
        "credits": credits.parts().iter().map(|c| escape(c)).collect::<Vec<_>>(),
        "leafletUrl": options.inline.is_none().then_some(&options.leaflet_url),
    });
    let leaflet = match &options.inline {
        Some(l) => format!(
            "<style>\n{}\n</style>\n<script>\n{}\n</script>",
            l.css, l.script
        ),
        None => format!(
            "<link rel=\"stylesheet\" href=\"{}\">\n<script src=\"{}\"></script>",
            escape(&options.leaflet_css_url),
            escape(&options.leaflet_url)
        ),
    };
    format!(
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<script>
window.frontlineErrors = 0;
window.onerror = function () {{
  window.frontlineErrors += 1;
  var s = document.getElementById("frontline-status");
  if (s) s.setAttribute("data-errors", String(window.frontlineErrors));
}};
</script>
{leaflet}
<style>
html, body {{ height: 100%; margin: 0; font: 14px/1.4 sans-serif; }}
#map {{ position: absolute; top: 0; bottom: 0; left: 0; right: 0; }}
.frontline-box {{ background: rgba(255,255,255,0.9); padding: 6px 8px; border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,0.3); }}
.frontline-box i {{ display: inline-block; width: 14px; height: 14px; margin-right: 6px; vertical-align: middle; border: 1px solid #555; }}
.frontline-popup td {{ padding: 0 4px; vertical-align: top; }}
#frontline-date {{ width: 260px; }}
#frontline-no-leaflet {{ max-width: 40em; margin: 3em auto; padding: 1.5em 2em; border: 2px solid #a52714; border-radius: 6px; background: #fff8f6; color: #212121; }}
#frontline-no-leaflet h1 {{ font-size: 1.3em; margin-top: 0; color: #a52714; }}
#frontline-no-leaflet code {{ background: #eee; padding: 0 3px; }}
</style>
</head>
<body>
<div id="map"></div>
<div id="frontline-no-leaflet" hidden>
<h1>The map could not be drawn: its map library (Leaflet) did not load</h1>
<p>This page loads Leaflet from <code id="frontline-leaflet-url"></code>, which needs an internet connection.</p>
<p>Open it again with a connection, or make a page that works offline by exporting it with <code>--leaflet-dir DIR</code>, where DIR holds a copy of Leaflet 1.9.4 (<code>npm install --prefix DIR leaflet@1.9.4</code>).</p>
<p id="frontline-summary"></p>
</div>
<div id="frontline-status" hidden data-errors="0" data-shapes="-1" data-features="-1"></div>
<script id="frontline-data" type="application/json">{data}</script>
<script>
(function () {{
  var config = {config};
  var data = JSON.parse(document.getElementById("frontline-data").textContent);
  var status = document.getElementById("frontline-status");
  if (typeof L === "undefined") {{
    // No Leaflet: say so, instead of a blank page.
    document.getElementById("map").hidden = true;
    document.getElementById("frontline-no-leaflet").hidden = false;
    document.getElementById("frontline-leaflet-url").textContent = config.leafletUrl;
    document.getElementById("frontline-summary").textContent =
      "The page holds " + data.features.length + " features (" +
      Object.keys(config.legend).join(", ") + "); the data is intact.";
    status.setAttribute("data-leaflet", "missing");
    status.setAttribute("data-ready", "1");
    return;
  }}
  status.setAttribute("data-leaflet", "loaded");
  var styleKeys = {{"fill": 1, "fill-opacity": 1, "stroke": 1, "stroke-width": 1, "stroke-opacity": 1, "marker-color": 1, "marker-size": 1, "time": 1}};
  function esc(v) {{
    return String(v).replace(/[&<>"']/g, function (c) {{
      return {{"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}}[c];
    }});
  }}
  function popup(p) {{
    var rows = "";
    Object.keys(p || {{}}).forEach(function (k) {{
      if (!styleKeys[k]) rows += "<tr><td><b>" + esc(k) + "</b></td><td>" + esc(p[k]) + "</td></tr>";
    }});
    return "<table class=\"frontline-popup\">" + rows + "</table>";
  }}
  var map = L.map("map", {{ preferCanvas: false }});
  config.credits.forEach(function (c) {{ map.attributionControl.addAttribution(c); }});
  if (config.tiles) {{
    L.tileLayer(config.tiles, {{ maxZoom: 18, attribution: "Base map: &copy; OpenStreetMap contributors" }}).addTo(map);
  }}
  var dates = [];
  if (config.timeEnabled) {{
    data.features.forEach(function (f) {{
      var d = f.properties && f.properties.date;
      if (d && dates.indexOf(d) < 0) dates.push(d);
    }});
    dates.sort();
  }}
  function shown(f, t) {{
    var p = f.properties || {{}};
    if (!config.timeEnabled || !t || !p.date) return true;
    return p.date <= t && (!p.until || t < p.until);
  }}
  function isPoint(f) {{
    return f.geometry && f.geometry.type === "Point";
  }}
  // Leaflet applies `style` to circle markers too: points take their
  // marker-color here, or the polygons' defaults would paint them grey.
  function markerStyle(p) {{
    return {{ radius: 5, color: "#ffffff", weight: 1, opacity: 1,
      fillColor: p["marker-color"] || "#424242", fillOpacity: 1 }};
  }}
  var layer = null;
  function draw(t) {{
    if (layer) map.removeLayer(layer);
    var count = 0;
    layer = L.geoJSON(data, {{
      filter: function (f) {{ var s = shown(f, t); if (s) count += 1; return s; }},
      style: function (f) {{
        var p = f.properties || {{}};
        if (isPoint(f)) return markerStyle(p);
        return {{ color: p.stroke || "#555", weight: p["stroke-width"] || 1,
          opacity: p["stroke-opacity"] || 1, fillColor: p.fill || "#888",
          fillOpacity: p["fill-opacity"] === undefined ? 0.4 : p["fill-opacity"] }};
      }},
      pointToLayer: function (f, latlng) {{
        return L.circleMarker(latlng, markerStyle(f.properties || {{}}));
      }},
      onEachFeature: function (f, l) {{
        l.bindPopup(popup(f.properties));
        if (f.properties && f.properties.kind === "place") l.bindTooltip(esc(f.properties.name));
      }}
    }}).addTo(map);
    status.setAttribute("data-features", String(count));
    status.setAttribute("data-shapes",
      String(document.querySelectorAll("#map path.leaflet-interactive").length));
  }}
  var legend = L.control({{ position: "bottomright" }});
  legend.onAdd = function () {{
    var div = L.DomUtil.create("div", "frontline-box");
    var html = "<b>Status</b>";
    Object.keys(config.legend).forEach(function (s) {{
      html += "<br><i style=\"background:" + esc(config.legend[s]) + "\"></i>" + esc(s);
    }});
    div.innerHTML = html;
    return div;
  }};
  legend.addTo(map);
  var current = dates.length ? dates[dates.length - 1] : null;
  if (dates.length) {{
    var slider = L.control({{ position: "topright" }});
    slider.onAdd = function () {{
      var div = L.DomUtil.create("div", "frontline-box");
      div.innerHTML = "<label>Date: <b id=\"frontline-date-label\"></b><br>" +
        "<input id=\"frontline-date\" type=\"range\" min=\"0\" max=\"" + (dates.length - 1) +
        "\" value=\"" + (dates.length - 1) + "\"></label>";
      L.DomEvent.disableClickPropagation(div);
      return div;
    }};
    slider.addTo(map);
    var input = document.getElementById("frontline-date");
    var label = document.getElementById("frontline-date-label");
    label.textContent = current;
    input.addEventListener("input", function () {{
      current = dates[Number(input.value)];
      label.textContent = current;
      draw(current);
    }});
  }}
  var all = L.geoJSON(data);
  var bounds = all.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, {{ padding: [20, 20] }});
  else map.setView([48.5, 37.5], 7);
  draw(current);
  status.setAttribute("data-errors", String(window.frontlineErrors));
  status.setAttribute("data-ready", "1");
}})();
</script>
</body>
</html>
"##,
        title = escape(&options.title),
        data = script_json(collection),
        config = script_json(&config),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_cannot_close_the_script() {
        let mut f = geojson::Feature::default();
        f.set_property("name", "</script><script>alert(1)</script>");
        let page = map_page(
            &geojson::FeatureCollection::new([f]),
            &PageOptions::default(),
            false,
        );
        assert_eq!(page.matches("</script>").count(), 4, "{page}");
        assert!(page.contains("\\u003c/script\\u003e"));
    }

    #[test]
    fn inline_leaflet_is_written_into_the_page() {
        let dir = std::env::temp_dir().join(format!("frontline-inline-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::write(dir.join("dist/leaflet.js"), "window.L = {fake: 1};").unwrap();
        std::fs::write(
            dir.join("dist/leaflet.css"),
            ".leaflet-pane { z-index: 400; }",
        )
        .unwrap();
        let options = PageOptions::default().inline_leaflet(&dir).unwrap();
        let page = map_page(&geojson::FeatureCollection::new([]), &options, false);
        assert!(page.contains("window.L = {fake: 1};") && page.contains(".leaflet-pane"));
        assert!(!page.contains("<script src=") && !page.contains("unpkg.com"));
        std::fs::write(dir.join("dist/leaflet.js"), "var s = '</SCRIPT>';").unwrap();
        let err = PageOptions::default().inline_leaflet(&dir).unwrap_err();
        assert!(err.to_string().contains("</script"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
