"""psycopg's conn.cancel() (a CancelRequest on a second connection) against a slow query of floe
serve's SQL API. Usage: sql_cancel.py HOST PORT TOKEN. Prints one JSON object."""
import json
import sys
import threading
import time

import psycopg

host, port, token = sys.argv[1:4]
result = {}
with psycopg.connect(f"host={host} port={port} user=alice dbname=shop password={token}", autocommit=True) as conn:
    outcome = {}

    def run():
        started = time.monotonic()
        try:
            conn.execute('SELECT MEASURE(count) FROM "Slow"').fetchall()
            outcome["error"] = None
        except psycopg.Error as error:
            outcome["error"] = [error.sqlstate, error.diag.message_primary]
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(1.5)
    conn.cancel()
    worker.join(60)
    result["cancelled"] = outcome
    result["after"] = [[str(v) for v in row] for row in conn.execute('SELECT status, MEASURE(count) FROM "Orders" GROUP BY 1 ORDER BY 1').fetchall()]
print(json.dumps(result))
