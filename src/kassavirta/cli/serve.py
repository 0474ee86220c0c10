"""`kassavirta serve`: the checks over HTTP for ERPs, and a page where a person drops an invoice."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from pathlib import Path

from kassavirta.cli.common import add_decision_options, at_least_one, options_from

USAGE_ERROR = 2

HELP = "answer checks over HTTP (a pre-send hook for ERPs) and serve a page to drop invoices on"
DESCRIPTION = (
    "Start an HTTP server that gives the same decisions as `kassavirta check`,\n"
    "the rewritten invoice and its image, reminder schedules and event checks, plus a\n"
    "page at / where a person drops invoice files and sees what the service will do.\n"
    "Needs the server extra: pip install '.[server]' in a checkout of the repository."
)

EPILOG = """\
routes (docs/server.md has them all, with examples):
  POST /v1/check           one invoice file -> the JSON result of `check --output json`
  POST /v1/check/batch     multipart files or a zip -> the CLI's JSON document
  POST /v1/rewrite         the invoice as the service will send it (XML, or JSON diff)
  POST /v1/preview         the regenerated invoice image (Accept: application/pdf|text/html)
  POST /v1/events/validate would the service accept this event (needs --ledger/--assignments)
  GET  /v1/schedule        ?due_date=YYYY-MM-DD[&business_id=...]: the reminder schedule
  GET  /healthz /readyz /openapi.json, and the page at /

example:
  kassavirta serve --settings samples/settings.json
  curl --data-binary @samples/route/finvoice-3.0.xml -H 'Content-Type: application/xml' \\
       'localhost:8080/v1/check?today=2026-12-01'

Every decision is a 200 (the decision is data); 4xx only for a request that
cannot be answered as sent. Settings, assignments, ledger and schemas are read
once at start (the ledger again when its file changes); a bad file is a usage
error before the server starts. SIGTERM or Ctrl-C: stop accepting, finish the
requests in flight, exit.

limits on connections: a silent connection is closed after --idle-timeout, a
request head must arrive within --header-timeout (else 408), a request within
--timeout; a worker keeps --max-connections open (the longest-idle one is
closed for a new one; 503 when all are busy). Without --token-file, only
requests addressed to localhost, 127.0.0.1 or [::1] (any port) or to an
--allow-host name are answered, and none sent by a page of another site: 403.

