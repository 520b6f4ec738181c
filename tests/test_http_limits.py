"""What a request may send: header sizes (431), URL and parameters (414, 400), the time its head may take.

Against the real server, with httpx where a client can send the request and with raw sockets where
no well-behaved client would.
"""

import asyncio
import email.utils
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
    """A field counts as sent: name, ": ", value and CRLF. 6 + 2 + 8182 + 2 = 8192 bytes is the most."""
    assert httpx.get(live_server.url + "/", headers={"X-Long": "a" * 8182}).status_code == 200
    response = httpx.get(live_server.url + "/", headers={"X-Long": "a" * 8183})
    assert response.status_code == 431
    assert response.text == "Request Header Fields Too Large: the 'X-Long' field exceeds 8192 bytes.\n"


def test_a_refusal_is_a_well_formed_response(live_server):
    """Written by the protocol itself, before any route: still the server's usual head (its date and
    name), a plain-text type, the body's exact length, and the connection closed. A field's name is
    shown cut to 64 characters, however long it is."""
    name = "X-" + "n" * 98
    response = httpx.get(live_server.url + "/", headers={name: "a" * 8100})
    assert response.status_code == 431
    assert response.text == f"Request Header Fields Too Large: the {name[:64]!r} field exceeds 8192 bytes.\n"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["connection"] == "close"
    assert email.utils.parsedate_to_datetime(response.headers["date"]).tzinfo is not None
    assert response.headers["server"] == httpx.get(live_server.url + "/").headers["server"]


def test_header_fields_over_32_kib_together_are_431(live_server):
    """32768 bytes of fields in all, each counted as sent ("Name: value" and CRLF), the request line apart."""
    def head(total: int) -> bytes:  # HTTP/1.0: the server closes the connection after its answer
        fields = [(b"Host", b"x")] + [(b"X-Part-%d" % i, b"a" * 8180) for i in range(3)]  # 9 + 3 * 8192 bytes
        rest = total - sum(len(name) + 2 + len(value) + 2 for name, value in fields)
        fields.append((b"X-End", b"a" * (rest - len(b"X-End: \r\n"))))
        return b"GET / HTTP/1.0\r\n" + b"".join(name + b": " + value + b"\r\n" for name, value in fields) + b"\r\n"

    assert exchange(live_server, head(32768)).startswith(b"HTTP/1.1 200 ")
    answer = exchange(live_server, head(32769))
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert answer.endswith(b"\r\n\r\nRequest Header Fields Too Large: the header fields exceed 32768 bytes.\n")


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
    """The parser holds a field until it ends: one that never does is cut off once the head passes
    the request target, the header fields and 1024 bytes of line ends (18433 + 32768 + 1024), however
    the bytes come. Here in pieces of 1000, each sent once the server has read what came before."""
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        sent = 0

        def answered_else_one_more_piece() -> bool:
            nonlocal sent
            if select.select([connection], [], [], 0.01)[0]:
                return True
            try:
                connection.sendall(b"a" * 1000)
            except (BrokenPipeError, ConnectionResetError):
                return True
            sent += 1000
            return sent > 200_000  # far past the limit: the test fails below

        wait_until(answered_else_one_more_piece, "the server to cut off the unending head", step=0)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert answer.endswith(b"\r\n\r\nRequest Header Fields Too Large: the request head exceeds 52225 bytes.\n")


