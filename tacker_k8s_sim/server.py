"""HTTP/1.1 plumbing: threads, keep-alive, chunked watch streams.

Per request: admin paths go to ``admin.py`` untouched by faults and
auth; every other request is logged, may be hit by an injected fault,
is checked for the bearer token and then answered by ``api.py``.
"""

import http.server
import logging
import select
import socket
import ssl
import sys
import threading
import time
import urllib.parse

from tacker_k8s_sim import admin
from tacker_k8s_sim import api
from tacker_k8s_sim import chaos
from tacker_k8s_sim import errors
from tacker_k8s_sim import routing
from tacker_k8s_sim import store as store_mod

LOG = logging.getLogger(__name__)


class SimHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, sim):
        self.sim = sim
        self.connections = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        """A client that went away is no server error; the rest is.

        A watch connection closed by its client (a stopping informer, a
        kubectl interrupted) surfaces here as a reset, a broken pipe or,
        over TLS, an SSL error in the handler's read: say it at DEBUG
        instead of printing a traceback.
        """
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout)):
            LOG.debug("client %s went away: %s", client_address, exc)
            return
        super().handle_error(request, client_address)

    def close_connections(self):
        with self.connections_lock:
            conns = list(self.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "k8s-sim/1.0"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes; without NODELAY
        # the client's delayed ACK adds ~40 ms to every request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY,
                                   1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, fmt, *args):
        LOG.debug("%s " + fmt, self.address_string(), *args)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    # -- plumbing ---------------------------------------------------------

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _client_gone(self):
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _send(self, response):
        self._answering()
        try:
            self.send_response(response.code)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Cache-Control", "no-cache, private")
            if response.stream is None:
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)
                self.wfile.flush()
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            try:
                for block in response.stream:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            finally:
                response.stream.close()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _drop(self):
        self._answering()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _authorized(self, sim):
        if sim.token is None:
            return True
        header = self.headers.get("Authorization") or ""
        scheme, _, value = header.partition(" ")
        return scheme.lower() == "bearer" and value.strip() == sim.token

    def _handle(self, method):
        sim = self.server.sim
        parts = urllib.parse.urlsplit(self.path)
        path = parts.path
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(
            parts.query, keep_blank_values=True).items()}
        raw = self._read_body()
        content_type = self.headers.get("Content-Type")
        if path == "/_sim" or path.startswith("/_sim/"):
            self._send(admin.handle(sim, method, path, query, raw))
            return
        sim.log_request(method, path, query)
        # A request other than a watch is in flight until its answer
        # starts (``_answering``): the client may send its next one as
        # soon as it has read this answer.
        self._in_flight = str(query.get("watch", "")).lower() not in (
            "1", "true")
        if self._in_flight:
            sim.request_started()
        try:
            self._serve(sim, method, path, query, raw, content_type)
        finally:
            self._answering()

    def _answering(self):
        if getattr(self, "_in_flight", False):
            self._in_flight = False
            self.server.sim.request_ended()

    def _serve(self, sim, method, path, query, raw, content_type):
        route = routing.parse(path)
        fault = sim.faults.match(method, routing.verb(method, route, query),
                                 path)
        if fault is not None:
            if fault.kind == chaos.DROP:
                self._drop()
                return
            if fault.kind == chaos.LATENCY:
                time.sleep(fault.delay)
            elif fault.kind == chaos.UNAUTHORIZED:
                self._send(api.error_response(errors.Unauthorized()))
                return
            elif fault.kind == chaos.ERROR:
                self._send(_injected_error(fault.status))
                return
            elif fault.kind == chaos.HTML:
                self._send(api.Response(200, chaos.HTML_BODY,
                                        content_type="text/html"))
                return
        if not self._authorized(sim):
            self._send(api.error_response(errors.Unauthorized()))
            return
        response = sim.api.handle(method, path, query, raw, content_type,
                                  client_gone=self._client_gone,
                                  accept=self.headers.get("Accept"))
        if fault is not None and fault.kind == chaos.CORRUPT and \
                response.code == 200:
            if response.stream is None:
                response.body = fault.corrupt(response.body)
            else:
                response.stream = fault.corrupt_stream(response.stream)
        if fault is not None and fault.kind == chaos.TRUNCATE and \
                response.stream is None:
            self._send_truncated(response, fault.truncate(response.body))
            return
        self._send(response)

    def _send_truncated(self, response, part):
        """Announce the whole body, send ``part`` of it, then hang up."""
        self._answering()
        try:
            self.send_response(response.code)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(part)
            self.wfile.flush()
        except OSError:
            pass
        self._drop()


def _injected_error(code):
    reasons = {500: "InternalError", 502: "InternalError",
               503: "ServiceUnavailable", 504: "Timeout",
               429: "TooManyRequests"}
    exc = errors.ApiError("injected fault: the simulator answered %d"
                          % code, code=code,
                          reason=reasons.get(code, "InternalError"))
    response = api.Response(code, store_mod.encode(exc.status()))
    return response
