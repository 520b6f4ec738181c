// Suggestions under the search box as one types (the ARIA 1.2 combobox pattern). Without this
// script the box is a plain form that opens the /search page.
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  if (!input || !window.fetch) { return; }
  var form = input.form;
  var list = document.createElement("ul");
  list.id = "site-search-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  var hits = [], active = -1, asked = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function select(index) {
    var items = list.children;
    if (active >= 0 && items[active]) { items[active].setAttribute("aria-selected", "false"); }
    active = index;
    if (active >= 0 && items[active]) {
      items[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[active].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(results) {
    hits = results;
    list.textContent = "";
    results.forEach(function (hit, index) {
      var item = document.createElement("li");
      item.id = "site-search-option-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.append(hit.label + " ");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.kind;
      item.appendChild(kind);
      item.addEventListener("mousedown", function (event) { event.preventDefault(); window.location.href = hit.url; });
      list.appendChild(item);
    });
    active = -1;
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
  }

  input.addEventListener("input", function () {
    var text = input.value.trim();
    var number = ++asked;
    if (!text) { show([]); return; }
    var url = input.getAttribute("data-suggest") + "?limit=8&q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (answer) { if (number === asked) { show(answer.results || []); } })
      .catch(function () {});
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && hits.length) {
      event.preventDefault();
      if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      select((active + 1) % hits.length);
    } else if (event.key === "ArrowUp" && hits.length) {
      event.preventDefault();
      select(active <= 0 ? hits.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
      event.preventDefault();
      window.location.href = hits[active].url;
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
})();
