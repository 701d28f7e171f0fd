"""What floe's loopback test servers share: a threading HTTP server on 127.0.0.1 at a free port,
which it writes to a file (renamed into place, so a reader never sees half of it)."""
import os
from http.server import ThreadingHTTPServer


def serve(handler, port_file):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(port_file + ".tmp", "w") as handle:
        handle.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()
