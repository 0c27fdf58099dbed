"""The local mailbox: every e-mail (SES) and SMS (SNS) the embedded AWS received, and every
chat message the Telegram stand-in received (``channel: "telegram"``), as a page and as
JSON. It reads moto's backends and the stand-in in this process; the app has no mailbox
code. The page can also write to the bot as a user would (``/start <token>``)."""

from __future__ import annotations

import email
import email.policy
import html
import json
import threading
import urllib.parse
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from local.telegram_standin import BotStandIn


def _parse_raw(raw: str) -> tuple[str, str, dict[str, str]]:
    """Subject, text and the List-* headers of a raw MIME e-mail."""
    parsed = email.message_from_string(raw, policy=email.policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    headers = {k: str(v) for k, v in parsed.items() if k.lower().startswith("list-")}
    return str(parsed["Subject"] or ""), text, headers


class Mailbox:
    """Collects messages in arrival order and stamps each when first seen."""

    def __init__(self, region: str, bot: BotStandIn | None = None) -> None:
        self._region = region
        self.bot = bot
        self._seen: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def _observe(self) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        ses = ses_backends[DEFAULT_ACCOUNT_ID][self._region]
        sns = sns_backends[DEFAULT_ACCOUNT_ID][self._region]
        for message in list(ses.sent_messages):
            key = f"email:{message.id}"
            if key in self._seen:
                continue
            if hasattr(message, "subject"):
                recipients = message.destinations.get("ToAddresses", [])
                subject, body, headers = message.subject, message.body, dict[str, str]()
            elif hasattr(message, "raw_data"):  # e-mail with extra headers (List-Unsubscribe)
                recipients = list(message.destinations)
                subject, body, headers = _parse_raw(message.raw_data)
            else:
                continue
            for to in recipients:
                self._seen[f"{key}:{to}"] = {
                    "id": message.id,
                    "channel": "email",
                    "to": to,
                    "subject": subject,
                    "body": body,
                    "headers": headers,
                    "sent_at": now,
                }
            self._seen[key] = {}
        for message_id, (phone, text) in list(sns.sms_messages.items()):
            key = f"sms:{message_id}"
            if key not in self._seen:
                self._seen[key] = {
                    "id": message_id,
                    "channel": "sms",
                    "to": phone,
                    "subject": None,
                    "body": text,
                    "sent_at": now,
                }
        for message in list(self.bot.sent if self.bot else []):
            self._seen.setdefault(f"telegram:{message['id']}", message)

    def messages(self) -> list[dict[str, Any]]:
        """Every message so far, newest last."""
        with self._lock:
            self._observe()
            return [m for m in self._seen.values() if m]

    def watch(self, stop: threading.Event, interval: float = 0.1) -> None:
        while not stop.wait(interval):
            with self._lock:
                self._observe()


CHAT_FORM = (
    "<h2>Write to the bot (Telegram stand-in)</h2><form method=post action=/telegram/send>"
    "chat id <input name=chat_id value=424242 size=10> text <input name=text size=50 "
    "placeholder='/start TOKEN (from the link POST /v1/me/chat-links gave)'> "
    "<button>send</button></form>"
)


def _page(messages: list[dict[str, Any]]) -> str:
    rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>".format(
            *(html.escape(str(m[k] or "")) for k in ("sent_at", "channel", "to", "subject", "body"))
        )
        for m in reversed(messages)
    )
    return (
        "<!doctype html><meta charset=utf-8><title>VetPet local mailbox</title>"
        "<h1>VetPet local mailbox</h1><p>Newest first. JSON: <a href=/messages.json>"
        f"/messages.json</a></p>{CHAT_FORM}<table border=1 cellpadding=4><tr><th>sent</th>"
        f"<th>channel</th><th>to</th><th>subject</th><th>body</th></tr>{rows}</table>"
    )


def serve(mailbox: Mailbox, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/messages.json":
                body, kind = json.dumps(mailbox.messages()).encode(), "application/json"
            elif path == "/":
                body, kind = _page(mailbox.messages()).encode(), "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            """``/telegram/send`` (form or JSON ``{chat_id, text}``): a user writes to the bot."""
            if self.path.split("?")[0] != "/telegram/send" or mailbox.bot is None:
                self.send_error(404)
                return
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            is_json = self.headers.get("Content-Type", "").startswith("application/json")
            fields = json.loads(raw) if is_json else dict(urllib.parse.parse_qsl(raw))
            try:
                answer = mailbox.bot.user_says(int(fields["chat_id"]), str(fields["text"]))
            except (KeyError, ValueError, OSError, RuntimeError) as error:
                self.send_error(400, type(error).__name__)
                return
            if is_json:
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(303)
            self.send_header("Location", "/")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
