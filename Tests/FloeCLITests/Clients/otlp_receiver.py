"""A loopback OTLP/HTTP collector for floe's tests, decoding with PyPI's opentelemetry-proto.

    otlp_receiver.py PORT_FILE OUT.jsonl [--hang]

Listens on 127.0.0.1 (a free port, written to PORT_FILE) for POST /v1/traces and /v1/metrics
with `Content-Type: application/x-protobuf`, as an OpenTelemetry collector does. Each body is
parsed as ExportTraceServiceRequest or ExportMetricsServiceRequest; a body that does not parse,
or that holds fields the messages do not define (a wrong field number or wire type), is answered
400. Each request is appended to OUT.jsonl as {"path", "request" (protobuf's JSON mapping),
"errors"}. --hang never answers.
"""
import json
import sys

import loopback

from google.protobuf import json_format
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse

MESSAGES = {
    "/v1/traces": (ExportTraceServiceRequest, ExportTraceServiceResponse),
    "/v1/metrics": (ExportMetricsServiceRequest, ExportMetricsServiceResponse),
}


def decode(path, body):
    """The request as protobuf's JSON mapping, and the problems found."""
    request_type, _ = MESSAGES[path]
    message = request_type()
    try:
        message.ParseFromString(body)
    except Exception as error:  # noqa: BLE001
        return None, [f"not a {request_type.__name__}: {error}"]
    known = request_type()
    known.CopyFrom(message)
    known.DiscardUnknownFields()
    errors = []
    if known.ByteSize() != message.ByteSize():
        errors.append(f"fields {request_type.__name__} does not define (a wrong number or wire type)")
    return json_format.MessageToDict(message), errors


def main(port_file, out, hang=False):
    class Handler(loopback.Receiver):
        def do_POST(self):
            body = self.body()
            if body is None:
                return
            if self.path not in MESSAGES:
                self.send_response(404)
                self.end_headers()
                return
            errors = []
            if self.headers.get("Content-Type") != "application/x-protobuf":
                errors.append(f"Content-Type {self.headers.get('Content-Type')}")
            request, problems = decode(self.path, body)
            errors += problems
            self.record({"path": self.path, "request": request, "errors": errors,
                         "headers": {k.lower(): v for k, v in self.headers.items()}})
            self.send_response(400 if errors else 200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()
            if not errors:
                self.wfile.write(MESSAGES[self.path][1]().SerializeToString())

    Handler.out, Handler.hang = out, hang
    loopback.serve(Handler, port_file)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], hang="--hang" in sys.argv)
