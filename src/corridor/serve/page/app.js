/* corridor serve: the workbench page.

   Draws the view of POST /api/view (the report, the static map's layers and its header) with
   Leaflet (served at /assets/), lets a click on a road close it as a what-if, draws circles and
   polygons to close areas, records what-ifs as sourced events and lists, retracts and exports
   them. Plain JavaScript, no build step, no other origin (the page runs under a strict CSP).

   Every text that comes from the server (road names, actors, quotes, sources) is data: it goes
   into the page through textContent and DOM nodes, never through innerHTML. */
(function () {
  "use strict";

  /* ------------------------------------------------------------------------------ helpers */
  function $(id) { return document.getElementById(id); }

  // the helpers, road styles, layer builders and popups the static map uses too
  // (corridor/outputs/assets/draw.js, served at /page/draw.js)
  var Draw = window.CorridorDraw;
  var el = Draw.el, add = Draw.add, clear = Draw.clear, fmt = Draw.fmt, pct = Draw.pct;
  var sourcesNode = Draw.sourcesNode, quote = Draw.quote, WHATIF = Draw.WHATIF;

  // JSON as Python's json.dumps writes it: a NaN or Infinity outside strings becomes null
  function parseJSON(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|(-?\bInfinity\b|\bNaN\b)/g, function (m, bare) {
        return bare ? "null" : m;
      }));
    }
  }

  function isoDay(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function dayMs(iso) { return Date.parse(iso + "T00:00:00Z"); }
  var DAY = 86400000;

  /* ------------------------------------------------------------------------- the API */
  var token = sessionStorage.getItem("corridor-token") || "";
  var pending = 0, busySince = 0, busyTimer = null, busyWhat = [];

  function busy(delta, what) {
    if (delta > 0) busyWhat.push(what); else busyWhat.splice(busyWhat.indexOf(what), 1);
    pending += delta;
    document.body.classList.toggle("busy", pending > 0);
    document.body.dataset.pending = String(pending);
    var box = $("busy");
    if (pending > 0 && box.hidden) {
      busySince = Date.now();
      box.hidden = false;
      busyTimer = setInterval(showBusy, 250);
    } else if (pending === 0) {
      box.hidden = true;
      clearInterval(busyTimer);
    }
    showBusy();
  }
  function showBusy() {
    var s = (Date.now() - busySince) / 1000;
    var what = busyWhat.length ? busyWhat[busyWhat.length - 1] : "";
    $("busy-text").textContent = what + "…" + (s >= 1 ? " " + Math.floor(s) + " s" : "") +
      (s >= 5 ? " (a large network takes a while the first time)" : "");
  }

  function HttpError(status, data, message) {
    this.status = status;
    this.data = data;
    this.message = message;
  }
  HttpError.prototype = Object.create(Error.prototype);

  // fetch JSON (or text) from the server; a non-2xx answer rejects with its one-line error
  function api(method, path, body, opts) {
    opts = opts || {};
    var headers = { Accept: opts.text ? "*/*" : "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    busy(+1, opts.what || "Loading");
    return fetch(path, {
      method: method, headers: headers, cache: "no-store", credentials: "omit",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        if (!opts.text || !r.ok) {
          try { data = text ? parseJSON(text) : null; } catch (e) { data = null; }
        }
        if (!r.ok) {
          var msg = data && data.error ? data.error : "HTTP " + r.status + " " + (r.statusText || "") + " from " + path;
          if (r.status === 401) $("token-box").hidden = false;
          throw new HttpError(r.status, data, msg);
        }
        if (opts.text) return { text: text, headers: r.headers };
        if (data === null && text) throw new HttpError(r.status, null, "the server's answer to " + path + " is not JSON");
        return data;
      });
    }, function (e) {
      throw new HttpError(0, null, "the server did not answer " + method + " " + path + " (" + e.message + "); is corridor serve still running?");
    }).finally(function () { busy(-1, opts.what || "Loading"); });
  }

  function showError(e) {
    var msg = e && e.message ? e.message : String(e);
    $("error-text").textContent = msg;
    $("error").hidden = false;
    if (window.console) console.warn("corridor serve:", msg);  // a warning: the page shows it
  }
  function hideError() { $("error").hidden = true; }
  $("error-close").addEventListener("click", hideError);

  /* ----------------------------------------------------------------------- the state */
  var S = {
    scenarios: [],
    sc: null,          // the scenario object of /api/scenarios
    mover: null,
    plan: "",
    days: [],          // every day from first to last (ISO)
    changes: [],       // the change dates (ISO) of the scenario or plan
    date: null,
    ways: [],          // what-if ways: [{way, label}]
    areas: [],         // what-if areas: [{lon, lat, radius_m}] or [{polygon}]
    view: null,        // the last /api/view answer
    base: {},          // scenario -> the version of the events this page has seen
    events: [],
    baseline: {},      // "scenario|date|mover|plan" -> the header without what-ifs
    roads: null,       // FeatureCollection of /api/roads
    roadByWay: {},
    applied: null,     // the what-ifs of the last view the server gave: {ways, areas}
    fitted: false
  };
  var viewSeq = 0;
  var author = localStorage.getItem("corridor-author") || "";
  $("author").value = author;
  $("author").addEventListener("change", function () {
    author = $("author").value.trim();
    localStorage.setItem("corridor-author", author);
  });

  /* ------------------------------------------------------------------------- the map */
  var TITLES = {
    zones: "Control zones (by side)",
    roads: "Road network (by class)",
    closed: "Closed roads",
    areas: "Origin and exits",
    routes: "Fastest routes",
    critical: "Critical stretches",
    corridors: "Open corridors (width: persons/hour)",
    cut: "Minimum cut",
    closures: "Closures (reported)",
    windows: "Windows (roads open only in given hours)",
    restricted: "Restricted roads (under fire: capacity and speed cut)",
    checkpoints: "Checkpoints (persons/hour, hours)",
    places: "Places (population)",
    communities: "Communities by status (corridor scan)",
    whatif: "What-if closures"
  };
  var VIEW = ["zones", "closed", "areas", "routes", "critical", "corridors", "cut", "closures", "windows",
    "restricted", "checkpoints", "places", "communities"];
  // layers the view asks for only while they are shown: corridors (on at the start) and
  // communities (a scan of every community: off until ticked)
  var ON_DEMAND = ["corridors", "communities"];

  var map = L.map("map", { zoomControl: true, minZoom: 2, doubleClickZoom: true });
  Draw.panes(map, ["zones", "roads", "closed", "areas", "routes", "critical", "corridors", "restricted", "windows",
    "cut", "whatif", "hit", "closures", "communities", "checkpoints", "places", "draw"]);
  map.getPane("draw").style.pointerEvents = "none";
  map.setView([30, 30], 3);

  var groups = {}, current = {};
  Object.keys(TITLES).forEach(function (name) {
    groups[name] = L.layerGroup();
    if (name !== "communities") groups[name].addTo(map);
  });
  var overlays = {};
  Object.keys(TITLES).forEach(function (name) { overlays[TITLES[name]] = groups[name]; });
  L.control.layers(null, overlays, { collapsed: true, position: "topright" }).addTo(map);
  L.control.scale({ imperial: false, maxWidth: 180, position: "bottomleft" }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("corridor serve");
  map.on("overlayadd", function (e) {
    if (e.layer === groups.corridors || e.layer === groups.communities) loadView(false);
  });

  var maxFlow = 1;
  var builders = Draw.builders({ maxFlow: function () { return maxFlow; } });

  function setLayer(name, fc) {
    groups[name].clearLayers();
    current[name] = builders[name](fc);
    groups[name].addLayer(current[name]);
  }

  // place labels: the most populous first; one that would cover another label or a control hides
  function declutter() { Draw.declutter(map, current.places); }
  map.on("zoomend moveend", declutter);

  /* legend: the static map's, exits and sides from the view (as text) */
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    var toggle = el("button", { type: "button", class: "legend-toggle", "aria-expanded": "true" }, "Legend ▾");
    toggle.addEventListener("click", function () {
      var fold = !div.classList.contains("folded");
      div.classList.toggle("folded", fold);
      toggle.textContent = fold ? "Legend ▸" : "Legend ▾";
      toggle.setAttribute("aria-expanded", fold ? "false" : "true");
      declutter();
    });
    add(div, [toggle, el("div", { class: "legend-body", id: "legend-body" })]);
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legend.addTo(map);
  if (window.innerHeight < 1000) legend.getContainer().querySelector(".legend-toggle").click();  // unfolds on a click
  function drawLegend(view) {
    var exits = (view.report.exits || []).map(function (x, i) {
      var f = (view.layers.areas.features || []).filter(function (a) { return a.properties.exit_index === i; })[0];
      return { name: x.name, colour: f ? f.properties.colour : "#555" };
    });
    var sides = {};
    (view.layers.zones.features || []).forEach(function (f) { sides[f.properties.side_name || f.properties.side] = f.properties.colour; });
    var statuses = {};
    ((view.layers.communities || {}).features || []).forEach(function (f) { statuses[f.properties.status] = f.properties.colour; });
    var note = view.layers.communities && view.layers.communities.properties && view.layers.communities.properties.note;
    add(clear($("legend-body")), Draw.legendEntries({
      exits: exits, origin: view.report.origin.name, whatif: true,
      sides: Object.keys(sides).map(function (s) { return { name: s, colour: sides[s] }; }),
      extra: view.layers.communities ? [Draw.communityLegend(statuses), note ? el("div", { class: "warn" }, note) : null] : []
    }));
  }

  /* --------------------------------------------------------------- roads: the click targets */
  var hit = null;
  var roadsCanvas = L.canvas({ pane: "roads" });
  var hitCanvas = L.canvas({ pane: "hit", tolerance: 3 });
  function loadRoads() {
    var q = "?scenario=" + encodeURIComponent(S.sc.name) + "&mover=" + encodeURIComponent(S.mover);
    return api("GET", "/api/roads" + q, undefined, { what: "Loading the roads" }).then(function (fc) {
      S.roads = fc;
      S.roadByWay = {};
      fc.features.forEach(function (f) { S.roadByWay[f.properties.way] = f; });
      groups.roads.clearLayers();
      // the roads and their click targets on canvases: a city's tens of thousands of ways stay fluid
      current.roads = L.geoJSON(fc, { pane: "roads", renderer: roadsCanvas, interactive: false, style: function (f) { return Draw.roadStyle(f.properties.highway); } });
      groups.roads.addLayer(current.roads);
      if (hit) map.removeLayer(hit);
      // where roads overlap, the more important road takes the click: lesser classes first
      var byClass = { features: fc.features.slice().sort(function (a, b) { return classRank(b) - classRank(a); }), type: "FeatureCollection" };
      hit = L.geoJSON(byClass, {
        pane: "hit",
        renderer: hitCanvas,
        style: function () { return { color: WHATIF, weight: 14, opacity: 0, lineCap: "round", className: "corridor-hit" }; },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(function () {
            var closed = isWhatIf(p.way);
            return el("span", null, el("b", null, p.road || p.name || "way " + p.way), el("br"),
              (p.highway ? p.highway + " · " : "") + fmt(p.capacity_pph) + " persons/h · OSM way " + p.way, el("br"),
              closed ? "click: reopen (remove the what-if)" : "click: close as a what-if");
          }, { sticky: true, className: "road-tip", direction: "top", offset: [0, -8] });
          layer.on("mouseover", function () { layer.setStyle({ opacity: 0.35 }); });
          layer.on("mouseout", function () { layer.setStyle({ opacity: 0 }); });
          layer.on("click", function (e) {
            L.DomEvent.stop(e);
            clickRoads(e.latlng, p.way);
          });
        }
      });
      hit.addTo(map);
      if (S.view) raiseHits(S.view);
      drawWhatIfs();
    });
  }

  // a click on the roads: the roads within reach of the click (the click target's half width
  // and the canvas tolerance, in screen pixels), nearest first. One road, or one clearly nearest
  // (at most half the next one's distance): it is closed or reopened at once. Several as near:
  // a chooser at the click names each (name, class, capacity, OSM way) and closes the one
  // picked, so that no road takes the click invisibly for another.
  var REACH_PX = 10;
  function roadsNear(latlng) {
    var at = map.latLngToLayerPoint(latlng);
    var pad = map.layerPointToLatLng(at.add([REACH_PX, REACH_PX]));
    var dLat = Math.abs(pad.lat - latlng.lat), dLng = Math.abs(pad.lng - latlng.lng);
    var box = L.latLngBounds([latlng.lat - dLat, latlng.lng - dLng], [latlng.lat + dLat, latlng.lng + dLng]);
    var near = [];
    hit.eachLayer(function (layer) {
      if (!layer.getBounds().intersects(box)) return;
      var best = Infinity;
      var lines = layer.getLatLngs();
      if (lines.length && !Array.isArray(lines[0])) lines = [lines];
      lines.forEach(function (line) {
        for (var i = 1; i < line.length; i++) {
          var a = map.latLngToLayerPoint(line[i - 1]), b = map.latLngToLayerPoint(line[i]);
          best = Math.min(best, L.LineUtil.pointToSegmentDistance(at, a, b));
        }
      });
      if (best <= REACH_PX) near.push({ way: layer.feature.properties.way, px: best });
    });
    near.sort(function (a, b) { return a.px - b.px || classRank(S.roadByWay[a.way]) - classRank(S.roadByWay[b.way]); });
    return near;
  }
  function clickRoads(latlng, fallback) {
    var near = roadsNear(latlng);
    if (!near.length) near = [{ way: fallback, px: 0 }];
    if (near.length === 1 || near[0].px < near[1].px / 2) {
      toggleWay(near[0].way);
      return;
    }
    var list = el("ul", { class: "road-choices" });
    near.slice(0, 8).forEach(function (n) {
      var p = (S.roadByWay[n.way] || {}).properties || {};
      var closed = isWhatIf(n.way);
      var pick = el("button", { type: "button", class: "road-choice", "data-way": n.way },
        (closed ? "Reopen " : "Close ") + (p.road || p.name || "road"));
      pick.addEventListener("click", function () { map.closePopup(chooser); toggleWay(n.way); });
      list.appendChild(el("li", null, pick, el("span", { class: "k" },
        " " + (p.highway ? p.highway + " · " : "") + fmt(p.capacity_pph) + " persons/h · OSM way " + n.way)));
    });
    var chooser = L.popup({ className: "road-chooser", maxWidth: 360 })
      .setLatLng(latlng)
      .setContent(el("div", null, el("b", null, near.length + " roads meet here: which one?"), list));
    // the roads' hover tips would cover the choices: hidden while the chooser is open
    map.getContainer().classList.add("choosing");
    chooser.on("remove", function () { map.getContainer().classList.remove("choosing"); });
    chooser.openOn(map);
  }

  var CLASSES = ["motorway", "trunk", "primary", "secondary", "tertiary"];
  function classRank(f) {
    var i = CLASSES.indexOf(String(f.properties.highway || "").replace(/_link$/, ""));
    return i < 0 ? CLASSES.length : i;
  }
  // the roads of the minimum cut, the critical segments and the what-ifs take clicks first
  function raiseHits(view) {
    if (!hit) return;
    var top = {};
    ["cut", "critical"].forEach(function (name) {
      ((view.layers[name] || {}).features || []).forEach(function (f) { top[f.properties.osm_way] = true; });
    });
    S.ways.forEach(function (w) { top[w.way] = true; });
    hit.eachLayer(function (layer) { if (top[layer.feature.properties.way]) layer.bringToFront(); });
  }

  /* ------------------------------------------------------------------------- what-ifs */
  function isWhatIf(way) { return S.ways.some(function (w) { return w.way === way; }); }
  // a road in words: its name or ref, its OSM way, and the places nearest its two ends (from
  // the view's places, within 25 km) when they differ: "R3 (way 1302) from Mosul to Tal Afar"
  function roadLabel(way) {
    var f = S.roadByWay[way];
    var p = f ? f.properties : {};
    var label = (p.road || p.name || "road") + " (way " + way + ")";
    var ends = f ? wayEnds(f.geometry) : null;
    if (ends) {
      var a = nearestPlace(ends[0]), b = nearestPlace(ends[1]);
      if (a && b && a !== b) label += " from " + a + " to " + b;
      else if (a || b) label += " near " + (a || b);
    }
    return label;
  }
  function wayEnds(g) {
    var lines = g.type === "MultiLineString" ? g.coordinates : g.type === "LineString" ? [g.coordinates] : [];
    if (!lines.length || !lines[0].length) return null;
    var last = lines[lines.length - 1];
    return [lines[0][0], last[last.length - 1]];
  }
  function nearestPlace(pt) {
    var feats = S.view && S.view.layers.places ? S.view.layers.places.features : [];
    var best = null, bestM = 25000;
    feats.forEach(function (f) {
      var m = map.distance([pt[1], pt[0]], [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
      if (m < bestM) { bestM = m; best = f.properties.name; }
    });
    return best;
  }
  function toggleWay(way) {
    if (isWhatIf(way)) S.ways = S.ways.filter(function (w) { return w.way !== way; });
    else S.ways.push({ way: way, label: roadLabel(way) });
    whatIfsChanged();
  }
  function areaLabel(a) {
    if (a.polygon) return "the area inside a polygon of " + a.polygon.length + " points";
    return fmt(a.radius_m) + " m around " + a.lon.toFixed(5) + ", " + a.lat.toFixed(5);
  }
  function whatIfsChanged() {
    closeRecord();
    drawWhatIfs();
    loadView(true);
  }
  function drawWhatIfs(report) {
    groups.whatif.clearLayers();
    S.ways.forEach(function (w) {
      var f = S.roadByWay[w.way];
      if (f) groups.whatif.addLayer(L.geoJSON(f, { pane: "whatif", interactive: false, style: function () { return { color: WHATIF, weight: 7, opacity: 0.75, dashArray: "10 6", className: "corridor-whatif" }; } }));
    });
    S.areas.forEach(function (a) {
      var style = { pane: "whatif", interactive: false, color: WHATIF, weight: 2, dashArray: "6 4", fillColor: WHATIF, fillOpacity: 0.12, className: "corridor-whatif-area" };
      groups.whatif.addLayer(a.polygon
        ? L.polygon(a.polygon.map(function (p) { return [p[1], p[0]]; }), style)
        : L.circle([a.lat, a.lon], L.extend({ radius: a.radius_m }, style)));
    });
    var warn = {};
    report = report || (S.view && S.view.report);
    if (report) {
      (report.warnings || []).forEach(function (w) {
        var m = /^what-if\[(\d+)\]$/.exec(w.id || "");
        if (m) warn[Number(m[1])] = w.message;
      });
    }
    var list = clear($("whatifs"));
    var items = S.ways.map(function (w) { return { text: "Closed: " + w.label, remove: function () { S.ways = S.ways.filter(function (x) { return x !== w; }); } }; })
      .concat(S.areas.map(function (a) { return { text: "Closed: " + areaLabel(a), remove: function () { S.areas = S.areas.filter(function (x) { return x !== a; }); } }; }));
    items.forEach(function (it, i) {
      var btn = el("button", { type: "button", title: "remove this what-if", "aria-label": "remove " + it.text }, "✕");
      btn.addEventListener("click", function () { it.remove(); whatIfsChanged(); });
      list.appendChild(el("li", null, el("span", { class: "what" }, it.text, warn[i] ? el("span", { class: "warn" }, "⚠ " + warn[i]) : null), btn));
    });
    if (!items.length) list.appendChild(el("li", { class: "none" }, el("span", { class: "what hint" }, "None: the recorded state.")));
    $("clear").disabled = !items.length;
    $("record-open").disabled = !items.length;
  }
  $("clear").addEventListener("click", function () { S.ways = []; S.areas = []; whatIfsChanged(); });

  /* modes: close roads, inspect, draw a circle, draw a polygon */
  var mode = "close", draft = null;
  var MODES = { close: "mode-close", inspect: "mode-inspect", circle: "draw-circle", polygon: "draw-polygon" };
  var HINTS = {
    close: "Click a road to close it; click it again to reopen it.",
    inspect: "Click a layer to see what it is (roads are not closed in this mode).",
    circle: "Click the circle's centre, then its edge. Escape cancels.",
    polygon: "Click the polygon's corners; Finish (or double-click) closes it. Escape cancels."
  };
  function setMode(m) {
    cancelDraft();
    mode = m;
    Object.keys(MODES).forEach(function (k) {
      $(MODES[k]).classList.toggle("active", k === m);
      $(MODES[k]).setAttribute("aria-pressed", k === m ? "true" : "false");
    });
    $("mode-hint").textContent = HINTS[m];
    var drawing = m === "circle" || m === "polygon";
    map.getContainer().classList.toggle("drawing", drawing);
    $("draw-bar").hidden = !drawing;
    $("draw-finish").hidden = m !== "polygon";
    $("draw-hint").textContent = drawing ? HINTS[m] : "";
    if (drawing) map.doubleClickZoom.disable(); else map.doubleClickZoom.enable();
    // the click targets' canvas covers the map below it: shown only while a click closes roads
    map.getPane("hit").style.display = m === "close" ? "" : "none";
  }
  Object.keys(MODES).forEach(function (k) { $(MODES[k]).addEventListener("click", function () { setMode(k); }); });

  function cancelDraft() {
    if (draft && draft.layer) map.removeLayer(draft.layer);
    if (draft && draft.marks) map.removeLayer(draft.marks);
    draft = null;
  }
  var draftStyle = { pane: "draw", interactive: false, color: WHATIF, weight: 2, dashArray: "4 4", fillColor: WHATIF, fillOpacity: 0.15 };
  map.on("click", function (e) {
    if (mode === "circle") {
      if (!draft) {
        draft = { centre: e.latlng, layer: L.circle(e.latlng, L.extend({ radius: 1 }, draftStyle)).addTo(map) };
        $("draw-hint").textContent = "Now click the circle's edge.";
      } else {
        var r = Math.round(map.distance(draft.centre, e.latlng));
        var c = draft.centre;
        cancelDraft();
        if (r < 1) { showError("the circle has no radius: click its edge away from its centre"); return; }
        S.areas.push({ lon: round6(c.lng), lat: round6(c.lat), radius_m: r });
        setMode("close");
        whatIfsChanged();
      }
    } else if (mode === "polygon") {
      if (!draft) draft = { points: [], layer: L.polygon([], draftStyle).addTo(map), marks: L.layerGroup().addTo(map) };
      draft.points.push(e.latlng);
      draft.layer.setLatLngs(draft.points);
      draft.marks.addLayer(L.circleMarker(e.latlng, { pane: "draw", interactive: false, radius: 3, color: WHATIF }));
      $("draw-hint").textContent = draft.points.length + " corner" + (draft.points.length > 1 ? "s" : "") + ": click more, then Finish.";
    }
  });
  map.on("mousemove", function (e) {
    if (mode === "circle" && draft) draft.layer.setRadius(Math.max(1, map.distance(draft.centre, e.latlng)));
  });
  map.on("dblclick", function () { if (mode === "polygon") finishPolygon(); });
  function round6(x) { return Math.round(x * 1e6) / 1e6; }
  function finishPolygon() {
    if (!draft || !draft.points) return;
    // a double-click adds its point twice: drop repeats
    var pts = draft.points.filter(function (p, i, all) { return i === 0 || !p.equals(all[i - 1]); });
    if (pts.length < 3) { showError("a polygon needs at least 3 corners; click more corners, then Finish"); return; }
    var ring = pts.map(function (p) { return [round6(p.lng), round6(p.lat)]; });
    ring.push(ring[0]);
    cancelDraft();
    S.areas.push({ polygon: ring });
    setMode("close");
    whatIfsChanged();
  }
  $("draw-finish").addEventListener("click", finishPolygon);
  $("draw-cancel").addEventListener("click", function () { setMode("close"); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && (mode === "circle" || mode === "polygon")) setMode("close");
  });

  /* ------------------------------------------------------------------------- the view */
  function viewBody() {
    var layers = VIEW.filter(function (n) { return ON_DEMAND.indexOf(n) < 0 || map.hasLayer(groups[n]); });
    return {
      scenario: S.sc.name, date: S.date, mover: S.mover, plan: S.plan || null,
      close_ways: S.ways.map(function (w) { return w.way; }),
      close_areas: S.areas.map(function (a) { return a.polygon ? { polygon: a.polygon } : { lon: a.lon, lat: a.lat, radius_m: a.radius_m }; }),
      layers: layers
    };
  }
  function situationKey() { return [S.sc.name, S.date, S.mover, S.plan].join("|"); }

  // quick: a what-if changed; the quick answer (POST /api/whatif, the server's ClosureSession:
  // status, cut, critical segments, fastest routes, capacity) is drawn first, then the full view
  // (alternative routes, corridors, evacuation time) replaces it
  function loadView(quick) {
    if (!S.sc || !S.date) return Promise.resolve();
    var seq = ++viewSeq;
    var body = viewBody();
    var key = situationKey();
    var sent = { ways: S.ways.slice(), areas: S.areas.slice() };
    var what = body.close_ways.length || body.close_areas.length;
    var first = Promise.resolve(true);
    if (quick === true && what) {
      var q = L.extend({}, body);
      delete q.layers;  // the server's default: the layers that change with a closure
      first = api("POST", "/api/whatif", q, { what: "Closing" }).then(function (res) {
        if (seq !== viewSeq) return false;
        hideError();
        S.applied = sent;
        Object.keys(res.layers).forEach(function (name) { if (builders[name]) setLayer(name, res.layers[name]); });
        drawHeader(res.header_parts, res.answer, body, key, true);
        drawWhatIfs(res.answer);
        return true;
      });
    }
    return first.then(function (go) {
      if (!go || seq !== viewSeq) return;
      return api("POST", "/api/view", body, { what: "Computing the view" }).then(function (view) {
        if (seq !== viewSeq) return;  // a later request is on its way
        hideError();
        S.applied = sent;
        S.view = view;
        if (!what) S.baseline[key] = view.header_parts;
        maxFlow = 1;
        (view.layers.corridors ? view.layers.corridors.features : []).forEach(function (f) { maxFlow = Math.max(maxFlow, f.properties.edge_flow_pph); });
        Object.keys(view.layers).forEach(function (name) { if (builders[name]) setLayer(name, view.layers[name]); });
        ON_DEMAND.forEach(function (n) { if (!view.layers[n]) groups[n].clearLayers(); });
        drawHeader(view.header_parts, view.report, body, key, false);
        raiseHits(view);
        drawLegend(view);
        drawWhatIfs(view.report);
        if (!S.fitted) fit();
        checkVersion(view.version);
        declutter();
      });
    }).catch(function (e) {
      if (seq !== viewSeq) return;
      var undo = e.status === 422 && S.applied &&
        (S.applied.ways.length !== sent.ways.length || S.applied.areas.length !== sent.areas.length);
      if (undo) {
        // the server refused a what-if (an invalid polygon, say): the map still shows the last
        // accepted ones, and so does the list
        S.ways = S.applied.ways.slice();
        S.areas = S.applied.areas.slice();
        drawWhatIfs();
        e.message += " (that what-if was not applied)";
      }
      showError(e);
    });
  }

  function fit() {
    var b = current.areas && current.areas.getBounds();
    if ((!b || !b.isValid()) && current.roads) b = current.roads.getBounds();
    if (b && b.isValid()) {
      map.fitBounds(b, { paddingTopLeft: [60, 40], paddingBottomRight: [60, 40] });
      S.fitted = true;
    }
  }

  // the header from its parts (the server's header_parts: the status is a field, not read
  // back out of the text)
  function drawHeader(header, report, body, key, quick) {
    S.viewBody = body;
    var hdr = clear($("header"));
    add(hdr, Draw.headerNodes(header, "status"));
    if (quick) add(hdr, el("span", { class: "pending" }, " · evacuation: computing…"));
    var n = body.close_ways.length + body.close_areas.length;
    if (n) add(hdr, el("span", { class: "whatif-badge" }, "what-if: " + n + " closure" + (n > 1 ? "s" : "")));
    hdr.dataset.status = report.status;
    hdr.dataset.date = report.date || "";
    hdr.dataset.quick = quick ? "1" : "";
    var base = clear($("baseline"));
    var was = S.baseline[key];
    base.hidden = !n || !was;
    if (n && was) add(base, "Recorded (without the what-ifs): ", Draw.headerNodes(was, null, "status"));
  }

  /* --------------------------------------------------------------- the date slider */
  function setDays() {
    var sc = S.sc;
    S.changes = (S.plan && sc.plan_dates && sc.plan_dates[S.plan]) || sc.dates;
    var first = dayMs(sc.first), last = dayMs(sc.last || sc.first);
    S.days = [];
    for (var t = first; t <= last; t += DAY) S.days.push(isoDay(t));
    var slider = $("slider");
    slider.max = String(Math.max(0, S.days.length - 1));
    var list = clear($("changes"));
    S.changes.forEach(function (d) { list.appendChild(el("option", { value: S.days.indexOf(d) })); });
    if (!S.date || S.days.indexOf(S.date) < 0) S.date = S.changes[0] || S.days[0];
    showDate();
  }
  function showDate() {
    var i = S.days.indexOf(S.date);
    $("slider").value = String(i);
    var label = clear($("date"));
    add(label, [S.date, " ", el("span", { class: "change" }, S.changes.indexOf(S.date) >= 0 ? "(change date)" : "(" + (i + 1) + "/" + S.days.length + ")")]);
    $("prev").disabled = !S.changes.some(function (d) { return d < S.date; });
    $("next").disabled = !S.changes.some(function (d) { return d > S.date; });
    if ($("record").hidden) $("ev-date").value = S.date;  // an open form keeps its date
  }
  var slideTimer = null;
  function setDate(d, now) {
    if (!d || d === S.date) return;
    S.date = d;
    showDate();
    writeHash();
    clearTimeout(slideTimer);
    slideTimer = null;
    if (now) loadView(); else slideTimer = setTimeout(function () { slideTimer = null; loadView(); }, 200);
  }
  $("slider").addEventListener("input", function () { setDate(S.days[Number($("slider").value)]); });
  $("prev").addEventListener("click", function () {
    var before = S.changes.filter(function (d) { return d < S.date; });
    setDate(before[before.length - 1], true);
  });
  $("next").addEventListener("click", function () {
    setDate(S.changes.filter(function (d) { return d > S.date; })[0], true);
  });

  /* ---------------------------------------------------------- scenario, mover, plan */
  function fillSelect(sel, options, value) {
    clear(sel);
    options.forEach(function (o) { sel.appendChild(el("option", { value: o[0], selected: o[0] === value }, o[1])); });
    sel.value = value;
  }
  function setScenario(name, keep) {
    var sc = S.scenarios.filter(function (s) { return s.name === name; })[0] || S.scenarios[0];
    S.sc = sc;
    fillSelect($("scenario"), S.scenarios.map(function (s) { return [s.name, s.title]; }), sc.name);
    keep = keep || {};
    S.mover = sc.movers.indexOf(keep.mover) >= 0 ? keep.mover : sc.default_mover;
    fillSelect($("mover"), sc.movers.map(function (m) { return [m, (sc.mover_names && sc.mover_names[m]) || m]; }), S.mover);
    var plans = sc.plans.map(function (p) { return p.name; });
    S.plan = plans.indexOf(keep.plan) >= 0 ? keep.plan : sc.default_plan || "";
    fillSelect($("plan"), [["", "none (as reported)"]].concat(sc.plans.map(function (p) { return [p.name, p.title]; })), S.plan);
    S.date = keep.date || null;
    S.ways = []; S.areas = []; S.applied = null; S.fitted = false; S.view = null;
    if (S.base[sc.name] === undefined) S.base[sc.name] = sc.version;
    document.title = sc.title + " · corridor serve";
    setDays();
    writeHash();
    closeRecord();
    return Promise.all([loadRoads(), loadEvents(), loadView()]).catch(showError);
  }
  $("scenario").addEventListener("change", function () { setScenario($("scenario").value); });
  $("mover").addEventListener("change", function () {
    S.mover = $("mover").value;
    S.ways = []; S.areas = []; S.applied = null;
    writeHash();
    Promise.all([loadRoads(), loadView()]).catch(showError);
  });
  $("plan").addEventListener("change", function () {
    S.plan = $("plan").value;
    setDays();
    writeHash();
    loadView();
  });

  function writeHash() {
    if (!S.sc) return;
    var parts = ["scenario=" + encodeURIComponent(S.sc.name), "mover=" + encodeURIComponent(S.mover || "")];
    if (S.plan) parts.push("plan=" + encodeURIComponent(S.plan));
    if (S.date) parts.push("date=" + S.date);
    history.replaceState(null, "", "#" + parts.join("&"));
  }
  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) {
        try { out[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); } catch (e) { /* a malformed hash is ignored */ }
      }
    });
    if (out.date && !/^\d{4}-\d{2}-\d{2}$/.test(out.date)) delete out.date;
    return out;
  }

  /* --------------------------------------------------------------------------- events */
  function describeTarget(ev) {
    var t = ev.target || {};
    var what = ev.kind || "event";
    if (t.way !== undefined) return what + " " + roadLabel(t.way);
    if (t.ways) return what + " " + t.ways.map(roadLabel).join(", ");
    if (t.point) return what + " " + fmt(t.radius_m) + " m around " + t.point.join(", ");
    if (t.polygon) return what + " a polygon of " + t.polygon.length + " points";
    if (t.ref) return what + " " + t.ref + (t.between ? " between " + t.between.join(" and ") : "");
    if (t.place) return what + " " + t.place;
    if (t.event) return what + " (undoes " + t.event + ")";
    return what;
  }
  function sourceList(src) {
    if (!src) return [];
    return (Array.isArray(src) ? src : [src]);
  }
  function when(iso) { return iso ? iso.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", " UTC") : ""; }

  function loadEvents() {
    var name = S.sc.name;
    return api("GET", "/api/scenarios/" + encodeURIComponent(name) + "/events", undefined, { what: "Loading the events" }).then(function (data) {
      if (S.sc.name !== name) return;
      S.events = data.events;
      S.base[name] = data.version;
      $("notice").hidden = true;
      drawEvents();
    });
  }
  function checkVersion(version) {
    if (version === undefined || version === null || !S.sc) return;
    var mine = S.base[S.sc.name];
    if (version > mine) {
      $("notice-text").textContent = "The scenario's events changed since this page loaded them (version " + version +
        ", this page has " + mine + "); the map shows them, the list does not yet.";
      $("notice").hidden = false;
    }
  }
  $("notice-reload").addEventListener("click", function () { loadEvents().catch(showError); });
  $("only-log").addEventListener("change", drawEvents);

  function drawEvents() {
    $("version").textContent = "(version " + S.base[S.sc.name] + ")";
    var actors = clear($("actors"));
    var seen = {};
    S.events.forEach(function (e) {
      if (e.actor && !seen[e.actor]) { seen[e.actor] = true; actors.appendChild(el("option", { value: e.actor })); }
    });
    var list = clear($("events"));
    var onlyLog = $("only-log").checked;
    var evs = S.events.filter(function (e) { return !onlyLog || e.origin === "log" || e.version > 0; });
    // the latest edits first, then the file's events by date
    evs.sort(function (a, b) { return (b.version || 0) - (a.version || 0) || String(a.date).localeCompare(String(b.date)); });
    evs.forEach(function (e) { list.appendChild(eventItem(e)); });
    if (!evs.length) list.appendChild(el("li", { class: "hint" }, "No event recorded here yet."));
  }

  function eventItem(e) {
    var li = el("li", { class: "ev " + (e.status === "retracted" ? "retracted " : "") + (e.origin === "log" ? "log" : "file"), "data-id": e.id });
    add(li, el("div", { class: "line1" }, e.date + " · " + e.id,
      e.status === "retracted" ? el("span", { class: "badge retracted" }, "retracted") : null,
      e.origin === "log" ? el("span", { class: "badge log" }, "recorded here") : null,
      e.version > 0 && e.origin !== "log" ? el("span", { class: "badge log" }, "edited") : null));
    add(li, el("div", { class: "what" }, e.summary || describeTarget(e)));
    var bits = [];
    if (e.actor) bits.push("actor " + e.actor);
    if (e.confidence !== undefined) bits.push("confidence " + pct(e.confidence));
    if (bits.length) add(li, el("div", { class: "who" }, bits.join(" · ")));
    var src = sourceList(e.source);
    if (src.length) add(li, el("div", { class: "who" }, "source: ", sourcesNode(src)));
    add(li, quote(e.quote));
    var who = e.origin === "file" && !e.version ? "from the scenario file"
      : "recorded by " + e.author + (e.created ? " at " + when(e.created) : "") +
        (e.updated_by && e.updated !== e.created ? "; last changed by " + e.updated_by + " at " + when(e.updated) : "");
    add(li, el("div", { class: "who by" }, who));
    var actions = el("div", { class: "actions" });
    var histBtn = el("button", { type: "button", class: "history-btn" }, "History");
    histBtn.addEventListener("click", function () { toggleHistory(li, e); });
    add(actions, histBtn);
    if (e.status !== "retracted") {
      var retractBtn = el("button", { type: "button", class: "retract-btn" }, "Retract…");
      retractBtn.addEventListener("click", function () { askRetract(li, e, actions); });
      add(actions, retractBtn);
    }
    add(li, actions);
    return li;
  }

  function toggleHistory(li, e) {
    var old = li.querySelector(".history");
    if (old) { li.removeChild(old); return; }
    api("GET", "/api/scenarios/" + encodeURIComponent(S.sc.name) + "/events/" + encodeURIComponent(e.id) + "/history", undefined, { what: "Loading the history" })
      .then(function (data) {
        if (li.querySelector(".history")) return;
        var ul = el("ul", { class: "history" });
        data.history.forEach(function (h) {
          var why = h.op === "retract" && h.event && h.event.reason ? ": " + h.event.reason : "";
          ul.appendChild(el("li", null, (h.version ? "v" + h.version + " " : "") + h.op + " by " + h.author +
            (h.created ? " at " + when(h.created) : "") + why));
        });
        li.appendChild(ul);
      }, showError);
  }

  function needAuthor() {
    author = $("author").value.trim();
    if (!author) {
      $("author").focus();
      throw new HttpError(0, null, "give your name (\"You are\", in the events panel): every edit says who made it");
    }
    localStorage.setItem("corridor-author", author);
    return author;
  }

  function askRetract(li, e, actions) {
    if (li.querySelector(".retract-form")) return;
    var reason = el("input", { placeholder: "why (optional)", maxlength: 1000, class: "retract-reason" });
    var ok = el("button", { type: "button", class: "retract-confirm" }, "Retract");
    var cancel = el("button", { type: "button" }, "Cancel");
    var msg = el("div", { class: "warn retract-error", role: "alert" });
    var form = el("div", { class: "retract-form actions" }, reason, ok, cancel, msg);
    cancel.addEventListener("click", function () { li.removeChild(form); });
    ok.addEventListener("click", function () {
      var name = S.sc.name;
      try { needAuthor(); } catch (err) { msg.textContent = err.message; return; }
      api("POST", "/api/scenarios/" + encodeURIComponent(name) + "/events/" + encodeURIComponent(e.id) + "/retract",
        { base_version: S.base[name], author: author, reason: reason.value.trim() }, { what: "Retracting" })
        .then(function (res) {
          S.base[name] = res.version;
          return loadEvents().then(loadView);
        }, function (err) {
          msg.textContent = err.message;
          if (err.status === 409) add(msg, changesList(err.data));
        }).catch(showError);
    });
    li.insertBefore(form, actions.nextSibling);
    reason.focus();
  }

  function changesList(data) {
    var ul = el("ul", { class: "changes" });
    ((data && data.changes) || []).forEach(function (c) {
      var ev = c.event || {};
      var what = c.op === "retract" ? "" : ": " + (ev.summary || describeTarget(ev)) + (ev.date ? " on " + ev.date : "");
      ul.appendChild(el("li", null, "v" + c.version + " " + c.op + " " + c.event_id + " by " + c.author + " at " + when(c.created) + what));
    });
    return ul;
  }

  /* ---------------------------------------------------------------- record as event */
  // the targets of the current what-ifs: the ways together, each area alone
  function targets() {
    var out = [];
    if (S.ways.length === 1) out.push({ way: S.ways[0].way });
    else if (S.ways.length) out.push({ ways: S.ways.map(function (w) { return w.way; }) });
    S.areas.forEach(function (a) {
      out.push(a.polygon ? { polygon: a.polygon } : { point: [a.lon, a.lat], radius_m: a.radius_m });
    });
    return out;
  }
  function closeRecord() {
    $("record").hidden = true;
  }
  // what the recorded event does to its target, by kind
  var KIND_VERB = {
    close: "The event closes: ", reopen: "The event reopens: ",
    window: "The event opens only in its hours (closed outside them): ",
    restrict: "The event restricts (open, capacity and speed cut): "
  };
  function recordWhat() {
    var ts = targets();
    var kind = $("ev-kind").value;
    document.querySelectorAll("#record-form .kind-window").forEach(function (node) { node.hidden = kind !== "window"; });
    document.querySelectorAll("#record-form .kind-restrict").forEach(function (node) { node.hidden = kind !== "restrict"; });
    $("record-what").textContent = ts.length === 1
      ? (KIND_VERB[kind] || "The event's target: ") + describeTarget({ kind: "", target: ts[0] }).trim() + "."
      : "Records " + ts.length + " events, one per target: " + ts.map(function (t) { return describeTarget({ kind: "", target: t }).trim(); }).join("; ") + ".";
  }
  $("ev-kind").addEventListener("change", recordWhat);
  $("record-open").addEventListener("click", function () {
    recordWhat();
    if (!$("ev-date").value) $("ev-date").value = S.date;
    $("record-error").hidden = true;
    $("record-changes").hidden = true;
    $("record-reload").hidden = true;
    $("record").hidden = false;
    $("record").scrollIntoView({ block: "nearest" });
    $("ev-date").focus();
  });
  $("record-cancel").addEventListener("click", closeRecord);
  $("record-reload").addEventListener("click", function () {
    loadEvents().then(function () {
      $("record-reload").hidden = true;
      $("record-changes").hidden = true;
      $("record-error").hidden = true;
      return loadView();
    }).catch(showError);
  });

  function eventFields(target, i, n) {
    var v = function (id) { return $(id).value.trim(); };
    var f = { date: v("ev-date"), kind: $("ev-kind").value, target: target };
    if (v("ev-id")) f.id = n > 1 ? v("ev-id") + "-" + (i + 1) : v("ev-id");
    if (v("ev-actor")) f.actor = v("ev-actor");
    var conf = v("ev-confidence");
    f.confidence = conf === "" ? null : Number(conf);
    if (v("ev-summary")) f.summary = v("ev-summary");
    var src = {};
    if (v("ev-outlet")) src.outlet = v("ev-outlet");
    if (v("ev-title")) src.title = v("ev-title");
    if (v("ev-url")) src.url = v("ev-url");
    if (v("ev-source-date")) src.date = v("ev-source-date");
    if (Object.keys(src).length) f.source = src;
    if (v("ev-quote")) f.quote = $("ev-quote").value.trim();
    if ($("ev-only-mover").checked) f.movers = [S.mover];
    if (f.kind === "window") {
      if (v("ev-until")) f.until = v("ev-until");
      if (v("ev-hours")) f.hours = v("ev-hours");  // required: the scenario's rules say so when it is missing
    } else if (f.kind === "restrict") {
      f.capacity_factor = v("ev-capacity") === "" ? null : Number(v("ev-capacity"));
      f.speed_factor = v("ev-speed") === "" ? null : Number(v("ev-speed"));
    }
    return f;
  }

  $("record-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var errBox = $("record-error");
    errBox.hidden = true;
    $("record-changes").hidden = true;
    try { needAuthor(); } catch (err) { errBox.textContent = err.message; errBox.hidden = false; return; }
    var name = S.sc.name;
    var ts = targets();
    var done = [];
    $("record-submit").disabled = true;
    // one write after another, each based on the version the previous one made
    ts.reduce(function (p, target, i) {
      return p.then(function () {
        var body = eventFields(target, i, ts.length);
        body.base_version = S.base[name];
        body.author = author;
        return api("POST", "/api/scenarios/" + encodeURIComponent(name) + "/events", body, { what: "Recording the event" })
          .then(function (res) { S.base[name] = res.version; done.push(res.event ? res.event.id : "?"); });
      });
    }, Promise.resolve()).then(function () {
      S.ways = []; S.areas = [];
      closeRecord();
      $("record-form").reset();
      $("ev-date").value = S.date;
      drawWhatIfs();
      return loadEvents().then(loadView);
    }, function (err) {
      var msg = err.message;
      if (done.length) msg = "recorded " + done.join(", ") + "; then: " + msg;
      errBox.textContent = msg;
      errBox.hidden = false;
      if (err.data && err.data.problems) add(errBox, el("ul", null, err.data.problems.map(function (p) { return el("li", null, p); })));
      if (err.status === 409) {
        var ul = clear($("record-changes"));
        add(ul, el("li", null, "What changed since this page loaded the events:"));
        changesList(err.data).childNodes.forEach(function (c) { ul.appendChild(c.cloneNode(true)); });
        ul.hidden = false;
        $("record-reload").hidden = false;
      }
    }).finally(function () { $("record-submit").disabled = false; });
  });

  /* --------------------------------------------------------------------------- export */
  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = el("a", { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }
  function viewName(ext) {
    return [S.sc.name, S.date, S.mover].concat(S.plan ? [S.plan] : []).concat(S.viewBody && (S.viewBody.close_ways.length || S.viewBody.close_areas.length) ? ["what-if"] : []).join("_") + ext;
  }
  $("export-yaml").addEventListener("click", function () {
    var name = S.sc.name;
    api("GET", "/api/scenarios/" + encodeURIComponent(name) + "/export", undefined, { text: true, what: "Exporting" })
      .then(function (r) { download(name + ".yaml", "application/yaml", r.text); }, showError);
  });
  $("export-geojson").addEventListener("click", function () {
    if (!S.view) { showError("no view to export yet"); return; }
    var feats = [];
    Object.keys(S.view.layers).forEach(function (k) { feats = feats.concat(S.view.layers[k].features); });
    var req = S.viewBody;
    download(viewName(".geojson"), "application/geo+json", JSON.stringify({
      type: "FeatureCollection",
      properties: {
        scenario: req.scenario, date: req.date, mover: req.mover, plan: req.plan,
        close_ways: req.close_ways, close_areas: req.close_areas, header: S.view.header, version: S.view.version
      },
      features: feats
    }));
  });
  $("export-json").addEventListener("click", function () {
    if (!S.view) { showError("no view to export yet"); return; }
    download(viewName(".json"), "application/json", JSON.stringify(S.view.report, null, 2));
  });

  /* ---------------------------------------------------------------------------- token */
  $("token-use").addEventListener("click", function () {
    token = $("token").value.trim();
    sessionStorage.setItem("corridor-token", token);
    $("token-box").hidden = true;
    start();
  });

  /* ---------------------------------------------------------------------------- start */
  function start() {
    hideError();
    return api("GET", "/api/scenarios", undefined, { what: "Loading the scenarios" }).then(function (list) {
      if (!list.length) throw new HttpError(0, null, "the server serves no scenario");
      S.scenarios = list;
      var h = readHash();
      return setScenario(h.scenario, h);
    }).catch(showError);
  }
  setMode("close");
  start();
  window.addEventListener("resize", declutter);

  /* for tests and scripting */
  window.corridorServe = {
    map: map,
    state: S,
    idle: function () { return pending === 0 && !slideTimer && !!S.view; },
    count: function (name) { return current[name] ? current[name].getLayers().length : 0; },
    ways: function (name) {
      return S.view && S.view.layers[name] ? S.view.layers[name].features.map(function (f) { return f.properties.osm_way; }) : [];
    },
    // the page coordinates of a layer's i-th feature (its middle), for a click
    point: function (name, i) { return Draw.screenPoint(map, current[name].getLayers()[i || 0]); },
    // frame a layer's i-th feature, or the whole layer (no animation)
    zoomTo: function (name, i) {
      var layer = i === undefined ? current[name] : current[name].getLayers()[i];
      map.fitBounds(layer.getBounds(), { animate: false, maxZoom: 15, padding: [80, 80] });
    },
    // the page coordinates of the middle of a road (an OSM way of /api/roads)
    road: function (way) {
      var layer = hit.getLayers().filter(function (l) { return l.feature.properties.way === way; })[0];
      var p = map.latLngToContainerPoint(layer.getCenter());
      var r = map.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    // the page coordinates of a [lon, lat]
    at: function (lon, lat) {
      var p = map.latLngToContainerPoint([lat, lon]);
      var r = map.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    setDate: function (d) { setDate(d, true); }
  };
})();
