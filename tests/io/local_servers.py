"""Fixtures for download tests: a local HTTP server standing in for the pinned upstream
URLs, and a URL where nothing listens (used by tests/datasets and tests/scripts)."""
import pytest


@pytest.fixture
def http_mirror():
    """Serves a folder over HTTP on 127.0.0.1 (a local stand-in for the pinned upstream
    URLs); yields a function folder -> base URL. The servers stop after the test."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    servers = []

    def serve(folder):
        handler = functools.partial(Quiet, directory=str(folder))
        srv = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield serve
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def closed_port_url():
    """An http URL on 127.0.0.1 where nothing listens: a real, immediate network error."""
    import socket
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"