exit status: 0 after a clean shutdown, 2 for a usage error (bad flag or file,
the server extra not installed), 1 when the server cannot start (port in use).
"""


_positive_int = at_least_one("not a positive whole number")


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {value!r}")
    return number


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0 or number != number or number == float("inf"):
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {value!r}")
    return number


def register(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("server")
    g.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only). Listening on "
        "another address without --token-file lets anyone who reaches it use the server",
    )
    g.add_argument("--port", type=_port, default=8080, help="the TCP port (default 8080)")
    g.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        metavar="N",
        help="worker processes (default 1); each loads the settings and schemas once",
    )
    g.add_argument(
        "--check-threads",
        type=_positive_int,
        default=2,
        metavar="N",
        help="threads per worker that run checks (default 2), so that one long check does not "
        "hold up the quick ones behind it; throughput comes from --workers",
    )
    g.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="require `Authorization: Bearer <token>` on every /v1 route; the token is the "
        "file's content (one line)",
    )
    g.add_argument(
        "--max-bytes",
        type=_positive_int,
        metavar="N",
        help="the largest request body, and the largest invoice, in bytes (default: the "
        "config's max_bytes, else 20 MiB); larger bodies get 413 while they stream in",
    )
    g.add_argument(
        "--timeout",
        type=_seconds,
        default=30.0,
        metavar="S",
        help="seconds a request may take, upload included (default 30): 408 for a body that "
        "is still arriving, 503 for work that runs over",
    )
    g.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=5.0,
        metavar="S",
        help="seconds a connection with no request in progress may stay silent before it is "
        "closed, before its first request too (default 5)",
    )
    g.add_argument(
        "--header-timeout",
        type=_seconds,
        default=5.0,
        metavar="S",
        help="seconds a request head (the request line and headers) may take from its first "
        "byte (default 5): a slower one gets 408 and its connection is closed",
    )
    g.add_argument(
        "--max-connections",
        type=_positive_int,
        default=1000,
        metavar="N",
        help="most connections one worker keeps open (default 1000, and never more than its "
        "descriptor limit allows: `ulimit -n` less a fifth). Beyond it the longest-idle "
        "connection is closed, or, when all are busy, the new one gets 503",
    )
    g.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="without --token-file, a request must be addressed (Host) to localhost, 127.0.0.1 "
        "or [::1], and a page's request (Origin) come from one of them, or get 403; this "
        "allows NAME too (repeatable), e.g. the name the server is reached by on the network",
    )
    g.add_argument(
        "--max-files",
        type=_positive_int,
        default=1000,
        metavar="N",
        help="most invoices in one batch request, zip members included (default 1000)",
    )
    g.add_argument(
        "--max-unpacked-bytes",
        type=_positive_int,
        default=200 * 1024 * 1024,
        metavar="N",
        help="most bytes the zip members of one batch request may unpack to (default 200 MiB)",
    )
    g.add_argument(
        "--max-held-bytes",
        type=_positive_int,
        metavar="N",
        help="most request-body bytes one worker holds at once (default: three times "
        "--max-bytes, 60 MiB with the default limit; never less than --max-bytes). A request "
        "that does not fit waits its turn, and after 5 s (at most half of --timeout) gets 503 "
        "with Retry-After",
    )
    g.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default="info",
        help="JSON log lines on stderr at this level and above (default info: one line per "
        "request)",
    )
    add_decision_options(p, config_default="kassavirta.toml in the working folder, if any")
    p.set_defaults(run=run)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from kassavirta.server import ServerConfig, create_app
        from kassavirta.server.config import ENV_VAR
        from kassavirta.server.logs import log_config
        from kassavirta.server.protocol import ConnectionLimits, descriptor_room, guarded_protocol
    except ImportError as exc:
        print(
            f"kassavirta serve: the server extra is not installed ({exc.name} is missing): "
            "pip install '.[server]' in a checkout of the repository",
            file=sys.stderr,
        )
        return USAGE_ERROR
    import os
    import signal

    from kassavirta.config.policy import max_bytes_of

    options = options_from(args, [])
    config = ServerConfig(
        options=options,
        token_file=args.token_file,
        max_bytes=args.max_bytes or max_bytes_of(options),
        timeout=args.timeout,
        max_files=args.max_files,
        max_unpacked=args.max_unpacked_bytes,
        max_held=args.max_held_bytes,
        check_threads=args.check_threads,
        own_process=True,
        allowed_hosts=tuple(args.allow_host),
    )
    token = config.resolved_token()  # a bad token file is a usage error, before anything starts
    if token is None and not is_loopback(args.host):
        print(
            f"kassavirta serve: warning: listening on {args.host} without --token-file: anyone "
            "who can reach this address can use the server (and requests must still be "
            "addressed to a loopback name, or to one --allow-host gives)",
            file=sys.stderr,
        )
    room, backlog = descriptor_room()
    if args.max_connections > room:
        print(
            f"kassavirta serve: warning: --max-connections {args.max_connections} is more than "
            f"the descriptor limit leaves room for; each worker keeps at most {room} open",
            file=sys.stderr,
        )
    limits = ConnectionLimits(
        idle_timeout=args.idle_timeout,
        header_timeout=args.header_timeout,
        max_connections=min(args.max_connections, room),
    )
    app = create_app(config)  # loads settings, assignments, ledger and schemas: fails early
    common = {
        "host": args.host,
        "port": args.port,
        "log_config": log_config(args.log_level),
        "access_log": False,  # ours is structured and leaves out the query
        "server_header": False,
        "http": guarded_protocol(limits),
        "backlog": backlog,
        "timeout_graceful_shutdown": int(config.timeout) + 5,
    }
    # uvicorn stops gracefully on SIGTERM and Ctrl-C, then raises the signal again for the
    # handler that was there before it; ours swallows it, so a requested stop exits 0.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, lambda *_: None)
    try:
        if args.workers == 1:
            uvicorn.run(app, **common)
        else:
            del app  # each worker process loads its own, from the configuration in the environment
            os.environ[ENV_VAR] = config.to_json()
            uvicorn.run(
                "kassavirta.server.app:create_app_from_env",
                factory=True,
                workers=args.workers,
                **common,
            )
    except SystemExit as exc:  # uvicorn's way to say it could not start (e.g. the port is taken)
        if exc.code not in (0, None):
            print(
                f"kassavirta serve: the server could not start on {args.host}:{args.port} "
                "(the reason is in the log above)",
                file=sys.stderr,
            )
            return 1
    return 0
