/* energieplanologie — interactive region map: data layers, year selector, legend, notes from the room.
 *
 * Everything that comes from data arrives as JSON (with <, &, ' escaped by the Python side); popup and
 * tooltip strings, the cells and row labels popupHtml joins into a popup table and the parts of a station's
 * balance table (stationPopupHtml) and tooltip are HTML that Python built with every data value HTML-escaped.
 * Notes typed in the browser are only ever shown through textContent, never as HTML.
 */
(function () {
  "use strict";
  if (window.EP) { return; }

  var states = {};

  function state(map) {
    var id = L.stamp(map);
    if (!states[id]) {
      states[id] = { year: null, layers: [], controls: [] };
      map.on("popupopen", function (e) { clearOfControls(map, e.popup); });
    }
    return states[id];
  }

  /* ------------------------------------------------------------------------- popups beside the controls */

  // Leaflet's own autoPan keeps a popup inside the map but not out from under the controls in its corners (a
  // station's table opened near the legend lay beneath it): the map's popups are moved by clearOfControls instead.
  L.Popup.mergeOptions({ autoPan: false });
  var PAD = 8;

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  // The map is moved (once, animated) so that the opened popup lies inside it and beside every control it would
  // otherwise overlap: sideways or up/down, whichever is shorter and keeps the popup inside the map.
  function clearOfControls(map, popup) {
    var el = popup.getElement();
    if (!el) { return; }
    var m = map.getContainer().getBoundingClientRect(), p = el.getBoundingClientRect();
    var dx = 0, dy = 0;  // the map moves by (dx, dy): the popup to (left - dx, top - dy)
    if (p.right + PAD > m.right) { dx = p.right + PAD - m.right; }
    if (p.left - dx < m.left + PAD) { dx = p.left - m.left - PAD; }
    if (p.bottom + PAD > m.bottom) { dy = p.bottom + PAD - m.bottom; }
    if (p.top - dy < m.top + PAD) { dy = p.top - m.top - PAD; }
    var controls = map.getContainer().querySelectorAll(".leaflet-control");
    for (var pass = 0; pass < 3; pass++) {
      var moved = false;
      for (var i = 0; i < controls.length; i++) {
        var r = controls[i].getBoundingClientRect();
        var q = { left: p.left - dx, right: p.right - dx, top: p.top - dy, bottom: p.bottom - dy };
        if (r.width === 0 || r.height === 0 || !overlaps(q, r)) { continue; }
        var h = (r.left + r.right > m.left + m.right) ? q.right - r.left + PAD : q.left - r.right - PAD;
        var v = (r.top + r.bottom > m.top + m.bottom) ? q.bottom - r.top + PAD : q.top - r.bottom - PAD;
        var hOk = q.left - h >= m.left + PAD && q.right - h <= m.right - PAD;
        var vOk = q.top - v >= m.top + PAD && q.bottom - v <= m.bottom - PAD;
        if (hOk && (!vOk || Math.abs(h) <= Math.abs(v))) { dx += h; } else if (vOk) { dy += v; } else { continue; }
        moved = true;
      }
      if (!moved) { break; }
    }
    if (Math.round(dx) || Math.round(dy)) { map.panBy([Math.round(dx), Math.round(dy)]); }
  }

  function setPathClass(layer, cls) {
    layer.options.className = cls;
    if (layer._path) {
      layer._path.setAttribute("class", cls + (layer.options.interactive === false ? "" : " leaflet-interactive"));
    }
  }

  function pickYear(years, y) {
    // The largest year <= y, else the smallest: the state shown for a layer that has only some years.
    var best = null;
    for (var i = 0; i < years.length; i++) {
      if (years[i] <= y && (best === null || years[i] > best)) { best = years[i]; }
    }
    if (best === null && years.length) { best = Math.min.apply(null, years); }
    return best;
  }

  /* ------------------------------------------------------------------------------------------ layers */

  var updaters = {
    // A station's status per year is two digits (offtake, feed-in), places in the layer's statusKeys, which are
    // in order of severity: it takes the colour of the worse, its tooltip names both (maps.interactive).
    stations: function (entry, y, ctx) {
      var p = entry.props, d = ctx.data, k = d.years ? d.years.indexOf(y) : -1;
      if (k < 0 || typeof p.status !== "string") {
        entry.layer.setStyle({ fillColor: d.styles[p.style].fillColor });
        setPathClass(entry.layer, "ep-station ep-status-unknown");
        return true;
      }
      var off = Number(p.status.charAt(2 * k)), feed = Number(p.status.charAt(2 * k + 1));
      var worse = Math.max(off, feed);
      entry.layer.setStyle({ fillColor: d.statusColours[worse] });
      setPathClass(entry.layer, "ep-station ep-status-" + d.statusKeys[worse]);
      entry.layer.setTooltipContent(p.tooltip + " \u2014 " + y + ": afname " + d.statusWords[off] + ", invoeding " +
                                    d.statusWords[feed]);
      return true;
    },
    developments: function (entry, y) {
      return entry.props.year === null || entry.props.year <= y;
    },
    infrastructure: function (entry, y) {
      var p = entry.props;
      var built = p.existing || (p.ready !== null && p.ready <= y);
      entry.layer.setStyle(built ? p.style : L.extend({}, p.style, p.planned_style));
      setPathClass(entry.layer, "ep-infra " + (built ? "ep-infra-built" : "ep-infra-planned"));
      return true;
    },
    flexneed: function (entry, y) {
      var p = entry.props;
      return p.from !== null && p.to !== null && p.from <= y && y <= p.to;
    },
    flex: function (entry, y) {
      var p = entry.props;
      var built = p.existing || (p.ready !== null && p.ready <= y);
      entry.layer.setOpacity(built ? 1 : 0.5);
      return true;
    },
    hotspots: function (entry, y, ctx) {
      return entry.props.year === null || entry.props.year === ctx.hotspotYear;
    }
  };

  function classFor(kind, p) {
    switch (kind) {
      case "stations": return "ep-station ep-status-unknown";
      case "infrastructure": return "ep-infra";
      case "hexagons": return "ep-hexagon" + (p.hot ? " ep-hot" : "");
      case "municipalities": return "ep-municipality";
      case "hotspots": return "ep-hotspot ep-level-" + p.level;
      case "developments": return "ep-development ep-sector-" + p.sector;
      default: return "ep-" + kind;
    }
  }

  // A feature's style: its own, or (a number) its place in the layer's styles (data.styles), shared by many.
  function styleFor(kind, p, styles) {
    var s = L.extend({}, typeof p.style === "number" ? styles[p.style] : p.style);
    s.className = classFor(kind, p);
    return s;
  }

  // A popup's title and optional subtitle (both HTML that Python escaped), as maps.interactive._popup writes them.
  function popupHead(p) {
    return "<h4>" + p[0] + "</h4>" + (p[1] ? '<div class="ep-sub">' + p[1] + "</div>" : "");
  }

  // A popup sent as [title, subtitle, cell…] with its layer's row labels (data.popupRows; maps._popups.popup_table):
  // the HTML kv_table writes. Every part is HTML that Python escaped; a null cell leaves its row out.
  function popupHtml(p, labels) {
    var h = popupHead(p) + "<table>";
    for (var i = 0; i < labels.length; i++) {
      if (p[i + 2] !== null) { h += "<tr><th>" + labels[i] + "</th><td>" + p[i + 2] + "</td></tr>"; }
    }
    return h + "</table>";
  }

  // A station's popup sent as [title, subtitle, rows, foot] (maps.interactive._station_balance_tables): its balance
  // table, a row per year of [year, capacity, load, status, headroom] for offtake, then feed-in; the status a
  // place in the layer's statusCells (the headroom cell's opening with the status's title and dot).
  function stationPopupHtml(p, data) {
    var h = popupHead(p) + '<table class="ep-balance">' + data.balanceHead + "<tbody>";
    for (var i = 0; i < p[2].length; i++) {
      var r = p[2][i];
      h += '<tr data-year="' + r[0] + '"><td>' + r[0] + "</td>";
      for (var j = 1; j < 9; j += 4) {
        h += '<td class="num">' + r[j] + '</td><td class="num">' + r[j + 1] + data.statusCells[r[j + 2]] + r[j + 3] +
          "</td>";
      }
      h += "</tr>";
    }
    return h + "</tbody></table>" + p[3];
  }

  function dataLayer(map, group, data, opts) {
    var st = state(map), kind = opts.kind, entries = [];
    var geo = L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        var p = f.properties;
        if (kind === "flex" && p.symbol) {  // a flex asset: its own symbol (square storage, diamond conversion)
          var box = document.createElement("span");
          box.className = "ep-flex-mark ep-flex-" + p.symbol.shape;
          box.style.borderColor = p.symbol.colour;
          var letter = document.createElement("b");
          letter.textContent = p.symbol.letter;
          box.appendChild(letter);
          // its corner on the point, the symbol up and to the right: a station beside it stays visible
          return L.marker(latlng, { icon: L.divIcon({ className: "ep-flex", html: box, iconSize: [22, 22],
                                                      iconAnchor: [-2, 24] }) });
        }
        return L.circleMarker(latlng, styleFor(kind, p, data.styles));
      },
      style: function (f) { return styleFor(kind, f.properties, data.styles); },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        if (Array.isArray(p.popup)) {  // written when opened: no HTML per feature held before
          layer.bindPopup(function () {
            return data.balanceHead ? stationPopupHtml(p.popup, data) : popupHtml(p.popup, data.popupRows);
          }, { maxWidth: 480, className: "ep-popup" });
        } else if (p.popup) { layer.bindPopup(p.popup, { maxWidth: 480, className: "ep-popup" }); }
        if (p.tooltip) {
          layer.bindTooltip(p.tooltip, { sticky: true, className: "ep-tooltip" });
        } else if (data.tooltipCells && Array.isArray(p.popup)) {  // "<title> (<cell>, <cell>)" of the popup
          layer.bindTooltip(function () {
            return p.popup[0] + " (" + data.tooltipCells.map(function (i) {
              var c = p.popup[i + 2];
              return c === null ? "" : c;
            }).join(", ") + ")";
          }, { sticky: true, className: "ep-tooltip" });
        }
        if (kind === "stations") {
          layer.on("popupopen", function (e) { highlightYear(e.popup.getElement(), st.year); });
        }
        entries.push({ layer: layer, props: p });
      }
    });
    geo.addTo(group);
    var rec = { kind: kind, geo: geo, entries: entries, opts: opts, data: data };
    if (kind === "hotspots") {
      var ys = {};
      entries.forEach(function (e) { if (e.props.year !== null) { ys[e.props.year] = true; } });
      rec.years = Object.keys(ys).map(Number).sort(function (a, b) { return a - b; });
    }
    st.layers.push(rec);
    if (st.year !== null) { update(rec, st.year); }
    return geo;
  }

  function update(rec, y) {
    var fn = updaters[rec.kind];
    if (!fn) { return; }
    var ctx = { hotspotYear: rec.years && rec.years.length > 1 ? pickYear(rec.years, y) : null, data: rec.data };
    if (rec.kind === "hotspots" && !(rec.years && rec.years.length > 1)) { return; }
    rec.entries.forEach(function (e) {
      var show = fn(e, y, ctx);
      var has = rec.geo.hasLayer(e.layer);
      if (show && !has) { rec.geo.addLayer(e.layer); }
      if (!show && has) { rec.geo.removeLayer(e.layer); }
    });
  }

  function highlightYear(el, y) {
    if (!el) { return; }
    var rows = el.querySelectorAll("tr[data-year]");
    for (var i = 0; i < rows.length; i++) {
      rows[i].classList.toggle("ep-current", Number(rows[i].getAttribute("data-year")) === y);
    }
  }

  function setYear(map, y) {
    var st = state(map);
    st.year = Number(y);
    st.layers.forEach(function (rec) { update(rec, st.year); });
    st.controls.forEach(function (c) { c(st.year); });
    map.fire("ep:year", { year: st.year });
  }

  /* -------------------------------------------------------------------------------------- controls */

  function yearControl(map, cfg) {
    var Ctl = L.Control.extend({
      options: { position: cfg.position || "topright" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "ep-year leaflet-bar");
        var label = L.DomUtil.create("label", "", div);
        label.textContent = cfg.label;
        var select = L.DomUtil.create("select", "ep-year-select", div);
        select.setAttribute("aria-label", cfg.label);
        cfg.years.forEach(function (y) {
          var o = document.createElement("option");
          o.value = String(y);
          o.textContent = String(y);
          select.appendChild(o);
        });
        var note = L.DomUtil.create("div", "ep-year-note", div);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        L.DomEvent.on(select, "change", function () { setYear(map, Number(select.value)); });
        state(map).controls.push(function (y) {
          select.value = String(y);
          note.textContent = cfg.note.replace("{year}", String(y));
        });
        return div;
      }
    });
    new Ctl().addTo(map);
    setYear(map, cfg.initial);
  }

  function title(map, text, note) {
    var Ctl = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "ep-title");
        div.textContent = text;
        if (note) {
          L.DomUtil.create("div", "ep-title-note", div).textContent = note;
        }
        return div;
      }
    });
    new Ctl().addTo(map);
  }

  function scale(map) {
    L.control.scale({ imperial: false, metric: true, position: "bottomleft" }).addTo(map);
  }

  function legend(map, cfg) {
    var Ctl = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "ep-legend");
        div.innerHTML = cfg.html;  // built by Python from fixed Dutch labels, every part HTML-escaped
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    new Ctl().addTo(map);
  }

  /* ---------------------------------------------------------------------------- notes from the room */

  function notes(map, cfg) {
    var t = cfg.labels, storeKey = "energieplanologie:notities:" + cfg.key;
    var persistent = true, items = [];
    try {
      items = JSON.parse(window.localStorage.getItem(storeKey) || "[]");
      if (!Array.isArray(items)) { items = []; }
    } catch (err) {
      persistent = false;
      items = [];
    }
    var group = L.featureGroup().addTo(map);
    var exportButton = null, status = null, drawing = null;

    function save() {
      if (!persistent) { return; }
      try { window.localStorage.setItem(storeKey, JSON.stringify(items)); }
      catch (err) { persistent = false; if (status) { status.textContent = t.not_persistent; } }
    }

    function refreshCount() {
      if (exportButton) { exportButton.textContent = t.export + " (" + items.length + ")"; }
    }

    function view(item, layer) {
      var box = L.DomUtil.create("div", "ep-note-view");
      var text = L.DomUtil.create("div", "ep-note-text", box);
      text.textContent = item.properties.note;
      var meta = L.DomUtil.create("div", "ep-note-meta", box);
      meta.textContent = (item.properties.author ? item.properties.author + " · " : "") +
        item.properties.created.replace("T", " ").slice(0, 16);
      var del = L.DomUtil.create("button", "ep-note-delete", box);
      del.type = "button";
      del.textContent = t.remove;
      L.DomEvent.on(del, "click", function (e) {
        L.DomEvent.stop(e);
        items = items.filter(function (it) { return it.properties.id !== item.properties.id; });
        group.removeLayer(layer);
        save();
        refreshCount();
      });
      return box;
    }

    function show(item) {
      var layer = L.geoJSON(item, {
        style: function () { return { color: "#6a1b9a", weight: 3, fillOpacity: 0.15, className: "ep-note" }; },
        pointToLayer: function (f, latlng) { return L.marker(latlng, { title: t.note }); }
      });
      layer.eachLayer(function (l) {
        l.bindPopup(function () { return view(item, layer); });
        if (l._icon) { l._icon.classList.add("ep-note"); }
        l.on("add", function () { if (l._icon) { l._icon.classList.add("ep-note"); } });
      });
      group.addLayer(layer);
      return layer;
    }

    function form(layer) {
      var box = L.DomUtil.create("div", "ep-note-form");
      var l1 = L.DomUtil.create("label", "", box);
      l1.textContent = t.note;
      var area = L.DomUtil.create("textarea", "ep-note-input", l1);
      area.maxLength = 2000;
      area.rows = 3;
      area.placeholder = t.placeholder;
      var l2 = L.DomUtil.create("label", "", box);
      l2.textContent = t.author;
      var who = L.DomUtil.create("input", "ep-note-author", l2);
      who.type = "text";
      who.maxLength = 120;
      var msg = L.DomUtil.create("div", "ep-note-msg", box);
      var ok = L.DomUtil.create("button", "ep-note-save", box);
      ok.type = "button";
      ok.textContent = t.save;
      var cancel = L.DomUtil.create("button", "ep-note-cancel", box);
      cancel.type = "button";
      cancel.textContent = t.cancel;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(ok, "click", function () {
        var text = area.value.trim();
        if (!text) { msg.textContent = t.empty; return; }
        var gj = layer.toGeoJSON(7);
        var item = {
          type: "Feature",
          geometry: gj.geometry,
          properties: {
            id: String(Date.now()) + "-" + Math.random().toString(36).slice(2, 8),
            note: text,
            author: who.value.trim() || null,
            created: new Date().toISOString()
          }
        };
        items.push(item);
        save();
        map.removeLayer(layer);
        show(item);
        refreshCount();
      });
      L.DomEvent.on(cancel, "click", function () { map.removeLayer(layer); });
      return box;
    }

    map.on(L.Draw.Event.CREATED, function (e) {
      if (!drawing) { return; }
      drawing = null;
      var layer = e.layer;
      layer.addTo(map);
      layer.bindPopup(form(layer), { closeOnClick: false, autoClose: false, minWidth: 240 }).openPopup();
      var input = layer.getPopup().getElement().querySelector("textarea");
      if (input) { input.focus(); }
    });

    function start(handler) {
      if (drawing) { drawing.disable(); }
      drawing = handler;
      handler.enable();
    }

    function download() {
      var fc = {
        type: "FeatureCollection",
        name: "notities",
        features: items.map(function (it) {
          return { type: "Feature", geometry: it.geometry,
                   properties: { note: it.properties.note, author: it.properties.author, created: it.properties.created } };
        })
      };
      var blob = new Blob([JSON.stringify(fc, null, 1)], { type: "application/geo+json" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = cfg.filename;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }

    var Ctl = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "ep-notes leaflet-bar");
        var head = L.DomUtil.create("div", "ep-notes-head", div);
        head.textContent = t.title;
        var b1 = L.DomUtil.create("button", "ep-note-add", div);
        b1.type = "button";
        b1.textContent = t.add;
        var b2 = L.DomUtil.create("button", "ep-note-polygon", div);
        b2.type = "button";
        b2.textContent = t.polygon;
        exportButton = L.DomUtil.create("button", "ep-note-export", div);
        exportButton.type = "button";
        status = L.DomUtil.create("div", "ep-notes-status", div);
        if (!persistent) { status.textContent = t.not_persistent; }
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.on(b1, "click", function () { start(new L.Draw.Marker(map, { icon: new L.Icon.Default() })); });
        L.DomEvent.on(b2, "click", function () {
          start(new L.Draw.Polygon(map, { showArea: false, shapeOptions: { color: "#6a1b9a", weight: 3 } }));
        });
        L.DomEvent.on(exportButton, "click", download);
        refreshCount();
        return div;
      }
    });
    if (L.drawLocal) {
      L.drawLocal.draw.handlers.marker.tooltip.start = t.draw_point;
      L.drawLocal.draw.handlers.polygon.tooltip.start = t.draw_polygon_start;
      L.drawLocal.draw.handlers.polygon.tooltip.cont = t.draw_polygon_cont;
      L.drawLocal.draw.handlers.polygon.tooltip.end = t.draw_polygon_end;
    }
    new Ctl().addTo(map);
    items.forEach(show);
  }

  window.EP = { dataLayer: dataLayer, setYear: setYear, yearControl: yearControl, legend: legend, title: title,
                scale: scale, notes: notes, state: state };
})();
