"""`chalice local` for the local stage, with API Gateway's GatewayResponses mirrored:
an unknown path is a 404 problem+json (chalice local answers 403 "Missing Authentication
Token"; the deployed API maps that through a GatewayResponse in the same way).

Run as `python -m local.api_server --port 8000 --aws-port 4566 --oidc-port 8026`."""

from __future__ import annotations

import argparse
import functools
import json
from typing import Any

from local.stage import ROOT, STAGE, Ports, apply


def _not_found_response(path: str) -> dict[str, Any]:
    from chalicelib.web.problems import PROBLEM_CONTENT_TYPE, problem_body

    detail = f"No route matches {path.split('?')[0]}."
    return {
        "statusCode": 404,
        "headers": {"Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store"},
        "multiValueHeaders": {},
        "body": json.dumps(problem_body(404, "not_found", detail)),
    }


def serve(ports: Ports) -> None:
    apply(ports)
    from chalice.config import Config
    from chalice.local import (
        ChaliceRequestHandler,
        ForbiddenError,
        LocalGateway,
        ThreadedHTTPServer,
        create_local_server,
    )

    from app import app

    class ProblemGateway(LocalGateway):
        def handle_request(self, method: str, path: str, headers: Any, body: Any) -> Any:
            try:
                self.event_converter.create_lambda_event(method, path, headers, body)
            except ValueError:
                return _not_found_response(path)
            try:
                return super().handle_request(method, path, headers, body)
            except ForbiddenError:
                return _not_found_response(path)

    class ProblemRequestHandler(ChaliceRequestHandler):
        # http.server writes the headers and the body of an answer in separate sends; with
        # Nagle's algorithm on, a kept-alive client waits for its delayed ACK (~40 ms) on
        # every request. API Gateway has no such pause.
        disable_nagle_algorithm = True

        def __init__(self, request: Any, client_address: Any, server: Any, **kw: Any) -> None:
            self.local_gateway = ProblemGateway(kw["app_object"], kw["config"])
            super(ChaliceRequestHandler, self).__init__(request, client_address, server)

        def log_message(self, format: str, *args: Any) -> None:
            return  # the app logs every request itself, as structured JSON

        def __getattr__(self, name: str) -> Any:
            # Any other method (TRACE, QUERY…) reaches the app, which answers a 405
            # problem as API Gateway does, instead of http.server's bare 501.
            if name.startswith("do_"):
                return self._generic_handle
            raise AttributeError(name)

    config_from_disk = json.loads((ROOT / ".chalice" / "config.json").read_text())
    config = Config.create(
        chalice_stage=STAGE,
        app_name="vetpet",
        chalice_app=app,
        project_dir=str(ROOT),
        config_from_disk=config_from_disk,
    )
    # Bursts of concurrent clients (the booking race test and benchmark) overflow the
    # socketserver default backlog of 5, which resets connections.
    ThreadedHTTPServer.request_queue_size = 128
    server = create_local_server(app, config, "127.0.0.1", ports.api)
    server.server.RequestHandlerClass = functools.partial(
        ProblemRequestHandler, app_object=app, config=config
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the runner stops us
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=Ports.api)
    parser.add_argument("--aws-port", type=int, default=Ports.aws)
    parser.add_argument("--oidc-port", type=int, default=Ports.oidc)
    parser.add_argument("--telegram-port", type=int, default=Ports.telegram)
    parser.add_argument("--payments-port", type=int, default=Ports.payments)
    parser.add_argument("--media-port", type=int, default=Ports.media)
    parser.add_argument("--mailbox-port", type=int, default=Ports.mailbox)
    args = parser.parse_args()
    serve(
        Ports(
            api=args.port,
            aws=args.aws_port,
            oidc=args.oidc_port,
            telegram=args.telegram_port,
            payments=args.payments_port,
            media=args.media_port,
            mailbox=args.mailbox_port,
        )
    )


if __name__ == "__main__":
    main()
