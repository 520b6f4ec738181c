"""What a request may send: header sizes (431), URL and parameters (414, 400), the time its head may take.

Against the real server, with httpx where a client can send the request and with raw sockets where
no well-behaved client would.
"""

import re
import select
import socket

import httpx
import pytest

from tests.conftest import start_server, stop_server
from tests.waiting import wait_until

pytestmark = pytest.mark.slow


def exchange(server, request: bytes, timeout: float = 15) -> bytes:
    """Everything the server answers to `request`, until it closes the connection."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def response(connection: socket.socket) -> bytes:
    """One whole response (its head and a body of Content-Length bytes) from a kept-alive connection."""
    def more() -> bytes:
        chunk = connection.recv(65536)
        assert chunk, "the server closed the connection before its answer was whole"
        return chunk

    data = b""
    while b"\r\n\r\n" not in data:
        data += more()
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)\r\ncontent-length: *([0-9]+)", head).group(1))
    while len(body) < length:
        body += more()
    return head + b"\r\n\r\n" + body


# --- header sizes --------------------------------------------------------------------------------------


def test_a_header_field_over_8_kib_is_431(live_server):
    assert httpx.get(live_server.url + "/", headers={"X-Long": "a" * 8000}).status_code == 200
    response = httpx.get(live_server.url + "/", headers={"X-Long": "a" * 8200})
    assert response.status_code == 431
    assert response.text == "Request Header Fields Too Large: the 'X-Long' field exceeds 8192 bytes.\n"


def test_header_fields_over_32_kib_together_are_431(live_server):
    headers = {f"X-Part-{i}": "a" * 7000 for i in range(5)}
    response = httpx.get(live_server.url + "/", headers=headers)
    assert response.status_code == 431 and "the header fields exceed 32768 bytes" in response.text


def test_a_megabyte_of_accept_is_refused_and_the_client_reads_why(live_server):
    """120 distinct 1 MB Accept headers used to be read, ranked and kept: +107 MB for good. The refusal
    comes before the server holds more than a request head's worth, and the client, still sending,
    gets the answer rather than a reset."""
    for i in range(5):
        response = httpx.get(live_server.url + "/.well-known/void", headers={"Accept": f"text/x-{i}, " + "a" * 2**20})
        assert response.status_code == 431
    assert "status=431" in live_server.log() and "Request Header Fields Too Large" in live_server.log()
    assert httpx.get(live_server.url + "/.well-known/void").status_code == 200


def test_an_unterminated_header_is_cut_off_at_the_head_limit(live_server):
    answer = exchange(live_server, b"GET / HTTP/1.1\r\nHost: x\r\nX-Endless: " + b"a" * 200_000)
    assert answer.startswith(b"HTTP/1.1 431 ") and b"the request head exceeds" in answer


@pytest.mark.parametrize("request_bytes", [
    b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX\x00: y\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n Folded: y\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: \xc2\xb2\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
])
def test_malformed_requests_are_400(live_server, request_bytes):
    answer = exchange(live_server, request_bytes)
    assert answer.startswith(b"HTTP/1.1 400 ") and b"Traceback" not in answer


# --- URL and parameters --------------------------------------------------------------------------------


def test_a_request_target_beyond_both_limits_is_414_as_it_arrives(live_server):
    answer = exchange(live_server, b"GET /" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 414 ") and b"the request target exceeds 18433 characters" in answer


@pytest.mark.parametrize("url, message", [
    ("/id/organisation/" + "a" * 2100, "the path exceeds 2048 characters"),
    ("/reconcile/suggest/entity?prefix=" + "a" * 16_400, "the query string exceeds 16384 characters"),
    ("/organisations?x=" + "a" * 16_400, "the query string exceeds 16384 characters"),
])
def test_long_paths_and_query_strings_are_414_on_every_route(live_server, url, message):
    response = httpx.get(live_server.url + url)
    assert response.status_code == 414 and message in response.text


def test_more_than_100_parameters_is_400_on_every_route(live_server):
    for path in ("/", "/sparql", "/id/place/kidal", "/reconcile"):
        assert httpx.get(live_server.url + path + "?" + "&".join(f"p{i}=" for i in range(100))).status_code < 400
        response = httpx.get(live_server.url + path + "?" + "&".join(f"p{i}=" for i in range(101)))
        assert response.status_code == 400 and "more than 100 parameters" in response.text


def test_a_sparql_form_with_too_many_fields_is_400(live_server):
    body = "query=ASK%7B%7D&" + "&".join(f"p{i}=" for i in range(100))
    response = httpx.post(live_server.sparql, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and "more than 100 form fields" in response.text


# --- the time a request head may take (a server of its own, with a one-second limit) ---------------------


@pytest.fixture(scope="module")
def impatient(store_dir):
    server = start_server(store_dir, header_timeout="1", workers="1")
    yield server
    stop_server(server)


def head_limit_passed(server) -> None:
    """Return once the server has closed a connection opened now that sends nothing: the head limit has
    passed since, by the server's own clock."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as idle:
        assert idle.recv(1) == b""  # closed, without an answer to a request never made


def test_a_head_sent_byte_by_byte_is_cut_off(impatient):
    """Slowloris: a client sending its headers a byte at a time held a connection (and its memory) for as
    long as it liked. This one's last field never ends: only the server can end the exchange."""
    host, port = impatient.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")

        def answered_else_one_more_byte() -> bool:
            if select.select([connection], [], [], 0)[0]:
                return True
            connection.sendall(b"a")
            return False

        wait_until(answered_else_one_more_byte, "the server to cut off the unending head", step=0.2)  # 5 bytes/s
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ") and b"within 1 s" in answer
    assert "status=408" in impatient.log()


def test_a_connection_that_sends_nothing_is_closed(impatient):
    head_limit_passed(impatient)


def test_the_limit_is_on_the_head_only(impatient):
    """A body that takes longer than the head may (the server then waits as the route does), and a kept-alive
    connection idle between requests for longer than that, are not cut off by it."""
    host, port = impatient.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as connection:
        body = b"ASK {}"
        connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                           b"Content-Length: %d\r\n\r\n" % len(body) + body[:1])
        head_limit_passed(impatient)  # the rest of the body comes later than a head may
        connection.sendall(body[1:])
        assert response(connection).startswith(b"HTTP/1.1 200 ")
        head_limit_passed(impatient)  # idle between requests: the keep-alive timeout (5 s) applies
        connection.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n")
        assert response(connection).startswith(b"HTTP/1.1 200 ")
