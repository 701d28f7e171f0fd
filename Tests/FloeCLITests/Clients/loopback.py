"""What floe's loopback test servers share: a threading HTTP server on 127.0.0.1 at a free port,
which it writes to a file (renamed into place, so a reader never sees half of it), and a
request handler base that reads bodies, can hang instead of answering (a destination that
accepts connections and never replies), and appends what it received to a JSON-lines file."""
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver(BaseHTTPRequestHandler):
    """Set `out` and `hang` on a subclass; its do_POST calls `body()` and `record()`."""

    out = None
    hang = False
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def body(self):
        """The request's body; None after an hour when the server hangs."""
        if self.hang:
            time.sleep(3600)
            return None
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def record(self, entry):
        with Receiver.lock, open(self.out, "a") as handle:
            handle.write(json.dumps(entry) + "\n")


def serve(handler, port_file):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(port_file + ".tmp", "w") as handle:
        handle.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()
