"""The operator's view: what a running service writes to its log, as text and as JSON lines."""

from __future__ import annotations

import io
import json
import logging
import urllib.error
import urllib.request

import pytest

from service.logs import configure, event, logger

from .conftest import start_server, stop_server


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as problem:
        return problem.code


def test_configure_writes_events_as_json_lines():
    stream = io.StringIO()
    configure("INFO", "json", stream)
    try:
        event(logger("test"), "worker-died", pid=12, signal="SIGKILL")
        event(logger("test"), "hidden", level=logging.DEBUG, detail=1)
    finally:
        configure("WARNING", "text")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 1, "a DEBUG event is below the INFO level and must not be written"
    assert lines[0]["event"] == "worker-died" and lines[0]["pid"] == 12 and lines[0]["signal"] == "SIGKILL"
    assert lines[0]["logger"] == "test" and lines[0]["level"] == "INFO"


def test_configure_writes_text_with_quoted_values():
    stream = io.StringIO()
    configure("INFO", "text", stream)
    try:
        event(logger("test"), "refused", reason="two words", path="/x")
    finally:
        configure("WARNING", "text")
    assert stream.getvalue().rstrip().endswith('INFO test refused reason="two words" path=/x')


@pytest.mark.parametrize("level, form", [("bogus", "text"), ("INFO", "xml")])
def test_configure_refuses_unknown_settings(level, form):
    with pytest.raises(ValueError):
        configure(level, form)


def test_every_request_has_an_access_line(store_dir):
    server = start_server(store_dir, log_format="json", workers="1")
    try:
        assert _get(server.url + "/id/organisation/mnla") == 200
        assert _get(server.url + "/no/such/page") == 404
    finally:
        stop_server(server)
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    requests = {line["path"]: line for line in lines if line.get("event") == "request"}
    assert requests["/id/organisation/mnla"]["status"] == 200
    assert requests["/id/organisation/mnla"]["bytes"] > 1000
    assert requests["/id/organisation/mnla"]["client"] == "127.0.0.1"
    assert requests["/no/such/page"]["status"] == 404
    assert all(isinstance(line["ms"], float) for line in requests.values())


def test_log_level_setting_silences_info(store_dir):
    server = start_server(store_dir, log_level="WARNING", workers="1")
    try:
        assert _get(server.url + "/id/organisation/mnla") == 200
    finally:
        stop_server(server)
    assert " request " not in server.log()
