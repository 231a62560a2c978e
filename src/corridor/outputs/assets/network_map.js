/* corridor road map (corridor map EXTRACT): an extract's roads by class, their names and refs,
   its OSM places and border crossings, drawn with Leaflet from the embedded data; no scenario. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("corridor-network-data").textContent);

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fmt(n) {
    return n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US");
  }
  function metres(m) {
    return Math.round(m) < 1000 ? fmt(Math.round(m)) + " m" : (m / 1000).toFixed(1) + " km";
  }
  function row(k, v) {
    return v === "" || v === null || v === undefined ? "" : '<span class="k">' + esc(k) + ":</span> " + v + "<br>";
  }

  // the scenario map's road classes (map.js ROAD_STYLE; tests/test_network_map.py keeps the two equal)
  var ROAD_STYLE = {
    motorway: { color: "#6e4f33", weight: 4.5 },
    trunk: { color: "#7a5a3c", weight: 4 },
    primary: { color: "#86674a", weight: 3.5 },
    secondary: { color: "#9c8468", weight: 3 },
    tertiary: { color: "#ae9c86", weight: 2.5 },
    track: { color: "#9c8b6e", weight: 2, dashArray: "5 4" },
    path: { color: "#b5a58c", weight: 1.5, dashArray: "2 4" },
    footway: { color: "#b5a58c", weight: 1.5, dashArray: "2 4" }
  };
  function roadStyle(hw) {
    var base = (hw || "").replace(/_link$/, "");
    var s = ROAD_STYLE[base] || { color: "#bdb2a3", weight: 1.6 };
    return { color: s.color, weight: s.weight, dashArray: s.dashArray || null, opacity: 0.9 };
  }

  var map = L.map("map", { zoomControl: true, minZoom: 2 });
  var panes = { borders: 210, roads: 400, labels: 470, places: 490, crossings: 495 };
  Object.keys(panes).forEach(function (name) { map.createPane(name).style.zIndex = panes[name]; });
  map.getPane("borders").style.pointerEvents = "none";

  var builders = {
    roads: function (fc) {
      return L.geoJSON(fc, {
        pane: "roads",
        style: function (f) { return roadStyle(f.properties.highway); },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>" + esc(p.road) + "</b><br>" + row("class", esc(p.highway)) +
            row("ref", esc(p.ref)) + row("name", esc(p.name)) + row("length", metres(p.length_m)) +
            row("capacity", fmt(p.capacity_pph) + " persons/h") + row("OSM way", esc(p.osm_way)));
        }
      });
    },
    labels: function (fc) {
      return L.geoJSON(fc, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { pane: "labels", radius: 0, weight: 0, opacity: 0, fillOpacity: 0, interactive: false });
        },
        onEachFeature: function (f, layer) {
          layer.feature = f;
          layer.bindTooltip(esc(f.properties.label), {
            permanent: true, direction: "center", className: "road-label", opacity: 1
          });
        }
      });
    },
    places: function (fc) {
      return L.geoJSON(fc, {
        pointToLayer: function (f, latlng) {
          var pop = f.properties.population || 0;
          var r = pop > 0 ? 3 + 1.6 * Math.max(0, Math.log10(pop) - 2) : 3;
          return L.circleMarker(latlng, { pane: "places", radius: r, color: "#fff", weight: 1.2, fillColor: "#303030", fillOpacity: 0.9 });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.feature = f;
          layer.bindTooltip(esc(p.name), { permanent: true, direction: "right", offset: [4, 0], className: "place-label", opacity: 1 });
          layer.bindPopup("<b>" + esc(p.name) + "</b><br>" + row("place", esc(p.kind)) +
            row("population", p.population === null ? "unknown" : fmt(p.population)) + row("OSM node", esc(p.osm_id)));
        }
      });
    },
    crossings: function (fc) {
      return L.geoJSON(fc, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { pane: "crossings", radius: 6, color: "#000", weight: 2, fillColor: "#e08214", fillOpacity: 1, className: "corridor-crossing" });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(esc(p.name), { direction: "top", className: "area-label" });
          layer.bindPopup("<b>" + esc(p.name) + "</b> (border crossing)<br>" + row("OSM node", esc(p.osm_id)));
        }
      });
    }
  };

  var borders = L.geoJSON(D.borders, {
    pane: "borders", interactive: false,
    style: function () { return { color: "#8f8f8f", weight: 1, fillColor: "#f3f0e6", fillOpacity: 1 }; }
  });
  var base = { "Offline borders (Natural Earth)": borders, "None": L.layerGroup() };
  if (D.tiles) {
    var tiles = L.tileLayer(D.tiles, { maxZoom: 19, attribution: "tiles: " + esc(D.tiles.split("/")[2] || D.tiles) });
    base = { "Online tiles": tiles, "Offline borders (Natural Earth)": borders, "None": L.layerGroup() };
    tiles.addTo(map);
  } else {
    borders.addTo(map);
  }
  var current = {};
  var overlays = {};
  Object.keys(D.titles).forEach(function (name) {
    current[name] = builders[name](D.layers[name]).addTo(map);
    overlays[D.titles[name]] = current[name];
  });
  L.control.layers(base, overlays, { collapsed: false, position: "topright" }).addTo(map);
  L.control.scale({ imperial: false, maxWidth: 180, position: "bottomleft" }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("background: Natural Earth (public domain); roads and places: OpenStreetMap contributors");

  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    var h = "<h4>Roads</h4>";
    [["motorway", "motorway"], ["trunk", "trunk"], ["primary", "primary"], ["secondary", "secondary"],
      ["tertiary", "tertiary"], ["residential", "other streets"], ["track", "track"]].forEach(function (c) {
      var s = roadStyle(c[0]);
      h += '<span class="sw" style="border-top:' + Math.round(s.weight) + "px " + (s.dashArray ? "dashed " : "solid ") + s.color + '"></span>' + c[1] + "<br>";
    });
    h += '<h4>Places</h4><span class="dot" style="background:#303030"></span>OSM place (size: population)<br>';
    h += '<span class="dot" style="background:#e08214;border:2px solid #000"></span>border crossing<br>';
    div.innerHTML = h;
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  legend.addTo(map);

  var c = D.counts;
  document.getElementById("header").textContent = D.title + " · " + fmt(c.roads) + " OSM ways of the " +
    D.mover + " network · " + fmt(c.places) + " places · " + fmt(c.crossings) + " border crossings";

  // labels that fit: places by population, then roads by length; one that would cover a shown
  // label or a control stays hidden at this zoom
  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }
  function declutter() {
    var taken = [];
    document.querySelectorAll(".leaflet-control").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.width && r.height) taken.push(r);
    });
    var box = map.getContainer().getBoundingClientRect();
    var places = current.places.getLayers().slice().sort(function (a, b) {
      return (b.feature.properties.population || 0) - (a.feature.properties.population || 0);
    });
    var roads = current.labels.getLayers();  // longest first, as the data comes
    places.concat(roads).forEach(function (layer) {
      var tip = layer.getTooltip && layer.getTooltip();
      var el = tip && tip.getElement && tip.getElement();
      if (!el) return;
      el.classList.remove("place-hidden");
      var r = el.getBoundingClientRect();
      var inside = r.width > 0 && r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
      var free = inside && !taken.some(function (t) { return overlaps(r, t); });
      if (free) taken.push(r); else el.classList.add("place-hidden");
    });
  }
  map.on("zoomend moveend overlayadd", declutter);

  var b = D.bounds;
  map.fitBounds(L.latLngBounds([b[1], b[0]], [b[3], b[2]]), { paddingTopLeft: [40, 20], paddingBottomRight: [260, 40] });
  declutter();

  /* for tests and scripting */
  window.corridorNetworkMap = {
    data: D,
    map: map,
    count: function (name) { return current[name] ? current[name].getLayers().length : 0; },
    visible: function (name) { return map.hasLayer(current[name]); },
    drawn: function (name) {
      var pane = map.getPane(name);
      return pane ? pane.querySelectorAll("path").length : 0;
    },
    labels: function () {
      return Array.prototype.map.call(
        document.querySelectorAll(".road-label:not(.place-hidden), .place-label:not(.place-hidden)"),
        function (el) { return el.textContent; });
    }
  };
})();
