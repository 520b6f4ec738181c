// Draws each timeline figure (views/timeline.py) with vis-timeline, and makes the filter form of
// the page narrow the drawing and the list as one changes it. Without this script the list and
// the form (sent to the server) do the same.
(function () {
  "use strict";
  if (!window.vis || !window.vis.Timeline) { return; }
  window.conflictTimelines = {};

  function itemsOf(figure) {
    var data = JSON.parse(figure.querySelector("script.timeline-items").textContent);
    return data.map(function (item) {
      var drawn = {
        id: item.id, content: item.label, start: item.start, url: item.id, kind: item.kind, actors: item.actors,
        from: item.year_from, to: item.year_to,
        title: item.label + " — " + item.when.replace(/<[^>]+>/g, "") + " (" + item.kind + ")",
        className: item.open ? "open" : ""
      };
      if (item.point) { drawn.type = "point"; } else { drawn.end = item.end; drawn.type = "range"; }
      return drawn;
    });
  }

  function fits(item, filter) {
    if (filter.actor && item.actors.indexOf(filter.actor) < 0) { return false; }
    if (filter.kind && item.kind.split(", ").indexOf(filter.kind) < 0) { return false; }
    if ((filter.from || filter.to) && item.from === null) { return false; }  // undated
    if (filter.from && item.to !== null && item.to < filter.from) { return false; }  // to null: still holding
    if (filter.to && item.from > filter.to) { return false; }
    return true;
  }

  document.querySelectorAll("figure.timeline").forEach(function (figure) {
    var drawing = figure.querySelector(".timeline-drawing");
    var all = itemsOf(figure);
    var items = new window.vis.DataSet(all);
    drawing.hidden = false;
    var options = {
      stack: true, zoomKey: "ctrlKey", maxHeight: "32rem", showCurrentTime: false,
      tooltip: { followMouse: true }, margin: { item: 4 }
    };
    var last = Math.max.apply(null, all.map(function (item) { return item.to || item.from || 0; }));
    var first = Math.min.apply(null, all.map(function (item) { return item.from || last; }));
    if (last - first > 20) {  // most of the profile is recent: open on its last fifteen years
      options.start = (last - 14) + "-01-01";
      options.end = (last + 1) + "-01-01";
    }
    var timeline = new window.vis.Timeline(drawing, items, options);
    timeline.on("select", function (properties) {
      if (properties.items.length === 1) { window.location.href = properties.items[0]; }
    });
    var list = document.querySelector('ol.timeline-list[data-for="' + figure.id + '"]');
    var state = { timeline: timeline, items: items, shown: all.length };
    window.conflictTimelines[figure.id] = state;

    var form = document.querySelector('form.filters[data-timeline="' + figure.id + '"]');
    if (!form) { return; }
    var root = new URL(form.getAttribute("action"), document.baseURI).href.replace(/events$/, "");
    function apply() {
      var values = new FormData(form);
      var filter = {
        actor: values.get("actor") ? root + "id/" + values.get("actor") : "",
        kind: values.get("kind") || "",
        from: parseInt(values.get("from"), 10) || 0,
        to: parseInt(values.get("to"), 10) || 0
      };
      var kept = all.filter(function (item) { return fits(item, filter); });
      items.clear();
      items.add(kept);
      state.shown = kept.length;
      if (kept.length && kept.length < all.length) { timeline.fit({ animation: false }); }
      if (list) {
        list.querySelectorAll("li").forEach(function (row) {
          var item = {
            actors: (row.getAttribute("data-actors") || "").split(" "), kind: row.getAttribute("data-kind"),
            from: row.hasAttribute("data-from") ? parseInt(row.getAttribute("data-from"), 10) : null,
            to: row.hasAttribute("data-to") ? parseInt(row.getAttribute("data-to"), 10) : null
          };
          row.hidden = !fits(item, filter);
        });
      }
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    apply();
  });
})();
