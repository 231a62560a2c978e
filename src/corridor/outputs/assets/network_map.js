/* corridor road map (corridor map EXTRACT): an extract's roads by class, their names and refs,
   its OSM places and border crossings, drawn with Leaflet from the embedded data; no scenario. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("corridor-network-data").textContent);

  // helpers, road styles and label decluttering shared with the scenario map and the workbench
  // page (corridor/outputs/assets/draw.js, inlined before this script)
  var Draw = window.CorridorDraw, el = Draw.el, add = Draw.add, fmt = Draw.fmt, card = Draw.card;
  var roadStyle = Draw.roadStyle;
  function text(t) { return function () { return el("span", null, t); }; }

  var map = L.map("map", { zoomControl: true, minZoom: 2 });
  var panes = { borders: 210, roads: 400, labels: 470, places: 490, crossings: 495 };
  Object.keys(panes).forEach(function (name) { map.createPane(name).style.zIndex = panes[name]; });
  map.getPane("borders").style.pointerEvents = "none";

  var shared = Draw.builders();
  var builders = {
    roads: shared.roads,  // the scenario map's: by class, popup with ref, name, length, way
    labels: function (fc) {
      return L.geoJSON(fc, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { pane: "labels", radius: 0, weight: 0, opacity: 0, fillOpacity: 0, interactive: false });
        },
        onEachFeature: function (f, layer) {
          layer.feature = f;
          layer.bindTooltip(text(f.properties.label), {
            permanent: true, direction: "center", className: "road-label", opacity: 1
          });
        }
      });
    },
    places: shared.places,  // the scenario map's: dot by population, label, popup
    crossings: function (fc) {
      return L.geoJSON(fc, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { pane: "crossings", radius: 6, color: "#000", weight: 2, fillColor: "#e08214", fillOpacity: 1, className: "corridor-crossing" });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(text(p.name), { direction: "top", className: "area-label" });
          layer.bindPopup(function () { return card(p.name + " (border crossing)", [["OSM node", p.osm_id]]); });
        }
      });
    }
  };

  var base = Draw.baseLayers(map, D.tiles, shared.borders(D.borders));
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
    add(div, el("h4", null, "Roads"));
    [["motorway", "motorway"], ["trunk", "trunk"], ["primary", "primary"], ["secondary", "secondary"],
      ["tertiary", "tertiary"], ["residential", "other streets"], ["track", "track"]].forEach(function (c) {
      var s = roadStyle(c[0]);
      add(div, el("span", { class: "sw", style: "border-top:" + Math.round(s.weight) + "px " + (s.dashArray ? "dashed " : "solid ") + s.color }), c[1], el("br"));
    });
    add(div, el("h4", null, "Places"), el("span", { class: "dot", style: "background:#303030" }), "OSM place (size: population)", el("br"),
      el("span", { class: "dot", style: "background:#e08214;border:2px solid #000" }), "border crossing", el("br"));
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  legend.addTo(map);

  var c = D.counts;
  document.getElementById("header").textContent = D.title + " · " + fmt(c.roads) + " OSM ways of the " +
    D.mover + " network · " + fmt(c.places) + " places · " + fmt(c.crossings) + " border crossings";

  // labels that fit: places by population, then roads by length (the data's order); one that
  // would cover a shown label or a control stays hidden at this zoom
  function declutter() { Draw.declutter(map, current.places, [current.labels]); }
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
        function (node) { return node.textContent; });
    }
  };
})();
