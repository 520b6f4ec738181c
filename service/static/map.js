// Draws every map figure (views/map.py) with Leaflet: country outlines from the vendored Natural
// Earth TopoJSON, no tile layer (no tile server is reachable), and a circle marker per place (the
// default marker's images are not vendored). Without this script the figure's list stands alone.
(function () {
  "use strict";
  if (!window.L || !window.topojson || !window.fetch) { return; }

  var outlines = {};  // one fetch per atlas URL, however many figures share it
  window.conflictMaps = [];  // the Leaflet maps, for whoever needs to inspect them

  function countries(url) {
    if (!outlines[url]) {
      outlines[url] = fetch(url).then(function (response) {
        if (!response.ok) { throw new Error(url + ": " + response.status); }
        return response.json();
      }).then(function (world) {
        return topojson.feature(world, world.objects.countries);
      });
    }
    return outlines[url];
  }

  function popup(place) {
    var content = document.createElement("div");
    var link = document.createElement("a");
    link.href = place.url;
    link.textContent = place.label;
    var title = document.createElement("strong");
    title.appendChild(link);
    content.appendChild(title);
    if (place.note) {
      var note = document.createElement("div");
      note.className = "map-note";
      note.innerHTML = place.note;  // HTML the server wrote, from the data
      content.appendChild(note);
    }
    return content;
  }

  function focusable(marker, label) {
    // Leaflet's keyboard support pans and zooms; this lets Tab reach each marker and Enter open it.
    var path = marker.getElement();
    path.setAttribute("tabindex", "0");
    path.setAttribute("role", "button");
    path.setAttribute("aria-label", label);
    path.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        marker.openPopup();
      }
    });
  }

  function draw(figure) {
    var canvas = figure.querySelector(".map-canvas");
    var places = JSON.parse(figure.querySelector("script.map-markers").textContent);
    canvas.hidden = false;
    var map = L.map(canvas, { keyboard: true, minZoom: 2, maxZoom: 9 });
    // Leaflet closes a popup on Escape only while the map itself has the focus, not a marker or a link.
    canvas.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { map.closePopup(); }
    });
    map.createPane("countries").style.zIndex = 300;  // under the markers, whenever the outlines arrive
    var points = places.map(function (place) { return [place.lat, place.long]; });
    if (points.length === 1) {
      map.setView(points[0], 6);
    } else if (points.length > 1) {
      map.fitBounds(points, { padding: [24, 24], maxZoom: 7 });
    } else {
      map.fitWorld();
    }
    // Layers added once the map has its view: only then do they have their SVG elements.
    places.forEach(function (place, index) {
      var marker = L.circleMarker(points[index], {
        radius: 7, weight: 2, color: "#7a3b00", fillColor: "#f5a300", fillOpacity: 0.9, className: "map-marker"
      });
      marker.bindTooltip(place.label);
      // panned clear of the zoom buttons, narrow enough to fit beside them on a phone
      marker.bindPopup(popup(place), { maxHeight: 220, maxWidth: 260, autoPanPaddingTopLeft: [48, 8] });
      marker.addTo(map);
      focusable(marker, place.label);
    });
    figure.setAttribute("data-markers", String(places.length));
    var list = figure.querySelector("details.map-list");
    if (list) { list.open = false; }  // the map shows it now; the list stays one click away
    window.conflictMaps.push(map);

    countries(new URL(figure.getAttribute("data-root") + "static/world-atlas/countries-50m.json", document.baseURI).href)
      .then(function (features) {
        L.geoJSON(features, {
          pane: "countries",
          interactive: false,
          attribution: 'Outlines: <a href="https://www.naturalearthdata.com/">Natural Earth</a>',
          style: { color: "#8a8a8a", weight: 1, fillColor: "#f3f0e6", fillOpacity: 1, className: "map-country" }
        }).addTo(map);
        figure.setAttribute("data-countries", String(features.features.length));
      })
      .catch(function () {
        var problem = document.createElement("p");
        problem.className = "meta";
        problem.textContent = "The country outlines could not be loaded; the markers are in place.";
        canvas.after(problem);
        figure.setAttribute("data-countries", "0");
      });
  }

  Array.prototype.forEach.call(document.querySelectorAll("figure.map"), draw);
}());
