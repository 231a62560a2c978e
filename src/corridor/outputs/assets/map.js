/* corridor map: draws the embedded data with Leaflet; the slider switches dates client-side. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("corridor-data").textContent);

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fmt(n) {
    return n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US");
  }
  function hours(s) {
    if (s === null || s === undefined) return "–";
    var m = Math.round(s / 60);
    return m < 60 ? m + " min" : Math.floor(m / 60) + " h " + (m % 60) + " min";
  }
  function row(k, v) {
    return v === "" || v === null || v === undefined ? "" : '<span class="k">' + esc(k) + ":</span> " + v + "<br>";
  }
  function sources(list) {
    if (!list || !list.length) return "";
    return list.map(function (s) {
      var label = [s.key ? "[" + s.key + "]" : "", s.outlet, s.title, s.date].filter(Boolean).join(" ");
      // only web addresses become links (a javascript: or data: URL stays text)
      var web = /^https?:\/\//i.test(String(s.url || "").trim());
      return web ? esc(label) + ' <a href="' + esc(String(s.url).trim()) + '" target="_blank" rel="noopener noreferrer">link</a>'
        : esc(label) + (s.url ? " " + esc(s.url) : "");
    }).join("; ");
  }

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
  var panes = {
    borders: 210, zones: 300, pocket: 310, roads: 400, closed: 410, areas: 420, routes: 430,
    critical: 435, corridors: 440, chance: 445, impact: 450, cut: 460, closures: 480, places: 490
  };
  Object.keys(panes).forEach(function (name) {
    map.createPane(name).style.zIndex = panes[name];
  });
  map.getPane("borders").style.pointerEvents = "none";

  /* ---------------------------------------------------------------- layer builders */
  var builders = {
    borders: function (fc) {
      return L.geoJSON(fc, {
        pane: "borders", interactive: false,
        style: function () { return { color: "#8f8f8f", weight: 1, fillColor: "#f3f0e6", fillOpacity: 1 }; }
      });
    },
    roads: function (fc) {
      return L.geoJSON(fc, {
        pane: "roads",
        style: function (f) { return roadStyle(f.properties.highway); },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>" + esc(p.road) + "</b><br>" + row("class", esc(p.highway)) +
            row("capacity", fmt(p.capacity_pph) + " persons/h") + row("length", fmt(Math.round(p.length_m)) + " m") +
            row("OSM way", esc(p.osm_way)));
        }
      });
    },
    zones: function (fc) {
      return L.geoJSON(fc, {
        pane: "zones",
        style: function (f) {
          return { color: f.properties.colour, weight: 1.5, dashArray: "6 4", fillColor: f.properties.colour, fillOpacity: 0.22 };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>" + esc(p.actor_name) + "</b> (" + esc(p.side_name) + ")<br>" +
            row("holds from", esc(p.since)) + row("until", esc(p.until)) +
            row("confidence", p.confidence === null || p.confidence === undefined ? "" : Math.round(p.confidence * 100) + "%") +
            row("source", sources(p.sources)) + (p.quote ? '<div class="q">“' + esc(p.quote) + "”</div>" : ""));
        }
      });
    },
    closed: function (fc) {
      return L.geoJSON(fc, {
        pane: "closed",
        style: function () { return { color: "#4d4d4d", weight: 3.5, dashArray: "2 7", opacity: 0.95, lineCap: "round" }; },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>closed: " + esc(p.road) + "</b><br>" + row("closed by", esc(p.reason)) + row("segments", p.segments));
        }
      });
    },
    areas: function (fc) {
      return L.geoJSON(fc, {
        pane: "areas",
        style: function (f) {
          var p = f.properties;
          return p.role === "origin"
            ? { color: "#111", weight: 2.5, dashArray: "8 5", fillColor: "#ffe94d", fillOpacity: 0.18 }
            : { color: p.colour, weight: 2.5, fillColor: p.colour, fillOpacity: 0.22 };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          var label = (p.role === "origin" ? "origin: " : "exit: ") + p.name;
          layer.bindTooltip(esc(label), { permanent: true, direction: "top", className: "area-label" });
          layer.bindPopup("<b>" + esc(label) + "</b><br>" + row("radius", p.radius_m ? fmt(p.radius_m) + " m" : "") + row("network nodes", p.nodes));
        }
      });
    },
    routes: function (fc) {
      return L.geoJSON(fc, {
        pane: "routes",
        style: function (f) { return { color: f.properties.colour, weight: 2.5, dashArray: "1 6", lineCap: "round", opacity: 1 }; },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>fastest route to " + esc(p.exit) + "</b><br>" + row("travel time", hours(p.travel_time_s)) +
            row("distance", fmt(Math.round(p.distance_m / 100) / 10) + " km") + row("roads", esc(p.roads)));
        }
      });
    },
    corridors: function (fc) {
      var maxFlow = Math.max(1, D.max_flow_pph);
      return L.geoJSON(fc, {
        pane: "corridors",
        style: function (f) {
          var p = f.properties;
          return { color: p.colour, weight: 3 + 11 * Math.sqrt(p.flow_pph / maxFlow), opacity: 0.8, lineCap: "round", lineJoin: "round", className: "corridor-corridors" };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>corridor to " + esc(p.exit) + "</b><br>" + row("roads", esc(p.roads || p.road)) +
            row("length", p.length_m ? fmt(Math.round(p.length_m / 100) / 10) + " km" : "") +
            row("carries", fmt(p.flow_pph) + " persons/h to " + esc(p.exit)) +
            (p.edge_flow_pph !== p.flow_pph ? row("all exits", fmt(p.edge_flow_pph) + " persons/h") : "") +
            row("capacity", fmt(p.capacity_pph) + " persons/h") + row("fastest route", hours(p.route_travel_time_s)));
        }
      });
    },
    critical: function (fc) {
      return L.geoJSON(fc, {
        pane: "critical",
        style: function () { return { color: "#ffcc00", weight: 18, opacity: 0.85, lineCap: "round", className: "corridor-critical" }; },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          var what = p.label ? esc(p.label) : esc(p.road);
          layer.bindPopup("<b>" + what + "</b> (critical)<br>" + esc(p.note) + "<br>" +
            (p.length_m !== undefined ? row("length", (p.length_m / 1000).toFixed(1) + " km") + row("segments", p.segments) : "") +
            row("capacity", fmt(p.capacity_pph) + " persons/h") +
            row("OSM ways", esc((p.osm_ways || [p.osm_way]).join(", "))));
        }
      });
    },
    pocket: function (fc) {
      return L.geoJSON(fc, {
        pane: "pocket",
        style: function () { return { color: "#6a3d9a", weight: 2, dashArray: "3 5", fillColor: "#cab2d6", fillOpacity: 0.25 }; },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          var places = (p.places || []).map(function (x) {
            return esc(x.name) + (x.population === null || x.population === undefined ? "" : " (" + fmt(x.population) + ")");
          }).join(", ");
          var exits = (p.exits || []).map(function (x) { return esc(x.name) + " (" + esc(x.kind) + ")"; }).join(", ");
          layer.bindPopup("<b>pocket: what " + esc(p.origin) + " still reaches</b><br>" + esc(p.headline) + "<br>" +
            row("area", fmt(Math.round(p.area_km2)) + " km²") + row("places inside", places || "none") +
            row("people (where known)", fmt(p.population)) + row("exits inside", exits || "none"));
        }
      });
    },
    cut: function (fc) {
      return L.geoJSON(fc, {
        pane: "cut",
        style: function () { return { color: "#a50026", weight: 9, opacity: 0.95, lineCap: "butt", className: "corridor-cut" }; },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>" + esc(p.road) + "</b> (minimum cut)<br>" + esc(p.note) + "<br>" +
            row("class", esc(p.highway)) + row("capacity", fmt(p.capacity_pph) + " persons/h") + row("OSM way", esc(p.osm_way)));
        }
      });
    },
    closures: function (fc) {
      return L.geoJSON(fc, {
        pointToLayer: function (f, latlng) {
          if (f.properties.edges_closed === 0) {  // binds to no road: a hollow, dashed warning marker
            return L.circleMarker(latlng, { pane: "closures", radius: 9, color: "#b35806", weight: 2.5, dashArray: "3 3", fillOpacity: 0, className: "corridor-closure corridor-closure-unbound" });
          }
          return L.circleMarker(latlng, { pane: "closures", radius: 8, color: "#000", weight: 2, fillColor: "#ff2d20", fillOpacity: 0.95, className: "corridor-closure" });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>" + esc(p.what) + "</b><br>" +
            (p.warning ? '<div class="warn">⚠ ' + esc(p.warning) + "</div>" : "") +
            row("actor", esc(p.actor_name) + (p.side ? " (" + esc(p.side) + ")" : "")) +
            row("date", esc(p.date) + (p.time ? " " + esc(p.time) : "")) +
            row("confidence", Math.round(p.confidence * 100) + "%") +
            row("source", sources(p.sources)) + (p.quote ? '<div class="q">“' + esc(p.quote) + "”</div>" : "") +
            row("notes", esc(p.notes)) + row("plan", p.plan ? esc(p.plan) : ""));
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
          var pop = p.population ? "population " + fmt(p.population) : "population unknown";
          // a permanent label; declutter() keeps the most populous that fit at this zoom
          layer.bindTooltip(esc(p.name), {
            permanent: true, direction: "right", offset: [4, 0], className: "place-label", opacity: 1
          });
          layer.feature = f;
          layer.bindPopup("<b>" + esc(p.name) + "</b><br>" + esc(pop) + "<br>" + row("source", sources(p.sources)));
        }
      });
    }
  };

  /* roads by impact (corridor map --rank) and exits by probability (corridor map --samples):
     the colours come with the data (corridor/outputs/impact.py) */
  builders.impact = function (fc) {
    return L.geoJSON(fc, {
      pane: "impact",
      style: function (f) {
        var p = f.properties;
        return { color: p.colour, weight: p.seals ? 8 : 3 + 5 * p.capacity_lost_pct / 100, opacity: 0.9, lineCap: "round", className: "corridor-impact" };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        var extra = Object.keys(p.extra_time_s || {}).map(function (x) {
          var t = p.extra_time_s[x];
          return esc(x) + ": " + (t === null ? "cut off" : "+" + hours(t));
        }).join("<br>");
        layer.bindPopup("<b>#" + esc(p.rank) + " " + esc(p.road) + "</b> (closed alone)<br>" +
          row("capacity lost", fmt(p.capacity_lost_pph) + " persons/h (" + esc(p.capacity_lost_pct) + " %)") +
          (p.seals ? '<div class="warn">seals the origin</div>' : "") +
          row("extra time", extra) + row("OSM ways", esc((p.osm_ways || []).join(", "))) +
          row("length", fmt(Math.round(p.length_m / 100) / 10) + " km"));
      }
    });
  };
  builders.chance = function (fc) {
    function pct(p) { return Math.round(p * 100) + "%"; }
    return L.geoJSON(fc, {
      pane: "chance",
      style: function (f) {
        var p = f.properties;
        return p.kind === "exit"
          ? { color: p.colour, weight: 3, fillColor: p.colour, fillOpacity: 0.45, className: "corridor-chance-exit" }
          : { color: p.colour, weight: 6, opacity: 0.9, dashArray: p.p_reachable < 0.5 ? "8 6" : null, lineCap: "round", className: "corridor-chance" };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        if (p.kind === "exit") {
          layer.bindTooltip("P " + pct(p.p_reachable), { permanent: true, direction: "bottom", className: "chance-label" });
        }
        layer.bindPopup("<b>" + (p.kind === "exit" ? "exit " : "corridor to ") + esc(p.exit) + "</b><br>" +
          row("P(reachable)", pct(p.p_reachable) + " of " + fmt(fc.properties.n) + " samples (seed " + esc(fc.properties.seed) + ")") +
          row("P(origin open)", pct(fc.properties.p_open)) + row("roads", esc(p.roads)));
      }
    });
  };

  /* ---------------------------------------------------------------- layers and controls */
  var groups = {};
  var current = {};
  Object.keys(D.titles).forEach(function (name) { groups[name] = L.layerGroup().addTo(map); });

  var bordersLayer = builders.borders(D.static.borders);
  var base = { "Offline borders (Natural Earth)": bordersLayer, "None": L.layerGroup() };
  if (D.tiles) {
    var tiles = L.tileLayer(D.tiles, { maxZoom: 19, attribution: "tiles: " + esc(D.tiles.split("/")[2] || D.tiles) });
    base = { "Online tiles": tiles, "Offline borders (Natural Earth)": bordersLayer, "None": L.layerGroup() };
    tiles.addTo(map);
  } else {
    bordersLayer.addTo(map);
  }
  var overlays = {};
  Object.keys(D.titles).forEach(function (name) { overlays[D.titles[name]] = groups[name]; });
  L.control.layers(base, overlays, { collapsed: false, position: "topright" }).addTo(map);
  L.control.scale({ imperial: false, maxWidth: 180, position: "bottomleft" }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("background: Natural Earth (public domain)");

  function setLayer(name, fc) {
    groups[name].clearLayers();
    current[name] = builders[name](fc);
    groups[name].addLayer(current[name]);
  }
  setLayer("roads", D.static.roads);
  setLayer("areas", D.static.areas);

  /* legend */
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    var h = '<button type="button" class="legend-toggle" aria-expanded="true" title="fold or unfold the legend">Legend <span class="arrow">▾</span></button>';
    h += '<div class="legend-body">';
    h += "<h4>Corridors (width: persons/h)</h4>";
    D.exits.forEach(function (x) { h += '<span class="sw" style="border-color:' + x.colour + '"></span>to ' + esc(x.name) + "<br>"; });
    h += '<span class="sw" style="border-top:3px dotted #555"></span>fastest route<br>';
    h += '<h4>Seal</h4><span class="sw" style="border-top:7px solid #a50026"></span>minimum cut<br>';
    h += '<span class="sw" style="border-top:9px solid #ffcc00"></span>critical stretch<br>';
    h += '<span class="box" style="background:#cab2d6;border:1px dashed #6a3d9a"></span>pocket (what the origin reaches)<br>';
    h += '<span class="dot" style="background:#ff2d20"></span>closure (reported)<br>';
    h += '<span class="dot" style="border:2px dashed #b35806"></span>closure that closes no road<br>';
    h += '<span class="sw" style="border-top:3px dashed #4d4d4d"></span>closed road<br>';
    if ((D.overlays || []).indexOf("chance") >= 0) {
      h += '<h4>Exits by probability reachable</h4><span class="ramp" style="background:linear-gradient(to right,#D55E00,#F0E442,#009E73)"></span><br>0 % → 100 % (dashed: under 50 %)<br>';
    }
    if ((D.overlays || []).indexOf("impact") >= 0) {
      h += '<h4>Roads by impact (closed alone)</h4><span class="ramp" style="background:linear-gradient(to right,#ffffb2,#fecc5c,#fd8d3c,#f03b20,#bd0026)"></span><br>capacity lost 0 % → 100 %<br>';
      h += '<span class="sw" style="border-top:6px solid #3f007d"></span>seals the origin<br>';
    }
    if (D.sides.length) {
      h += "<h4>Control zones</h4>";
      D.sides.forEach(function (s) { h += '<span class="box" style="background:' + s.colour + '"></span>' + esc(s.name) + "<br>"; });
    }
    h += '<h4>Areas</h4><span class="box" style="background:#ffe94d;border:2px dashed #111"></span>origin (' + esc(D.origin) + ")<br>";
    h += '<span class="dot" style="background:#303030"></span>place (size: population)<br>';
    h += '<h4>Roads</h4><span class="sw" style="border-top:4px solid #7a5a3c"></span>trunk / primary<br>';
    h += '<span class="sw" style="border-top:2px solid #ae9c86"></span>secondary / tertiary<br>';
    h += '<span class="sw" style="border-top:2px dashed #9c8b6e"></span>track<br>';
    h += "</div>";
    div.innerHTML = h;
    div.querySelector(".legend-toggle").addEventListener("click", function () { foldLegend(!div.classList.contains("folded")); });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legend.addTo(map);
  function foldLegend(fold) {
    var div = legend.getContainer();
    div.classList.toggle("folded", fold);
    var btn = div.querySelector(".legend-toggle");
    btn.setAttribute("aria-expanded", fold ? "false" : "true");
    btn.querySelector(".arrow").textContent = fold ? "▸" : "▾";
    declutter();
  }
  // the legend stays below the layers control: it scrolls within the room left, and folds
  // from the start when that room is too small
  function fitLegend() {
    var div = legend.getContainer();
    var lay = map.getContainer().querySelector(".leaflet-control-layers");
    var box = map.getContainer().getBoundingClientRect();
    var top = lay ? lay.getBoundingClientRect().bottom : box.top;
    var room = Math.floor(box.bottom - top - 40);  // the attribution and margins
    div.style.maxHeight = Math.max(0, room) + "px";
    return room;
  }
  if (fitLegend() < 180 || window.innerWidth < 800) foldLegend(true);
  window.addEventListener("resize", fitLegend);

  /* ---------------------------------------------------------------- place labels */
  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }
  // the most populous places first; a label that would cover a shown label, an origin or exit
  // label, or a control (legend, layers, scale) stays hidden at this zoom
  function declutter() {
    if (!current.places) return;
    var taken = [];
    document.querySelectorAll(".leaflet-control, .area-label").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.width && r.height) taken.push(r);
    });
    var box = map.getContainer().getBoundingClientRect();
    var layers = current.places.getLayers().slice().sort(function (a, b) {
      return (b.feature.properties.population || 0) - (a.feature.properties.population || 0);
    });
    layers.forEach(function (layer) {
      var tip = layer.getTooltip && layer.getTooltip();
      var el = tip && tip.getElement && tip.getElement();
      if (!el) return;
      el.classList.remove("place-hidden");
      var r = el.getBoundingClientRect();
      var inside = r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
      var free = inside && !taken.some(function (t) { return overlaps(r, t); });
      if (free) taken.push(r); else el.classList.add("place-hidden");
    });
  }
  map.on("zoomend moveend", declutter);

  /* ---------------------------------------------------------------- frames and the slider */
  var slider = document.getElementById("slider");
  var frameIndex = -1;
  slider.max = String(D.frames.length - 1);
  if (D.frames.length < 2) document.getElementById("timebar").classList.add("single");

  function setFrame(i) {
    i = Math.max(0, Math.min(D.frames.length - 1, Number(i)));
    var fr = D.frames[i];
    frameIndex = i;
    slider.value = String(i);
    Object.keys(fr.layers).forEach(function (name) { setLayer(name, fr.layers[name]); });
    var head = esc(fr.header).replace(/\b(OPEN|SEALED)( \(\d+\/\d+ exits open\))?/, function (m, word) {
      return '<span id="status" class="' + word.toLowerCase() + '">' + m + "</span>";
    });
    var hdr = document.getElementById("header");
    hdr.innerHTML = head;
    hdr.dataset.status = fr.status;
    hdr.dataset.date = fr.date || "";
    document.getElementById("date").textContent = (fr.date || "") + "  (" + (i + 1) + "/" + D.frames.length + ")";
    var evs = (fr.report.events || []).map(function (e) {
      var src = e.sources && e.sources.length ? e.sources[0].key || e.sources[0].outlet : "";
      return '<span class="ev">' + (e.plan ? "[plan " + esc(e.plan) + "] " : "") + (e.actor ? esc(e.actor) + ": " : "") +
        esc(e.what) + " (conf " + Number(e.confidence).toFixed(1) + (src ? ", " + esc(src) : "") + ")</span>";
    });
    // zones that begin or end this day, with actor, side, confidence and source (on the first
    // frame, those that begin are the starting state: named in one line)
    var zs = fr.report.zone_changes || [];
    var held = i === 0 ? zs.filter(function (z) { return z.change === "begins"; }) : [];
    if (held.length) {
      evs.push('<span class="ev">zones held at the start: ' + held.map(function (z) {
        return esc(z.zone) + " (" + esc(z.actor) + ")";
      }).join(", ") + "</span>");
    }
    zs.filter(function (z) { return held.indexOf(z) < 0; }).forEach(function (z) {
      var src = z.sources && z.sources.length ? z.sources[0].key || z.sources[0].outlet : "";
      var bits = (z.confidence === null || z.confidence === undefined ? [] : ["conf " + Number(z.confidence).toFixed(1)]).concat(src ? [esc(src)] : []);
      evs.push('<span class="ev">' + esc(z.what) + (bits.length ? " (" + bits.join(", ") + ")" : "") + "</span>");
    });
    document.getElementById("events").innerHTML = evs.length ? "<b>this day:</b> " + evs.join("") : "";
    map.closePopup();
    map.invalidateSize({ pan: false });  // the header's height follows the day's events
    fitLegend();
    declutter();
  }
  slider.addEventListener("input", function () { setFrame(slider.value); });
  document.getElementById("prev").addEventListener("click", function () { setFrame(frameIndex - 1); });
  document.getElementById("next").addEventListener("click", function () { setFrame(frameIndex + 1); });

  // the first view frames the origin and the exits (the network when there are none), clear of
  // the controls: the zoom buttons on the left, the layers and the legend on the right, the
  // scale bar and the attribution at the bottom, with a margin all round
  var b = D.bounds;
  var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  if (current.areas && current.areas.getBounds().isValid()) bounds = current.areas.getBounds();
  function controlWidth(sel) {
    var el = map.getContainer().querySelector(sel);
    return el ? el.getBoundingClientRect().width : 0;
  }
  var right = Math.max(controlWidth(".leaflet-control-layers"), controlWidth(".legend"));
  var frameView = { paddingTopLeft: [70, 50], paddingBottomRight: [right + 50, 60] };
  map.fitBounds(bounds, frameView);
  setFrame(D.start);

  /* for tests and scripting */
  window.corridorMap = {
    data: D,
    map: map,
    setFrame: setFrame,
    frame: function () { return frameIndex; },
    count: function (name) { return current[name] ? current[name].getLayers().length : 0; },
    visible: function (name) { return map.hasLayer(groups[name]); },
    labels: function () {
      return Array.prototype.map.call(
        document.querySelectorAll(".place-label:not(.place-hidden)"), function (el) { return el.textContent; });
    },
    foldLegend: foldLegend,
    areaBoxes: function () {
      return current.areas.getLayers().map(function (layer) {
        var bb = layer.getBounds();
        var a = map.latLngToContainerPoint(bb.getNorthWest()), z = map.latLngToContainerPoint(bb.getSouthEast());
        var r = map.getContainer().getBoundingClientRect();
        return [layer.feature.properties.name, { left: r.left + a.x, top: r.top + a.y, right: r.left + z.x, bottom: r.top + z.y }];
      });
    },
    frameBounds: function () { return bounds; },
    frameView: frameView,
    point: function (name, i) {
      var layer = current[name].getLayers()[i || 0];
      var ll = layer.getCenter ? layer.getCenter() : layer.getLatLng();
      var p = map.latLngToContainerPoint(ll);
      var r = map.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }
  };
})();
