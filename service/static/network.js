// The network picture (views/network.py): draws each .network-figure from the JSON its
// data-network names, with Cytoscape, styled from the figure's legend. A year slider in the
// figure shows the relations of one year (by the rule the page states, as the server applies it)
// and filters the table of relations too; tapping a line shows its claim and sources. Without this
// script the page is its form and table, and the figure on an organisation's page a link.
(function () {
  "use strict";
  if (typeof cytoscape !== "function" || !window.fetch) { return; }

  var PATTERNS = { dashed: [6, 4], "dash-dot": [10, 3, 2, 3] };
  var LABEL = 11;  // px on screen
  var LAYOUT = { name: "cose", randomize: false, animate: false, fit: true, padding: 20, nodeDimensionsIncludeLabels: true,
                 nodeRepulsion: function () { return 20000; }, idealEdgeLength: function () { return 40; }, gravity: 2,
                 numIter: 3000, componentSpacing: 30 };

  function holds(edge, year) {
    return year === null || ((edge.from === null || edge.from <= year) && (edge.until === null || year <= edge.until));
  }

  function element(name, text, attributes) {
    var made = document.createElement(name);
    if (text) { made.textContent = text; }
    Object.keys(attributes || {}).forEach(function (key) { made.setAttribute(key, attributes[key]); });
    return made;
  }

  function link(url, text) {
    return element("a", text, { href: url });
  }

  function styles(figure) {
    var found = {};
    Array.prototype.forEach.call(figure.querySelectorAll(".network-legend [data-kind]"), function (item) {
      found[item.getAttribute("data-kind")] = {
        colour: item.getAttribute("data-colour"), line: item.getAttribute("data-line"), arrow: item.getAttribute("data-arrow")
      };
    });
    return found;
  }

  function sheet(kinds) {
    var rules = [
      { selector: "node", style: {
        "background-color": "#fff", "border-color": "#1b1b1b", "border-width": 1.5, width: 14, height: 14,
        label: "data(label)", "font-size": LABEL, color: "#1b1b1b", "text-valign": "bottom", "text-margin-y": 3,
        "text-wrap": "wrap", "text-max-width": 8 * LABEL, "text-background-color": "#fff", "text-background-opacity": 0.75 } },
      { selector: "node.focus", style: { "background-color": "#1b1b1b", width: 20, height: 20, "font-weight": "bold" } },
      { selector: "edge", style: { width: 2.5, "curve-style": "bezier", "arrow-scale": 1.1 } },
      { selector: ":selected", style: { "overlay-color": "#f5a300", "overlay-opacity": 0.35, "overlay-padding": 4 } },
      { selector: ".hidden", style: { display: "none" } }
    ];
    Object.keys(kinds).forEach(function (kind) {
      var style = kinds[kind];
      rules.push({ selector: 'edge[kind = "' + kind + '"]', style: {
        "line-color": style.colour, "line-style": PATTERNS[style.line] ? "dashed" : style.line,
        "line-dash-pattern": PATTERNS[style.line] || [6, 3], "target-arrow-color": style.colour,
        "target-arrow-shape": style.arrow } });
    });
    return rules;
  }

  function definitions(pairs) {
    var list = element("dl", "", { "class": "facts" });
    pairs.forEach(function (pair) {
      list.appendChild(element("dt", pair[0]));
      var value = element("dd");
      value.append(pair[1]);
      list.appendChild(value);
    });
    return list;
  }

  function showEdge(panel, edge, nodes, directed) {
    panel.textContent = "";
    var heading = element("h3");
    heading.appendChild(link(edge.url, edge.label));
    panel.appendChild(heading);
    function end(id) {
      var node = nodes[id], part = document.createElement("span");
      part.appendChild(link(node.url, node.label));
      part.append(" ");
      part.appendChild(element("span", node.kind, { "class": "kind" }));
      return part;
    }
    var sources = element("ul", "", { "class": "sources" });
    edge.sources.forEach(function (source) {
      var item = element("li");
      item.appendChild(link(source.url, source.label));
      if (source.pages.length) { item.append(", p. " + source.pages.join(", ")); }
      sources.appendChild(item);
    });
    panel.appendChild(definitions([["relation", edge.kind], [directed ? "from" : "between", end(edge.source)],
      [directed ? "to" : "and", end(edge.target)],
      ["when", edge.when], ["certainty", edge.certainty], ["sources", edge.sources.length ? sources : "none"]]));
  }

  function showNode(panel, node, count) {
    panel.textContent = "";
    var heading = element("h3");
    heading.appendChild(link(node.url, node.label));
    panel.appendChild(heading);
    panel.appendChild(element("p", node.kind + "; " + count + (count === 1 ? " relation" : " relations") + " shown."));
  }

  function draw(figure, data) {
    var canvas = figure.querySelector(".network-canvas"), panel = figure.querySelector(".network-claim");
    var slider = figure.querySelector("input[type=range]"), shown = figure.querySelector("output");
    var all = figure.querySelector(".network-all"), counted = figure.querySelector(".network-count");
    var rows = figure.querySelectorAll("table.relations tbody tr");
    var focus = figure.getAttribute("data-focus-url"), kinds = styles(figure), nodes = {};
    data.nodes.forEach(function (node) { nodes[node.id] = node; });
    var elements = data.nodes.map(function (node) {
      return { group: "nodes", data: { id: node.id, label: node.short }, classes: node.url === focus ? "focus" : "" };
    }).concat(data.edges.map(function (edge, index) {
      return { group: "edges", data: { id: "edge-" + index, claim: edge.id, source: edge.source, target: edge.target,
                                       kind: edge.kind, index: index } };
    }));
    canvas.hidden = false;
    panel.hidden = false;
    figure.querySelector(".network-legend").hidden = false;
    var cy = cytoscape({ container: canvas, elements: elements, style: sheet(kinds), minZoom: 0.2, maxZoom: 4,
                         boxSelectionEnabled: false, autounselectify: false });
    // Deterministic: the organisations start on a circle in the order of their IRIs, and each year's
    // layout starts from where the last one left them, so the picture keeps its shape as years change.
    cy.nodes().sort(function (a, b) { return a.id() < b.id() ? -1 : 1; }).layout({ name: "circle", animate: false }).run();
    cy.on("zoom", function () {  // names stay the same size on screen whatever the zoom
      cy.style().selector("node").style({ "font-size": LABEL / cy.zoom(), "text-max-width": 8 * LABEL / cy.zoom() }).update();
    });

    var waiting = null;
    function arrange() {
      cy.elements().not(".hidden").layout(LAYOUT).run();
    }

    // Shows the relations of `year` (all of them: null) at once; lays them out again once the
    // slider rests, as a layout takes a moment.
    function choose(year) {
      var ends = {};
      cy.batch(function () {
        cy.edges().forEach(function (edge) {
          var on = holds(data.edges[edge.data("index")], year);
          edge.toggleClass("hidden", !on);
          if (on) { ends[edge.data("source")] = ends[edge.data("target")] = true; }
        });
        cy.nodes().forEach(function (node) { node.toggleClass("hidden", !ends[node.id()] && !node.hasClass("focus")); });
      });
      window.clearTimeout(waiting);
      waiting = window.setTimeout(arrange, 250);
      var count = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var from = row.getAttribute("data-from"), until = row.getAttribute("data-until");
        row.hidden = !holds({ from: from === null ? null : Number(from), until: until === null ? null : Number(until) }, year);
        if (!row.hidden) { count += 1; }
      });
      if (shown) { shown.value = year === null ? "all years" : String(year); }
      if (all) { if (year === null) { all.setAttribute("aria-current", "true"); } else { all.removeAttribute("aria-current"); } }
      if (counted) {
        counted.textContent = count + " relations " + (year === null ? "over all years" : "in " + year + " (of " +
          counted.getAttribute("data-total") + ")") + ".";
      }
      if (slider) {
        var address = new URL(window.location.href);
        if (year === null) { address.searchParams.delete("year"); } else { address.searchParams.set("year", year); }
        window.history.replaceState(null, "", address.toString());
      }
    }

    cy.on("tap", "edge", function (event) {
      var edge = data.edges[event.target.data("index")];
      showEdge(panel, edge, nodes, kinds[edge.kind].arrow !== "none");
    });
    cy.on("tap", "node", function (event) {
      showNode(panel, nodes[event.target.id()], event.target.connectedEdges().not(".hidden").length);
    });
    if (slider) {
      slider.addEventListener("input", function () { choose(Number(slider.value)); });
    }
    if (all) {
      all.addEventListener("click", function (event) { event.preventDefault(); choose(null); });
    }
    var initial = figure.getAttribute("data-year");
    choose(initial ? Number(initial) : null);
    window.clearTimeout(waiting);
    arrange();
    window.conflictNetwork = cy;
  }

  function start(figure) {
    if (figure.getAttribute("data-drawn")) { return; }  // the page loaded this script twice
    figure.setAttribute("data-drawn", "yes");
    fetch(figure.getAttribute("data-network"), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("the network answered " + response.status); }
        return response.json();
      })
      .then(function (data) { draw(figure, data); })
      .catch(function (problem) { console.error("network: " + problem.message); });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".network-figure[data-network]"), start);
}());
