"""The one shell every HTML page shares: the head, a header with the search box and the site's
navigation, the `<main>` landmark the page's own content goes in, and a footer.

Links start from `root`: the service's base URL for pages deep under `/id/…`, or "" for pages
at the top level that must work behind any host and path prefix (relative links resolve there).
The pages work without JavaScript; `static/search.js` only adds suggestions as one types.
"""

from __future__ import annotations

from html import escape

# How to cite the data served now: one line, set once the service knows which release it serves
# (`cite`); a page of another release passes its own to `html_page`.
_CITATION = [""]


def cite(citation: str) -> None:
    _CITATION[0] = citation


# (path under the root, words) of the site's sections, in the order the header lists them
SECTIONS = (("organisations", "Organisations"), ("people", "People"), ("places", "Places"),
            ("events", "Events"), ("network", "Network"), ("sources", "Sources"), ("queries", "Questions"),
            ("sparql", "SPARQL"), ("dumps/", "Dumps"))


def html_page(root: str, title: str, main: str, *, head: str = "", scripts: tuple[str, ...] = (),
              current: str = "", wide: bool = False, searched: str = "", citation: str | None = None) -> str:
    """A whole page. `head`: more of the head (alternate links, embedded data); `scripts`: paths
    under the root of scripts run at the end of the body; `current`: the section the page is in;
    `searched`: what the search box holds; `citation`: how to cite what the page shows, when it is
    not the data served now."""
    cited = _CITATION[0] if citation is None else citation
    sections = "".join(
        f'<li><a href="{escape(root + path)}"{" aria-current=page" if path == current else ""}>{words}</a></li>'
        for path, words in SECTIONS)
    run = "".join(f'<script src="{escape(root + path)}" defer></script>' for path in ("static/search.js", *scripts))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — conflict-ld</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{escape(root)}static/site.css">
<link rel="describedby" href="{escape(root)}.well-known/void">
{head}
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="site">
<a class="home" href="{escape(root or './')}">conflict-ld</a>
<form class="search" role="search" action="{escape(root)}search" method="get">
<label for="site-search">Search names</label>
<input id="site-search" type="search" name="q" placeholder="MNLA, Kidal, Chérif…" autocomplete="off"
 data-suggest="{escape(root)}search" value="{escape(searched)}">
<button type="submit">Search</button>
</form>
<nav aria-label="Site"><ul>{sections}</ul></nav>
</header>
<main id="main"{' class="wide"' if wide else ""}>
{main}
</main>
<footer class="site">
<p>conflict-ld: a research profile of the Coordination of Azawad Movements as Linked Data.
Data and ontology under <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a> ·
<a href="{escape(root)}.well-known/void">about the dataset</a> · <a href="{escape(root)}ontology">ontology</a> ·
<a href="{escape(root)}dumps/">dumps</a> · <a href="{escape(root)}releases">releases</a></p>
{f'<p class="cite">Cite as: {escape(cited)}</p>' if cited else ""}
</footer>
{run}
</body>
</html>
"""
