"""The query page a browser gets at /sparql: YASGUI (served from /static), with a plain form for no JavaScript.

Every URL in the page is relative (static/…, sparql, queries), so it works behind any host and path prefix.
YASGUI is configured to talk to this endpoint only: no endpoint catalogue or history, no CORS proxy, no
local storage, no LOV or prefix.cc look-ups.
"""

from __future__ import annotations

import json
from html import escape
from string import Template

from ..config import Settings
from ..formats import FORMATS
from ..namespaces import prefixes as all_prefixes
from .shell import html_page

DEFAULT_QUERY = """SELECT ?organisation ?label WHERE {
  ?organisation a/rdfs:subClassOf* org:Organization ; rdfs:label ?label .
  FILTER (lang(?label) = "en")
} ORDER BY ?label LIMIT 50"""

HEAD = """<link rel="stylesheet" href="static/yasgui/yasgui.min.css">
<style>
textarea { width: 100%; min-height: 14rem; font-family: ui-monospace, monospace; font-size: 0.95rem; }
#catalogue summary { font-weight: 600; margin-bottom: 0.4rem; }
#questions { max-height: 16rem; overflow-y: auto; margin: 0 0 1rem; padding-left: 1.4rem; }
#questions li { margin: 0.3rem 0; }
#catalogue button { font: inherit; color: #0645ad; background: none; border: 0; padding: 0; cursor: pointer;
  text-align: left; text-decoration: underline; }
#catalogue .description { display: block; color: #555; font-size: 0.9rem; }
.yasgui .autocompleteWrapper, .yasgui .clearEndpointBtn { display: none; }
.yasgui .endpointInfo { align-self: center; margin-left: 0.5rem; font-size: 0.9rem; }
/* One query tab: YASGUI puts its "add a tab" button inside the ARIA tab list, where only tabs may be. */
.yasgui .tabsList .addTab { display: none; }
/* CodeMirror's orange and red tokens are too light on white (WCAG 1.4.3); the same hues, darker. */
.yasgui .cm-s-default .cm-string-2 { color: #b03a00; }
.yasgui .cm-s-default .cm-error { color: #c00000; }
</style>"""

MAIN = Template("""<h1>Query the CMA profile</h1>
<p>Common prefixes (ours, <code>wd:</code>, <code>wdt:</code>, <code>rdfs:</code>, <code>owl:</code>,
<code>skos:</code>, <code>schema:</code>, <code>org:</code>, <code>prov:</code>, <code>dcterms:</code>,
<code>time:</code>…) are predeclared. The default graph is the union of all graphs.</p>
<section id="catalogue" hidden>
<details open>
<summary>Example research questions: choose one to load it into the editor and run it</summary>
<ul id="questions"></ul>
</details>
</section>
<div id="yasgui"></div>
<noscript>
<form method="get" action="sparql">
<p><label for="query">Query</label><br>
<textarea id="query" name="query">$escaped_query</textarea></p>
<p><label for="format">Result format</label>
<select id="format" name="format">
$format_options
</select>
<button type="submit">Run</button></p>
</form>
</noscript>
<script src="static/yasgui/yasgui.min.js"></script>
<script>
(function () {
  "use strict";
  var Yasgui = window.Yasgui;
  if (!Yasgui) { return; }
  var endpoint = new URL("sparql", document.baseURI).href;
  var query = $query_json;
  var prefixes = $prefixes_json;
  var Yasqe = Yasgui.Yasqe;
  // LOV class/property completion calls a remote host; the bundled prefix.cc list would add PREFIX lines
  // that clash with the predeclared ones (schema:, role:, obj:, cert:). Keep variable completion only.
  Yasqe.defaults.autocompleters = ["variables"];
  // The server predeclares our prefixes: teach YASQE's syntax check so it does not flag them as undefined.
  var sparqlMode = Yasqe.modes && Yasqe.modes.sparql11;
  if (sparqlMode) {
    Yasqe.defineMode("sparql11", function (config, modeConfig) {
      var mode = sparqlMode(config, modeConfig);
      var startState = mode.startState;
      mode.startState = function () {
        var state = startState.apply(mode, arguments);
        state.prefixes = Object.assign({}, prefixes, state.prefixes);
        return state;
      };
      return mode;
    });
  }
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    corsProxy: undefined,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return []; } },
    endpointInfo: function () {
      var info = document.createElement("span");
      info.className = "endpointInfo";
      var code = document.createElement("code");
      code.textContent = endpoint;
      info.append("Endpoint: ", code);
      return info;
    },
    populateFromUrl: function (config) {
      config.requestConfig = Object.assign({}, config.requestConfig, { endpoint: endpoint, method: "POST" });
      return config;
    },
    yasqe: { value: query },
    yasr: { prefixes: prefixes }
  });
  window.yasgui = yasgui;
  // CodeMirror's hidden input is what assistive technology reaches: give it a name
  document.querySelectorAll("#yasgui textarea").forEach(function (input) {
    input.setAttribute("aria-label", "SPARQL query");
  });
  // and the results' page-size choice, which YASR draws anew with each answer
  new MutationObserver(function () {
    document.querySelectorAll("#yasgui select.tableSizer:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", "Rows per page");
    });
  }).observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  function run(text) {
    var tab = yasgui.getTab();
    if (!tab) { return; }
    tab.setQuery(text);
    tab.query().catch(function () {});
  }

  fetch("queries", { headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : []; })
    .then(function (questions) {
      if (!Array.isArray(questions)) { return; }
      var list = document.getElementById("questions");
      questions.forEach(function (question) {
        if (!question || typeof question.query !== "string") { return; }
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = question.title || question.id || "Untitled question";
        if (question.id) { button.dataset.id = question.id; }
        button.addEventListener("click", function () { run(question.query); });
        item.appendChild(button);
        if (question.description) {
          var description = document.createElement("span");
          description.className = "description";
          description.textContent = question.description;
          item.appendChild(description);
        }
        list.appendChild(item);
      });
      if (list.children.length) { document.getElementById("catalogue").hidden = false; }
    })
    .catch(function () {});
})();
</script>
""")


def _script_json(value) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _format_options() -> str:
    """The answer formats, for the form that works without JavaScript: results for SELECT and ASK,
    then graphs for CONSTRUCT and DESCRIBE (application/json, either, is left to `Accept`)."""
    options = [(f.suffix, f.label) for f in FORMATS if f.results and f.graphs is None]
    options += [(f.suffix, f"{f.label} (CONSTRUCT, DESCRIBE)") for f in FORMATS if f.graphs and f.results is None]
    return "\n".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in options)


def editor_page(query: str = DEFAULT_QUERY, prefixes: dict[str, str] | None = None) -> str:
    """The page; `prefixes` (shown compactly in results) default to the project's for the configured base."""
    if prefixes is None:
        prefixes = all_prefixes(Settings.from_env().base)
    main = MAIN.substitute(escaped_query=escape(query), query_json=_script_json(query),
                           prefixes_json=_script_json(prefixes), format_options=_format_options())
    return html_page("", "SPARQL query", main, head=HEAD, current="sparql", wide=True)
