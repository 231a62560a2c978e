/* corridor's map drawing, shared by the static map (corridor map: outputs/assets/map.js, inlined
   into the HTML) and the workbench page (corridor serve: serve/page/app.js, served at
   /page/draw.js). One home for the road styles, the layer builders and their popups, the place
   label decluttering and the header: a layer drawn on one page is drawn the same on the other.

   Every text that comes from the data (road names, actors, quotes, sources) goes into the page
   through text nodes and DOM elements, never through innerHTML: the one escaping idiom. */
(function () {
  "use strict";

  /* ------------------------------------------------------------------------------ helpers */
  // el("b", {class: "x"}, "text", node, ...): an element; strings become text nodes
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) return;
        if (k === "class") node.className = attrs[k];
        else if (k === "style") node.style.cssText = String(attrs[k]);
        else node.setAttribute(k, attrs[k] === true ? "" : String(attrs[k]));
      });
    }
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }
  // add(node, child, ...): children are nodes, strings (as text), arrays of them, or null
  function add(node) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) child.forEach(function (c) { add(node, c); });
      else node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function fmt(n) { return n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"); }
  function hours(s) {
    if (s === null || s === undefined) return "–";
    var m = Math.round(s / 60);
    return m < 60 ? m + " min" : Math.floor(m / 60) + " h " + (m % 60) + " min";
  }
  function metres(m) {
    if (m === null || m === undefined) return "";
    return Math.round(m) < 1000 ? fmt(Math.round(m)) + " m" : (m / 1000).toFixed(1) + " km";
  }
  function km(m) { return m === null || m === undefined ? "" : fmt(Math.round(m / 100) / 10) + " km"; }
  function pct(p) { return p === null || p === undefined ? "" : Math.round(p * 100) + "%"; }
  function blank(v) { return v === null || v === undefined || v === ""; }
  function isWeb(url) { return /^https?:\/\//i.test(String(url || "").trim()); }

  // a source list as nodes: only web addresses become links (a javascript: URL stays text)
  function sourcesNode(list) {
    if (!list || !list.length) return null;
    var span = el("span");
    list.forEach(function (s, i) {
      if (i) add(span, "; ");
      if (typeof s === "string") { add(span, s); return; }
      add(span, [s.key ? "[" + s.key + "]" : "", s.outlet, s.title, s.date].filter(Boolean).join(" "));
      if (isWeb(s.url)) {
        add(span, [" ", el("a", { href: String(s.url).trim(), target: "_blank", rel: "noopener noreferrer" }, "link")]);
      } else if (s.url) {
        add(span, " " + s.url);
      }
    });
    return span;
  }

  // a popup's content: a bold title, "key: value" rows (empty values left out), then extras
  function card(title, rows, extras) {
    var div = el("div", null, el("b", null, title), el("br"));
    (rows || []).forEach(function (r) {
      if (blank(r[1])) return;
      add(div, [el("span", { class: "k" }, r[0] + ":"), " ", r[1], el("br")]);
    });
    add(div, extras);
    return div;
  }
  function quote(q) { return q ? el("div", { class: "q" }, "“" + q + "”") : null; }
  function who(p) { return p.actor_name ? p.actor_name + (p.side ? " (" + p.side + ")" : "") : ""; }
  function when(p) { return p.date ? p.date + (p.time ? " " + p.time : "") : ""; }
  function movers(list) { return list && list.length ? list.join(", ") : ""; }

  /* ------------------------------------------------------------------------- road styles */
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
  var WHATIF = "#7b1fa2";
  var WINDOW = "#0072b2";
  var RESTRICTED = "#e66100";
  var CHECKPOINT = "#111111";

  // the panes, bottom first (both pages create those they use)
  var PANES = {
    borders: 210, zones: 300, pocket: 310, roads: 400, closed: 410, areas: 420, routes: 430,
    critical: 435, corridors: 440, chance: 445, impact: 450, restricted: 452, windows: 455,
    cut: 460, whatif: 465, hit: 470, closures: 480, communities: 487, places: 490, checkpoints: 495, draw: 500
  };
  function panes(map, names) {
    names.forEach(function (name) { map.createPane(name).style.zIndex = PANES[name]; });
  }

  /* ---------------------------------------------------------------------- layer builders */
  // builders(opts): one function per layer, FeatureCollection -> Leaflet layer.
  // opts.maxFlow(): the flow that gets the widest corridor line (persons/h)
  function builders(opts) {
    opts = opts || {};
    var maxFlow = opts.maxFlow || function () { return 1; };
    function popup(layer, make) { layer.bindPopup(function () { return make(); }); }
    return {
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
            popup(layer, function () {
              return card(p.road, [["class", p.highway], ["ref", p.ref], ["name", p.name], ["length", metres(p.length_m)],
                ["capacity", fmt(p.capacity_pph) + " persons/h"], ["OSM way", p.osm_way]]);
            });
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
            popup(layer, function () {
              return card(p.actor_name + (p.side_name ? " (" + p.side_name + ")" : ""), [
                ["holds from", p.since], ["until", p.until], ["confidence", pct(p.confidence)],
                ["source", sourcesNode(p.sources)]
              ], quote(p.quote));
            });
          }
        });
      },
      closed: function (fc) {
        return L.geoJSON(fc, {
          pane: "closed",
          style: function (f) {
            var w = /^what-if/.test(f.properties.reason || "");
            return { color: w ? WHATIF : "#4d4d4d", weight: 3.5, dashArray: "2 7", opacity: 0.95, lineCap: "round" };
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              return card("closed: " + p.road, [["closed by", p.reason], ["segments", p.segments], ["OSM way", p.osm_way]]);
            });
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
            layer.bindTooltip(function () { return el("span", null, label); },
              { permanent: true, direction: "top", className: "area-label" });
            popup(layer, function () {
              return card(label, [["radius", p.radius_m ? fmt(p.radius_m) + " m" : ""], ["network nodes", p.nodes]]);
            });
          }
        });
      },
      routes: function (fc) {
        return L.geoJSON(fc, {
          pane: "routes",
          style: function (f) {
            var alt = f.properties.rank > 0;
            return { color: f.properties.colour, weight: alt ? 1.8 : 2.5, dashArray: alt ? "1 9" : "1 6", lineCap: "round", opacity: alt ? 0.6 : 1 };
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              return card((p.rank ? "alternative route " + p.rank + " to " : "fastest route to ") + p.exit, [
                ["travel time", hours(p.travel_time_s)], ["distance", km(p.distance_m)], ["roads", p.roads]
              ]);
            });
          }
        });
      },
      corridors: function (fc) {
        var most = Math.max(1, maxFlow());
        return L.geoJSON(fc, {
          pane: "corridors",
          style: function (f) {
            var p = f.properties;
            return { color: p.colour, weight: 3 + 11 * Math.sqrt(p.flow_pph / most), opacity: 0.8, lineCap: "round", lineJoin: "round", className: "corridor-corridors" };
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              return card("corridor to " + p.exit, [
                ["roads", p.roads || p.road], ["length", p.length_m ? km(p.length_m) : ""],
                ["carries", fmt(p.flow_pph) + " persons/h to " + p.exit],
                ["all exits", p.edge_flow_pph !== p.flow_pph ? fmt(p.edge_flow_pph) + " persons/h" : ""],
                ["capacity", fmt(p.capacity_pph) + " persons/h"], ["fastest route", hours(p.route_travel_time_s)]
              ]);
            });
          }
        });
      },
      critical: function (fc) {
        return L.geoJSON(fc, {
          pane: "critical",
          style: function () { return { color: "#ffcc00", weight: 18, opacity: 0.85, lineCap: "round", className: "corridor-critical" }; },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              return card((p.label || p.road) + " (critical)", [
                ["length", p.length_m !== undefined ? (p.length_m / 1000).toFixed(1) + " km" : ""],
                ["segments", p.segments], ["capacity", fmt(p.capacity_pph) + " persons/h"],
                ["OSM ways", (p.osm_ways || [p.osm_way]).join(", ")]
              ], el("div", null, p.note));
            });
          }
        });
      },
      pocket: function (fc) {
        return L.geoJSON(fc, {
          pane: "pocket",
          style: function () { return { color: "#6a3d9a", weight: 2, dashArray: "3 5", fillColor: "#cab2d6", fillOpacity: 0.25 }; },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              var places = (p.places || []).map(function (x) {
                return x.name + (x.population === null || x.population === undefined ? "" : " (" + fmt(x.population) + ")");
              }).join(", ");
              var exits = (p.exits || []).map(function (x) { return x.name + " (" + x.kind + ")"; }).join(", ");
              return card("pocket: what " + p.origin + " still reaches", [
                ["area", fmt(Math.round(p.area_km2)) + " km²"], ["places inside", places || "none"],
                ["people (where known)", fmt(p.population)], ["exits inside", exits || "none"]
              ], el("div", null, p.headline));
            });
          }
        });
      },
      cut: function (fc) {
        return L.geoJSON(fc, {
          pane: "cut",
          style: function () { return { color: "#a50026", weight: 9, opacity: 0.95, lineCap: "butt", className: "corridor-cut" }; },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              return card(p.road + " (minimum cut)", [
                ["class", p.highway], ["capacity", fmt(p.capacity_pph) + " persons/h"], ["OSM way", p.osm_way]
              ], el("div", null, p.note));
            });
          }
        });
      },
      closures: function (fc) {
        return L.geoJSON(fc, {
          pointToLayer: function (f, latlng) {
            if (f.properties.edges_closed === 0) {  // binds to no road: a hollow, dashed marker
              return L.circleMarker(latlng, { pane: "closures", radius: 9, color: "#b35806", weight: 2.5, dashArray: "3 3", fillOpacity: 0, className: "corridor-closure corridor-closure-unbound" });
            }
            return L.circleMarker(latlng, { pane: "closures", radius: 8, color: "#000", weight: 2, fillColor: "#ff2d20", fillOpacity: 0.95, className: "corridor-closure" });
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              return card(p.what, [
                ["actor", who(p)], ["date", when(p)], ["confidence", pct(p.confidence)],
                ["source", sourcesNode(p.sources)], ["event", p.event], ["notes", p.notes], ["plan", p.plan]
              ], [p.warning ? el("div", { class: "warn" }, "⚠ " + p.warning) : null, quote(p.quote)]);
            });
          }
        });
      },
      // roads movers may enter only in given hours: solid blue, dashed while only announced
      windows: function (fc) {
        return L.geoJSON(fc, {
          pane: "windows",
          style: function (f) {
            return { color: WINDOW, weight: 6, opacity: 0.85, dashArray: f.properties.today ? null : "10 6", lineCap: "round", className: "corridor-window" };
          },
          pointToLayer: function (f, latlng) {  // a window that gates no road
            return L.circleMarker(latlng, { pane: "windows", radius: 9, color: WINDOW, weight: 2.5, dashArray: "3 3", fillOpacity: 0, className: "corridor-window corridor-window-unbound" });
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              return card("window: " + p.what, [
                ["open", p.hours ? p.hours + " daily" : ""],
                ["days", p.date + (p.until && p.until !== p.date ? " to " + p.until : "") + (p.today ? " (today is one)" : " (announced)")],
                ["movers", movers(p.movers)], ["road segments", p.segments || "none: it gates no road"],
                ["actor", who(p)], ["confidence", pct(p.confidence)], ["source", sourcesNode(p.sources)],
                ["event", p.event], ["notes", p.notes], ["plan", p.plan]
              ], [el("div", null, "Outside these hours the road is closed to the movers; inside them it is open even where a closure or a zone would close it."), quote(p.quote)]);
            });
          }
        });
      },
      // roads under fire: open, capacity and speed cut (a wide orange dashed band: it shows around
      // a window or corridor line drawn on the same road)
      restricted: function (fc) {
        return L.geoJSON(fc, {
          pane: "restricted",
          style: function () { return { color: RESTRICTED, weight: 13, opacity: 0.75, dashArray: "6 6", lineCap: "butt", className: "corridor-restricted" }; },
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, { pane: "restricted", radius: 9, color: RESTRICTED, weight: 2.5, dashArray: "3 3", fillOpacity: 0, className: "corridor-restricted corridor-restricted-unbound" });
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              return card("restricted: " + p.what, [
                ["capacity", "× " + p.capacity_factor], ["speed", "× " + p.speed_factor],
                ["movers", movers(p.movers)], ["road segments", p.segments || "none: it restricts no road"],
                ["actor", who(p)], ["date", when(p)], ["confidence", pct(p.confidence)],
                ["source", sourcesNode(p.sources)], ["event", p.event], ["notes", p.notes], ["plan", p.plan]
              ], quote(p.quote));
            });
          }
        });
      },
      // checkpoints: a square marker (hollow and red-edged when closed)
      checkpoints: function (fc) {
        return L.geoJSON(fc, {
          pointToLayer: function (f, latlng) {
            var shut = f.properties.closed;
            var icon = L.divIcon({
              className: "corridor-checkpoint" + (shut ? " corridor-checkpoint-closed" : ""),
              html: "", iconSize: [14, 14]
            });
            return L.marker(latlng, { pane: "checkpoints", icon: icon, keyboard: false });
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            layer.bindTooltip(function () { return el("span", null, "checkpoint " + p.name); },
              { direction: "top", offset: [0, -8], className: "checkpoint-label" });
            popup(layer, function () {
              return card("checkpoint: " + p.name, [
                ["status", p.closed ? "closed: nobody passes" : "open"],
                ["lets through", fmt(p.rate_pph) + " persons/h (all its movers together)"],
                ["hours", p.hours], ["movers", movers(p.movers) || "all"],
                ["held by", p.actor_name ? p.actor_name + (p.side_name ? " (" + p.side_name + ")" : "") : ""],
                ["from", p.since], ["until", p.until], ["radius", p.radius_m ? fmt(p.radius_m) + " m" : ""],
                ["road segments through it", p.segments || "none: no road passes it"],
                ["confidence", pct(p.confidence)], ["source", sourcesNode(p.sources)]
              ]);
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
            // a permanent label; declutter() keeps the most populous that fit at this zoom
            layer.bindTooltip(function () { return el("span", null, p.name); },
              { permanent: true, direction: "right", offset: [4, 0], className: "place-label", opacity: 1 });
            popup(layer, function () {
              return card(p.name, [["place", p.kind], ["population", p.population ? fmt(p.population) : "unknown"],
                ["source", sourcesNode(p.sources)], ["OSM node", p.osm_id]]);
            });
          }
        });
      },
      // roads by impact (corridor map --rank): the colours come with the data (outputs/impact.py)
      impact: function (fc) {
        return L.geoJSON(fc, {
          pane: "impact",
          style: function (f) {
            var p = f.properties;
            return { color: p.colour, weight: p.seals ? 8 : 3 + 5 * p.capacity_lost_pct / 100, opacity: 0.9, lineCap: "round", className: "corridor-impact" };
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              var extra = Object.keys(p.extra_time_s || {}).map(function (x) {
                var t = p.extra_time_s[x];
                return [x + ": " + (t === null ? "cut off" : "+" + hours(t)), el("br")];
              });
              return card("#" + p.rank + " " + p.road + " (closed alone)", [
                ["capacity lost", fmt(p.capacity_lost_pph) + " persons/h (" + p.capacity_lost_pct + " %)"],
                ["extra time", extra.length ? el("span", null, extra) : ""],
                ["OSM ways", (p.osm_ways || []).join(", ")], ["length", km(p.length_m)]
              ], p.seals ? el("div", { class: "warn" }, "seals the origin") : null);
            });
          }
        });
      },
      // communities by status (corridor scan): a ring in the status's colour, sized by people
      communities: function (fc) {
        return L.geoJSON(fc, {
          pointToLayer: function (f, latlng) {
            var p = f.properties, pop = p.population || 0;
            var r = 4 + 1.8 * Math.max(0, Math.log10(Math.max(pop, 100)) - 2);
            return L.circleMarker(latlng, { pane: "communities", radius: r, color: p.colour, weight: 3, fillColor: p.colour, fillOpacity: 0.35, className: "corridor-community corridor-community-" + p.status });
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            popup(layer, function () {
              return card(p.name + ": " + p.status, [
                ["population", p.population === null || p.population === undefined ? "unknown" : fmt(p.population)],
                ["refuge", p.refuge ? p.refuge + (p.minutes !== null && p.minutes !== undefined ? " in " + hours(p.minutes * 60) : "") : ""],
                ["one stretch from cut off", p.stretch], ["pocket", p.pocket],
                ["cut off since", p.cut_off_since ? p.cut_off_since + " (" + p.cut_off_days + " days)" : ""],
                ["nearest road", p.nearest_road_m !== null && p.nearest_road_m !== undefined ? fmt(Math.round(p.nearest_road_m)) + " m" : ""]
              ], el("div", null, p.reason));
            });
          }
        });
      },
      // exits by probability reachable (corridor map --samples)
      chance: function (fc) {
        function share(x) { return Math.round(x * 100) + "%"; }
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
              layer.bindTooltip(function () { return el("span", null, "P " + share(p.p_reachable)); },
                { permanent: true, direction: "bottom", className: "chance-label" });
            }
            popup(layer, function () {
              return card((p.kind === "exit" ? "exit " : "corridor to ") + p.exit, [
                ["P(reachable)", share(p.p_reachable) + " of " + fmt(fc.properties.n) + " samples (seed " + fc.properties.seed + ")"],
                ["P(origin open)", share(fc.properties.p_open)], ["roads", p.roads]
              ]);
            });
          }
        });
      }
    };
  }

  /* ------------------------------------------------------------------------- backgrounds */
  // the base layers: the offline borders, and online tiles when a URL is given (then shown)
  function baseLayers(map, tiles, borders) {
    var base = { "Offline borders (Natural Earth)": borders, "None": L.layerGroup() };
    if (!tiles) {
      borders.addTo(map);
      return base;
    }
    // Leaflet takes the attribution as HTML: the host name goes in as text
    var host = el("span", null, "tiles: " + (tiles.split("/")[2] || tiles));
    var online = L.tileLayer(tiles, { maxZoom: 19, attribution: host.innerHTML });
    online.addTo(map);
    return L.extend({ "Online tiles": online }, base);
  }

  // the page coordinates of a layer's middle (a point on a line, a marker's place): for tests
  // and scripting, to click where a person would
  function screenPoint(map, layer) {
    var ll = layer.getCenter ? layer.getCenter() : layer.getLatLng();
    var p = map.latLngToContainerPoint(ll);
    var r = map.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }

  /* ------------------------------------------------------------------------- place labels */
  function overlaps(a, b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; }
  // the most populous places first; a label that would cover a shown label, an origin or exit
  // label, or a control (legend, layers, scale) stays hidden at this zoom; then the labels of
  // the layers in ``more`` (road names), in their own order
  function declutter(map, places, more) {
    if (!places) return;
    var taken = [];
    map.getContainer().querySelectorAll(".leaflet-control, .area-label").forEach(function (node) {
      var r = node.getBoundingClientRect();
      if (r.width && r.height) taken.push(r);
    });
    var box = map.getContainer().getBoundingClientRect();
    var layers = places.getLayers().slice().sort(function (a, b) {
      return (b.feature.properties.population || 0) - (a.feature.properties.population || 0);
    });
    (more || []).forEach(function (group) { if (group) layers = layers.concat(group.getLayers()); });
    layers.forEach(function (layer) {
      var tip = layer.getTooltip && layer.getTooltip();
      var node = tip && tip.getElement && tip.getElement();
      if (!node) return;
      node.classList.remove("place-hidden");
      var r = node.getBoundingClientRect();
      var inside = r.width > 0 && r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
      var free = inside && !taken.some(function (t) { return overlaps(r, t); });
      if (free) taken.push(r); else node.classList.add("place-hidden");
    });
  }

  /* ------------------------------------------------------------------------------ legend */
  // the legend's entries as nodes: o.exits and o.sides [{name, colour}], o.origin (a name),
  // o.whatif (the page draws what-ifs), o.extra (nodes after the seal: the map's overlays)
  function legendEntries(o) {
    function mark(cls, style) { return el("span", { class: cls, style: style }); }
    function line(m, text) { return [m, text, el("br")]; }
    var out = [el("h4", null, "Corridors (width: persons/h)")];
    (o.exits || []).forEach(function (x) { out.push(line(mark("sw", "border-color:" + x.colour), "to " + x.name)); });
    out.push(line(mark("sw", "border-top:3px dotted #555"), "fastest route"),
      el("h4", null, "Seal"), line(mark("sw", "border-top:7px solid #a50026"), "minimum cut"),
      line(mark("sw", "border-top:9px solid #ffcc00"), "critical stretch"),
      line(mark("box", "background:#cab2d6;border:1px dashed #6a3d9a"), "pocket (what the origin reaches)"),
      line(mark("dot", "background:#ff2d20"), "closure (reported)"),
      line(mark("dot", "border:2px dashed #b35806"), "closure that closes no road"),
      line(mark("sw", "border-top:3px dashed #4d4d4d"), "closed road"));
    if (o.whatif) out.push(line(mark("sw", "border-top:5px solid " + WHATIF), "what-if closure"));
    out.push(el("h4", null, "Hours and checkpoints"),
      line(mark("sw", "border-top:5px solid " + WINDOW), "window: open only in its hours (dashed: announced)"),
      line(mark("sw", "border-top:5px dashed " + RESTRICTED), "restricted: capacity and speed cut"),
      line(mark("corridor-checkpoint legend-mark", ""), "checkpoint (hollow: closed)"));
    out.push(o.extra || []);
    if (o.sides && o.sides.length) {
      out.push(el("h4", null, "Control zones"));
      o.sides.forEach(function (x) { out.push(line(mark("box", "background:" + x.colour), x.name)); });
    }
    out.push(el("h4", null, "Areas"), line(mark("box", "background:#ffe94d;border:2px dashed #111"), "origin (" + o.origin + ")"),
      line(mark("dot", "background:#303030"), "place (size: population)"),
      el("h4", null, "Roads"), line(mark("sw", "border-top:4px solid #7a5a3c"), "trunk / primary"),
      line(mark("sw", "border-top:2px solid #ae9c86"), "secondary / tertiary"), line(mark("sw", "border-top:2px dashed #9c8b6e"), "track"));
    return out;
  }

  /* ------------------------------------------------------------------------------ header */
  // the header's parts (outputs/header.py header_parts) as nodes joined by " · ", the status
  // part in a span with the status as its class; from: the first part's key to show
  function headerNodes(header, id, from) {
    var parts = header.parts || [];
    var start = 0;
    if (from) parts.forEach(function (q, i) { if (q.key === from && !start) start = i; });
    var out = [];
    parts.slice(start).forEach(function (q, i) {
      if (i) out.push(" · ");
      out.push(q.key === "status" ? el("span", { id: id || null, class: header.status }, q.text) : q.text);
    });
    return out;
  }

  // the communities' statuses for a legend (outputs/scan.py STATUS_COLOURS)
  function communityLegend(colours) {
    var out = [el("h4", null, "Communities (corridor scan)")];
    Object.keys(colours).forEach(function (k) {
      out.push(el("span", { class: "dot", style: "background:" + colours[k] + ";border-color:" + colours[k] }), k, el("br"));
    });
    return out;
  }

  window.CorridorDraw = {
    el: el, add: add, clear: clear, fmt: fmt, hours: hours, km: km, metres: metres, pct: pct, blank: blank,
    sourcesNode: sourcesNode, card: card, quote: quote, roadStyle: roadStyle, WHATIF: WHATIF,
    COLOURS: { window: WINDOW, restricted: RESTRICTED, checkpoint: CHECKPOINT },
    PANES: PANES, panes: panes, builders: builders, baseLayers: baseLayers, screenPoint: screenPoint, declutter: declutter, legendEntries: legendEntries,
    communityLegend: communityLegend,
    headerNodes: headerNodes
  };
})();
