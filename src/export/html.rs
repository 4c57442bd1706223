//! A self-contained Leaflet page: the data embedded, a legend, popups, and a
//! date slider for time-enabled exports.

use std::collections::BTreeMap;

use serde_json::Value;

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
    /// A tile URL template for the base map (`None`: no base map).
    pub tiles: Option<String>,
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions {
            title: "frontline map".into(),
            leaflet_url: "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js".into(),
            leaflet_css_url: "https://unpkg.com/leaflet@1.9.4/dist/leaflet.css".into(),
            tiles: Some("https://tile.openstreetmap.org/{z}/{x}/{y}.png".into()),
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
/// simplestyle properties, a popup with each feature's properties, a legend of
/// the statuses present, and, when `time_enabled`, a date slider that shows the
/// features whose `date` ≤ t < `until`.
///
/// When drawing is done the page sets, on `<div id="frontline-status">`,
/// `data-shapes` (the SVG paths Leaflet drew), `data-features` (the features
/// shown) and `data-errors` (script errors seen by `window.onerror`), for tests.
///
/// ```
/// use frontline::export::{map_page, PageOptions};
/// let page = map_page(&geojson::FeatureCollection::new([]), &PageOptions::default(), false);
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(page.contains("unpkg.com/leaflet@1.9.4"));
/// assert!(page.contains(r#"id="frontline-status""#));
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
    let config = serde_json::json!({
        "timeEnabled": time_enabled,
        "tiles": options.tiles,
        "legend": legend,
    });
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
<link rel="stylesheet" href="{css}">
<script src="{js}"></script>
<style>
html, body {{ height: 100%; margin: 0; font: 14px/1.4 sans-serif; }}
#map {{ position: absolute; top: 0; bottom: 0; left: 0; right: 0; }}
.frontline-box {{ background: rgba(255,255,255,0.9); padding: 6px 8px; border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,0.3); }}
.frontline-box i {{ display: inline-block; width: 14px; height: 14px; margin-right: 6px; vertical-align: middle; border: 1px solid #555; }}
.frontline-popup td {{ padding: 0 4px; vertical-align: top; }}
#frontline-date {{ width: 260px; }}
</style>
</head>
<body>
<div id="map"></div>
<div id="frontline-status" hidden data-errors="0" data-shapes="-1" data-features="-1"></div>
<script id="frontline-data" type="application/json">{data}</script>
<script>
(function () {{
  var config = {config};
  var data = JSON.parse(document.getElementById("frontline-data").textContent);
  var status = document.getElementById("frontline-status");
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
  map.attributionControl.addAttribution("Zones: DeepStateMap");
  if (config.tiles) {{
    L.tileLayer(config.tiles, {{ maxZoom: 18, attribution: "&copy; OpenStreetMap contributors" }}).addTo(map);
  }} else {{
    map.attributionControl.addAttribution("&copy; OpenStreetMap contributors");
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
  var layer = null;
  function draw(t) {{
    if (layer) map.removeLayer(layer);
    var count = 0;
    layer = L.geoJSON(data, {{
      filter: function (f) {{ var s = shown(f, t); if (s) count += 1; return s; }},
      style: function (f) {{
        var p = f.properties || {{}};
        return {{ color: p.stroke || "#555", weight: p["stroke-width"] || 1,
          opacity: p["stroke-opacity"] || 1, fillColor: p.fill || "#888",
          fillOpacity: p["fill-opacity"] === undefined ? 0.4 : p["fill-opacity"] }};
      }},
      pointToLayer: function (f, latlng) {{
        var p = f.properties || {{}};
        return L.circleMarker(latlng, {{ radius: 5, color: "#ffffff", weight: 1,
          fillColor: p["marker-color"] || "#424242", fillOpacity: 1 }});
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
        css = escape(&options.leaflet_css_url),
        js = escape(&options.leaflet_url),
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
}
