"""`make run`: the whole VetPet backend on this machine.

Starts the embedded AWS (moto server), creates every resource from the app's own
definitions, seeds demo data, serves the mailbox, and runs the API under `chalice local`.
Ctrl-C (or SIGTERM) stops everything."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import fields

from local import port_plan
from local.stage import ROOT, Ports, apply

READY_LINE = "VetPet local stack is ready"


def _wait_for(url: str, timeout: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def start(ports: Ports, media_nodes: int = 1) -> Callable[[], None]:
    """Start the stack; return a function that stops it. The whole port plan is checked
    first: a clash is reported by name before anything starts."""
    env = apply(ports)
    from media.config import DEFAULT_UDP_PORTS, parse_port_range, worker_count

    udp = parse_port_range(os.environ.get("VETPET_MEDIA_UDP_PORTS", DEFAULT_UDP_PORTS))
    workers = worker_count(os.environ)
    port_plan.check(port_plan.plan(ports, workers=workers, nodes=media_nodes, udp=udp))
    from local import (
        embedded_aws,
        mailbox,
        oidc,
        payments_standin,
        schedules,
        seed,
        telegram_standin,
    )

    moto = embedded_aws.start_moto(ports.aws)
    embedded_aws.bootstrap()
    env["VETPET_RECORDINGS_KEY_ARN"] = embedded_aws.recordings_key_arn()
    seed.seed()
    bot = telegram_standin.BotStandIn(
        embedded_aws.LOCAL_BOT["token"], embedded_aws.LOCAL_BOT["bot_name"]
    )
    bot_server = telegram_standin.serve(bot, ports.telegram)
    box = mailbox.Mailbox(env["AWS_DEFAULT_REGION"], bot)
    stop_watch = threading.Event()
    threading.Thread(target=box.watch, args=(stop_watch,), daemon=True).start()
    schedules.start_all(stop_watch)
    mail_server = mailbox.serve(box, ports.mailbox)
    oidc_server = oidc.serve(env["VETPET_OIDC_LOCAL_ISSUER"], ports.oidc)
    payments_server = payments_standin.serve(
        ports.payments, payments_standin.http_deliver(env["VETPET_ISSUER"])
    )
    api = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local.api_server",
            "--port",
            str(ports.api),
            "--aws-port",
            str(ports.aws),
            "--oidc-port",
            str(ports.oidc),
            "--telegram-port",
            str(ports.telegram),
            "--payments-port",
            str(ports.payments),
            "--media-port",
            str(ports.media),
            "--mailbox-port",
            str(ports.mailbox),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    stoppers: list[Callable[[], None]] = []

    def stop() -> None:
        for stopper in reversed(stoppers):
            stopper()
        api.terminate()
        try:
            api.wait(timeout=10)
        except subprocess.TimeoutExpired:
            api.kill()
        stop_watch.set()
        mail_server.shutdown()
        oidc_server.shutdown()
        bot_server.shutdown()
        payments_server.shutdown()
        moto.stop()

    try:
        _wait_for(f"http://127.0.0.1:{ports.api}/v1/health", 60, api)
        _set_webhook(ports)
        node_ports = [
            port_plan.media_node_ports(ports.media, workers, node)[0] for node in range(media_nodes)
        ]
        stoppers.append(_start_media(ports, node_ports, udp, env))
    except Exception:
        stop()
        raise
    return stop


def _set_webhook(ports: Ports) -> None:
    """Point the bot at the local API, through the Bot API as a deployment would."""
    from chalicelib.notifications.telegram import set_webhook

    set_webhook(f"http://127.0.0.1:{ports.api}/v1/chatbot/telegram/webhook")


def _start_media(
    ports: Ports, node_ports: list[int], udp: tuple[int, int], env: dict[str, str]
) -> Callable[[], None]:
    """coturn and the media server nodes (SFUs), verifying room tokens with the API's JWKS."""
    from media import devstack

    return devstack.start(
        node_ports=node_ports,
        turn_port=ports.turn,
        turn_relay_ports=port_plan.TURN_RELAY_PORTS,
        udp_ports=udp,
        jwks_url=f"http://127.0.0.1:{ports.api}/v1/.well-known/jwks.json",
        issuer=env["VETPET_ISSUER"],
        turn_secret=env["VETPET_TURN_SECRET"],
        env=env,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    defaults = Ports()
    names = [field.name for field in fields(Ports)]
    for name in names:
        parser.add_argument(f"--{name}-port", type=int, default=getattr(defaults, name))
    parser.add_argument("--media-nodes", type=int, default=1, help="SFU nodes to start")
    args = parser.parse_args()
    ports = Ports(**{name: getattr(args, f"{name}_port") for name in names})
    try:
        stop = start(ports, args.media_nodes)
    except port_plan.PortClashError as clash:
        raise SystemExit(f"port plan: {clash}") from None
    print(
        f"\n{READY_LINE}\n"
        f"  API        http://127.0.0.1:{ports.api}/v1/health\n"
        f"  OpenAPI    http://127.0.0.1:{ports.api}/v1/openapi.json\n"
        f"  Mailbox    http://127.0.0.1:{ports.mailbox}/  (JSON: /messages.json)\n"
        f"  AWS (moto) http://127.0.0.1:{ports.aws}\n"
        f"  Media SFU  http://127.0.0.1:{ports.media}/  (health: /health)\n"
        f"  TURN       turn:127.0.0.1:{ports.turn} (coturn, TURN REST credentials)\n"
        f"  OIDC       http://127.0.0.1:{ports.oidc}/jwks.json  (mint: POST /mint)\n"
        f"  Telegram   http://127.0.0.1:{ports.telegram}/bot<token>/  (Bot API stand-in)\n"
        f"  Payments   http://127.0.0.1:{ports.payments}  (Stripe + LiqPay stand-in)\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    stop()
    print("Stopped.", flush=True)


if __name__ == "__main__":
    main()
