/* corridor map: draws the embedded data with Leaflet; the slider switches dates client-side. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("corridor-data").textContent);

  var Draw = window.CorridorDraw, el = Draw.el, add = Draw.add, clear = Draw.clear;

  var map = L.map("map", { zoomControl: true, minZoom: 2 });
  Draw.panes(map, ["borders", "zones", "pocket", "roads", "closed", "areas", "routes", "critical", "corridors",
    "chance", "impact", "restricted", "windows", "cut", "closures", "communities", "checkpoints", "places"]);
  map.getPane("borders").style.pointerEvents = "none";

  /* the layer builders and their popups: corridor/outputs/assets/draw.js, shared with the
     workbench page */
  var builders = Draw.builders({ maxFlow: function () { return D.max_flow_pph; } });

  /* ---------------------------------------------------------------- layers and controls */
  var groups = {};
  var current = {};
  Object.keys(D.titles).forEach(function (name) { groups[name] = L.layerGroup().addTo(map); });

  var bordersLayer = builders.borders(D.static.borders);
  var base = Draw.baseLayers(map, D.tiles, bordersLayer);
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
    var extra = [];
    if ((D.overlays || []).indexOf("chance") >= 0) {
      extra.push(el("h4", null, "Exits by probability reachable"),
        el("span", { class: "ramp", style: "background:linear-gradient(to right,#D55E00,#F0E442,#009E73)" }), el("br"),
        "0 % → 100 % (dashed: under 50 %)", el("br"));
    }
    if ((D.overlays || []).indexOf("impact") >= 0) {
      extra.push(el("h4", null, "Roads by impact (closed alone)"),
        el("span", { class: "ramp", style: "background:linear-gradient(to right,#ffffb2,#fecc5c,#fd8d3c,#f03b20,#bd0026)" }), el("br"),
        "capacity lost 0 % → 100 %", el("br"), el("span", { class: "sw", style: "border-top:6px solid #3f007d" }), "seals the origin", el("br"));
    }
    if (D.status_colours) extra.push(Draw.communityLegend(D.status_colours));
    var body = el("div", { class: "legend-body" },
      Draw.legendEntries({ exits: D.exits, sides: D.sides, origin: D.origin, extra: extra }));
    var toggle = el("button", { type: "button", class: "legend-toggle", "aria-expanded": "true", title: "fold or unfold the legend" },
      "Legend ", el("span", { class: "arrow" }, "▾"));
    add(div, toggle, body);
    toggle.addEventListener("click", function () { foldLegend(!div.classList.contains("folded")); });
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
  function declutter() { Draw.declutter(map, current.places); }
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
    var hdr = clear(document.getElementById("header"));
    add(hdr, Draw.headerNodes(fr.header_parts, "status"));
    hdr.dataset.status = fr.status;
    hdr.dataset.date = fr.date || "";
    document.getElementById("date").textContent = (fr.date || "") + "  (" + (i + 1) + "/" + D.frames.length + ")";
    function firstSource(list) { return list && list.length ? list[0].key || list[0].outlet : ""; }
    var evs = (fr.report.events || []).map(function (e) {
      var src = firstSource(e.sources);
      return el("span", { class: "ev" }, (e.plan ? "[plan " + e.plan + "] " : "") + (e.actor ? e.actor + ": " : "") +
        e.what + " (conf " + Number(e.confidence).toFixed(1) + (src ? ", " + src : "") + ")");
    });
    // zones that begin or end this day, with actor, side, confidence and source (on the first
    // frame, those that begin are the starting state: named in one line)
    var zs = fr.report.zone_changes || [];
    var held = i === 0 ? zs.filter(function (z) { return z.change === "begins"; }) : [];
    if (held.length) {
      evs.push(el("span", { class: "ev" }, "zones held at the start: " + held.map(function (z) {
        return z.zone + " (" + z.actor + ")";
      }).join(", ")));
    }
    zs.filter(function (z) { return held.indexOf(z) < 0; }).forEach(function (z) {
      var src = firstSource(z.sources);
      var bits = (z.confidence === null || z.confidence === undefined ? [] : ["conf " + Number(z.confidence).toFixed(1)]).concat(src ? [src] : []);
      evs.push(el("span", { class: "ev" }, z.what + (bits.length ? " (" + bits.join(", ") + ")" : "")));
    });
    var line = clear(document.getElementById("events"));
    if (evs.length) add(line, el("b", null, "this day:"), " ", evs);
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
    var node = map.getContainer().querySelector(sel);
    return node ? node.getBoundingClientRect().width : 0;
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
        document.querySelectorAll(".place-label:not(.place-hidden)"), function (node) { return node.textContent; });
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
    point: function (name, i) { return Draw.screenPoint(map, current[name].getLayers()[i || 0]); }
  };
})();