def test_a_body_longer_than_a_head_may_be_is_read(live_server):
    """The head's bound ends with the head: a POSTed query longer than any head (60,000 bytes of it
    comments) is answered."""
    query = "ASK {}\n" + ("# " + "a" * 98 + "\n") * 600
    response = httpx.post(live_server.sparql, content=query, headers={"Content-Type": "application/sparql-query",
                                                                      "Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.json()["boolean"] is True


def test_a_refused_client_that_keeps_the_connection_is_disconnected(live_server):
    """After a refusal the server reads (and drops) what the client still sends for a moment, then
    closes: a client holding the connection open holds nothing for long, and what it sent after is
    never read as a request of its own."""
    start = len(live_server.log())
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 431 ")

        def closed_by_the_server() -> bool:
            try:
                connection.sendall(b"a")  # a closed connection answers with a reset, felt by a later send
                return False
            except (BrokenPipeError, ConnectionResetError):
                return True

        wait_until(closed_by_the_server, "the server to close the refused connection", timeout=20, step=0.2)
    log = live_server.log()[start:]
    assert log.count("status=431") == 1
    assert "Invalid HTTP request" not in log and "Traceback" not in log


@pytest.mark.parametrize("request_bytes", [
    b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX\x00: y\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n Folded: y\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: \xc2\xb2\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET http://a:b/ HTTP/1.1\r\nHost: x\r\n\r\n",  # parsed, but its port is no number: the URL cannot be split
])
def test_malformed_requests_are_400(live_server, request_bytes):
    start = len(live_server.log())
    answer = exchange(live_server, request_bytes)
    assert answer.startswith(b"HTTP/1.1 400 ") and answer.endswith(b"\r\n\r\nInvalid HTTP request received.")
    wait_until(lambda: re.search(r"(?m)^WARNING:  Invalid HTTP request received\.$", live_server.log()[start:]),
               "the warning in the log")


# --- URL and parameters --------------------------------------------------------------------------------


def test_a_request_target_beyond_both_limits_is_414_as_it_arrives(live_server):
    answer = exchange(live_server, b"GET /" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 414 ")
    assert answer.endswith(b"\r\n\r\nURI Too Long: the request target exceeds 18433 characters.\n")


def test_a_request_target_of_both_limits_together_is_read(live_server):
    """The longest path and the longest query string, with the "?" between: 2048 + 1 + 16384 characters
    pass the protocol and reach the route (which has no such organisation)."""
    target = "/id/organisation/" + "a" * 2031 + "?x=" + "a" * 16382
    assert len(target) == 18433
    assert httpx.get(live_server.url + target).status_code == 404


PATH_TOO_LONG = "URI Too Long: the path exceeds 2048 characters.\n"
QUERY_TOO_LONG = ("URI Too Long: the query string exceeds 16384 characters; /sparql and /reconcile take longer "
                  "requests by POST.\n")


@pytest.mark.parametrize("at_most, past, message", [
    ("/id/organisation/" + "a" * 2031, "/id/organisation/" + "a" * 2032, PATH_TOO_LONG),
    # the path as sent, percent-escapes and all (2051 characters here, 695 once decoded)
    (None, "/id/organisation/" + "%41" * 678, PATH_TOO_LONG),
    ("/reconcile/suggest/entity?prefix=" + "a" * 16377, "/reconcile/suggest/entity?prefix=" + "a" * 16378,
     QUERY_TOO_LONG),
    ("/organisations?x=" + "a" * 16382, "/organisations?x=" + "a" * 16383, QUERY_TOO_LONG),
], ids=["path", "escaped-path", "reconcile-query", "page-query"])
def test_long_paths_and_query_strings_are_414_on_every_route(live_server, at_most, past, message):
    """The most the README allows passes (whatever the route then answers); one character more is 414."""
    if at_most is not None:
        assert httpx.get(live_server.url + at_most).status_code != 414
    response = httpx.get(live_server.url + past)
    assert response.status_code == 414 and response.text == message


def test_a_server_that_gives_no_raw_path_nor_query_string_is_measured_all_the_same():
    """ASGI leaves `raw_path` and `query_string` to the server: without them the path is measured as
    its UTF-8 bytes (an "é" is two), and a missing query string is an empty one."""
    from service.config import Limits
    from service.http_limits import RequestLimits

    async def reached(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def status(path: str) -> int:
        sent = []

        async def send(message):
            sent.append(message)

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        scope = {"type": "http", "method": "GET", "path": path, "headers": [], "client": ("127.0.0.1", 1)}
        asyncio.run(RequestLimits(reached, Limits(max_path_length=12, max_query_length=2))(scope, receive, send))
        return sent[0]["status"]

    assert status("/" + "é" * 5) == 200  # 11 bytes
    assert status("/" + "é" * 6) == 414  # 13 bytes


def test_more_than_100_parameters_is_400_on_every_route(live_server):
    for path in ("/", "/sparql", "/id/place/kidal", "/reconcile"):
        assert httpx.get(live_server.url + path + "?" + "&".join(f"p{i}=" for i in range(100))).status_code < 400
        response = httpx.get(live_server.url + path + "?" + "&".join(f"p{i}=" for i in range(101)))
        assert response.status_code == 400 and response.text == "Bad Request: more than 100 parameters.\n"


def test_a_sparql_form_with_too_many_fields_is_400(live_server):
    body = "query=ASK%7B%7D&" + "&".join(f"p{i}=" for i in range(100))
    response = httpx.post(live_server.sparql, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and "more than 100 form fields" in response.text


# --- the time a request head may take (a server of its own, with a one-second limit) ---------------------

RUNAWAY = b"SELECT%20(COUNT(*)%20AS%20%3Fn)%20%7B%20%3Fa%20%3Fb%20%3Fc%20.%20%3Fd%20%3Fe%20%3Ff%20.%20%3Fg%20%3Fh%20%3Fi%20%7D"


@pytest.fixture(scope="module")
def impatient(store_dir):
    server = start_server(store_dir, header_timeout="1", query_timeout="2", workers="1")
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


@pytest.mark.parametrize("extra, status", [(0, b"408"), (1, b"431")], ids=["at-the-limit", "past-it"])
def test_the_head_limit_counts_every_byte_of_the_head(impatient, extra, status):
    """A head of 52225 bytes (the request target, the header fields and 1024 bytes of line ends) whose
    last field never ends is still read, until its time is up (408); one byte more is refused at once."""
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Endless: "
    answer = exchange(impatient, head + b"a" * (52225 - len(head) + extra))
    assert answer.startswith(b"HTTP/1.1 " + status + b" ")


def test_a_pipelined_head_that_is_late_closes_the_connection_after_the_answer_in_progress(impatient):
    """A client sends a request that takes longer than a head may (a query stopped at its 2-second limit),
    and the head of a next one that it never finishes. The answer in progress is sent whole, and then
    the connection is closed: finishing the late head gets no answer."""
    host, port = impatient.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(b"GET /sparql?query=" + RUNAWAY + b" HTTP/1.1\r\nHost: x\r\n\r\n"
                           b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        first = response(connection)
        assert first.startswith(b"HTTP/1.1 503 ") and b"past the 2 s limit" in first, first
        assert b"\r\nconnection: close\r\n" in first.partition(b"\r\n\r\n")[0] + b"\r\n"
        try:
            connection.sendall(b"\r\n")
            rest = connection.recv(65536)
        except ConnectionResetError:
            rest = b""
        assert rest == b""


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
