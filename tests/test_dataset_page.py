"""`/.well-known/void` read by a person: the same description as the data, as a page."""

import re
from html import unescape

import httpx
from rdflib import Graph, Namespace

VOID = Namespace("http://rdfs.org/ns/void#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_reads_the_description_machines_get(live_server):
    page = httpx.get(live_server.url + "/.well-known/void", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["vary"].startswith("Accept")
    data = httpx.get(live_server.url + "/.well-known/void", headers={"Accept": "*/*"})
    assert data.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=data.text, format="turtle")
    dataset = next(graph.subjects(VOID.triples, None))
    text = unescape(re.sub(r"<[^>]+>", " ", page.text))
    triples = int(graph.value(dataset, VOID.triples))
    assert re.search(rf"Triples\s+{triples:,}\b", text)
    assert "conflict-ld contributors (" in text and "[Data set]" in text  # how to cite
    sums = httpx.get(live_server.url + "/dumps/SHA256SUMS").text
    for line in sums.splitlines():
        digest, name = line.split()
        name = name.lstrip("*")
        size = len(httpx.get(f"{live_server.url}/dumps/{name}").content)
        row = re.search(rf'>{re.escape(name)}</a></td><td>[^<]*</td><td class="number">([\d,]+)</td><td><code>(\w+)</code>', page.text)
        assert row, name
        assert (int(row.group(1).replace(",", "")), row.group(2)) == (size, digest)
    assert f'href="{live_server.url}/id/organisation/mnla"' in page.text  # an example resource, linked
    assert '<main id="main">' in page.text
