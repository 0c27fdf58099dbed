"""A stand-in for the Telegram Bot API on the local stage (port 8028).

It answers ``/bot<token>/getMe``, ``/setWebhook`` and ``/sendMessage`` with Telegram's
shapes (``{ok: true, result}``; errors ``{ok: false, error_code, description}``), keeps
what the bot sent for the local mailbox, and plays a user: `user_says` posts an update to
the registered webhook with the secret header, as Telegram does when someone writes to
the bot (``/start <token>`` after opening the link from the app). A chat in ``blocked``
answers 403 "Forbidden: bot was blocked by the user".
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PORT = 8028
BLOCKED = "Forbidden: bot was blocked by the user"


@dataclass
class BotStandIn:
    token: str
    bot_name: str
    sent: list[dict[str, Any]] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The Bot API's status and body for ``method`` called with ``payload``."""
        if method == "getMe":
            return 200, _ok(
                {"id": 1, "is_bot": True, "first_name": "VetPet", "username": self.bot_name}
            )
        if method == "setWebhook":
            self.webhook_url = str(payload.get("url") or "") or None
            self.webhook_secret = payload.get("secret_token")
            return 200, _ok(True)
        if method == "sendMessage":
            return self._send(payload)
        return 404, _error(404, "Not Found: method not found")

    def _send(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id, text = str(payload.get("chat_id", "")), payload.get("text")
        if not chat_id or not isinstance(text, str) or not text:
            return 400, _error(400, "Bad Request: message text is empty")
        if chat_id in self.blocked:
            return 403, _error(403, BLOCKED)
        with self._lock:
            message_id = next(self._ids)
            self.sent.append(
                {
                    "id": f"tg-{message_id}",
                    "channel": "telegram",
                    "to": chat_id,
                    "subject": None,
                    "body": text,
                    "sent_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                }
            )
        return 200, _ok({"message_id": message_id, "chat": {"id": int(chat_id)}, "text": text})

    def user_says(self, chat_id: int, text: str, language: str = "uk") -> dict[str, Any]:
        """Deliver a user's message to the webhook as Telegram would; the webhook's answer
        (a ``sendMessage`` call, if any) is carried out like Telegram does."""
        if self.webhook_url is None:
            raise RuntimeError("no webhook is set (setWebhook)")
        update = {
            "update_id": next(self._ids),
            "message": {
                "message_id": next(self._ids),
                "from": {
                    "id": chat_id,
                    "is_bot": False,
                    "first_name": "Local",
                    "language_code": language,
                },
                "chat": {"id": chat_id, "type": "private"},
                "date": int(datetime.now(UTC).timestamp()),
                "text": text,
            },
        }
        request = urllib.request.Request(  # noqa: S310 - the local API
            self.webhook_url,
            data=json.dumps(update).encode(),
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": self.webhook_secret or "",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read() or b"{}")
        if answer.get("method") == "sendMessage":
            self._send(answer)
        return answer


def _ok(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def serve(bot: BotStandIn, port: int = PORT) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            prefix = f"/bot{bot.token}/"
            if not self.path.startswith(prefix):
                self._reply(401, _error(401, "Unauthorized"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._reply(400, _error(400, "Bad Request: can't parse JSON"))
                return
            self._reply(*bot.answer(self.path[len(prefix) :].split("?")[0], payload))

        def do_GET(self) -> None:
            self.do_POST()

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
