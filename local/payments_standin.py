"""The payment stand-in of the local stage: the subset of Stripe's API the Stripe adapter
uses (form-encoded requests as the SDK sends them, Stripe's error shapes) and LiqPay's
checkout and callback protocol. Its checkout pages have Pay and Decline buttons that
send the processor's correctly signed webhook to the API, as the real processors do.
Only the base URL differs from production (`VETPET_STRIPE_API_BASE`,
`VETPET_LIQPAY_API_BASE`); the adapters are unchanged. Local stage only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STRIPE_WEBHOOK_SECRET = "whsec_local_vetpet"  # noqa: S105 - local stage only, documented
STRIPE_API_KEY = "sk_test_local_vetpet"
LIQPAY_PUBLIC_KEY = "sandbox_public_vetpet"
LIQPAY_PRIVATE_KEY = "sandbox_local_vetpet"

Deliver = Callable[[str, bytes, dict[str, str]], int]


def stripe_secret_document() -> str:
    return json.dumps({"api_key": STRIPE_API_KEY, "webhook_secrets": [STRIPE_WEBHOOK_SECRET]})


def liqpay_secret_document() -> str:
    return json.dumps({"public_key": LIQPAY_PUBLIC_KEY, "private_key": LIQPAY_PRIVATE_KEY})


def stripe_signature(payload: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def liqpay_sign(data: str, private_key: str = LIQPAY_PRIVATE_KEY) -> str:
    digest = hashlib.sha1((private_key + data + private_key).encode()).digest()  # noqa: S324
    return base64.b64encode(digest).decode()


def liqpay_form(params: dict[str, Any], private_key: str = LIQPAY_PRIVATE_KEY) -> bytes:
    data = base64.b64encode(json.dumps(params).encode()).decode()
    return urllib.parse.urlencode(
        {"data": data, "signature": liqpay_sign(data, private_key)}
    ).encode()


def http_deliver(api_url: str) -> Deliver:
    """Send a webhook to the API over HTTP."""

    def deliver(path: str, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(api_url + path, data=body, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    return deliver


def _form(raw: bytes) -> dict[str, Any]:
    """Stripe's form encoding (`a[b][0][c]=v`) back into nested dicts and lists."""
    result: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node: Any = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    nested: dict[str, Any] = _lists(result)
    return nested


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


@dataclass
class StandIn:
    base: str
    deliver: Deliver
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # Stripe -----------------------------------------------------------------------
    def create_session(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        items = params.get("line_items") or []
        try:
            price = items[0]["price_data"]
            amount, currency = (
                int(price["unit_amount"]) * int(items[0]["quantity"]),
                price["currency"],
            )
        except (LookupError, ValueError, TypeError):
            return _stripe_error(400, "parameter_missing", "line_items is required.")
        session_id = "cs_test_" + secrets.token_hex(12)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode", "payment"),
            "url": f"{self.base}/c/pay/{session_id}",
            "amount_total": amount,
            "currency": currency,
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "success_url": params.get("success_url"),
            "expires_at": int(params.get("expires_at") or time.time() + 86400),
            "payment_status": "unpaid",
            "status": "open",
            "payment_intent": None,
        }
        self.sessions[session_id] = session
        return 200, session

    def stripe_event(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        event = {
            "id": "evt_" + secrets.token_hex(12),
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": dict(obj)},
        }
        self.events.append(event)
        return event

    def send_stripe(self, event: dict[str, Any]) -> int:
        payload = json.dumps(event).encode()
        header = stripe_signature(payload, STRIPE_WEBHOOK_SECRET, int(time.time()))
        return self.deliver(
            "/v1/payments/webhooks/stripe",
            payload,
            {"Content-Type": "application/json", "Stripe-Signature": header},
        )

    def pay_session(self, session_id: str, *, paid: bool) -> int:
        session = self.sessions[session_id]
        if not paid:
            intent = {"id": "pi_" + secrets.token_hex(12), "object": "payment_intent"}
            return self.send_stripe(self.stripe_event("payment_intent.payment_failed", intent))
        with self.lock:
            if session["status"] != "open":
                return 409
            session.update(
                payment_status="paid",
                status="complete",
                payment_intent="pi_" + secrets.token_hex(12),
            )
        return self.send_stripe(self.stripe_event("checkout.session.completed", session))

    def refund(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        intent = params.get("payment_intent")
        paid = [s for s in self.sessions.values() if s["payment_intent"] == intent and intent]
        if not paid:
            return _stripe_error(404, "resource_missing", f"No such payment_intent: '{intent}'")
        refund = {
            "id": "re_" + secrets.token_hex(12),
            "object": "refund",
            "amount": int(params.get("amount") or paid[0]["amount_total"]),
            "currency": paid[0]["currency"],
            "payment_intent": intent,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    # LiqPay -----------------------------------------------------------------------
    def liqpay_verified(self, form: dict[str, list[str]]) -> dict[str, Any] | None:
        data, signature = form.get("data", [""])[0], form.get("signature", [""])[0]
        if not data or not hmac.compare_digest(liqpay_sign(data), signature):
            return None
        params: dict[str, Any] = json.loads(base64.b64decode(data))
        return params

    def liqpay_pay(self, order_id: str, *, paid: bool) -> int:
        order = self.orders[order_id]
        with self.lock:
            if order["status"] not in ("created", "failure"):
                return 409
            order.update(
                status="success" if paid else "failure", payment_id=secrets.randbelow(10**9)
            )
        callback = {
            "version": 3,
            "public_key": LIQPAY_PUBLIC_KEY,
            "action": "pay",
            **{k: order[k] for k in ("order_id", "amount", "currency", "status", "payment_id")},
        }
        server = urllib.parse.urlsplit(str(order["server_url"]))
        return self.deliver(
            server.path,
            liqpay_form(callback),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    def liqpay_request(self, params: dict[str, Any]) -> dict[str, Any]:
        order = self.orders.get(str(params.get("order_id")))
        if order is None:
            return {"result": "error", "status": "error", "err_code": "payment_not_found"}
        if params.get("action") == "refund":
            if order["status"] != "success":
                return {"result": "error", "status": "error", "err_code": "payment_not_found"}
            order["status"] = "reversed"
            return {"result": "ok", "status": "reversed"}
        fields = ("order_id", "amount", "currency", "status", "payment_id")
        return {"result": "ok", "action": "pay", **{k: order.get(k) for k in fields}}


def _stripe_error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"type": "invalid_request_error", "code": code, "message": message}}


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{amount} {currency}</p><p>Status: {status}</p>
<form method="post" action="{action}/pay"><button>Pay</button></form>
<form method="post" action="{action}/decline"><button>Decline</button></form></body></html>"""


def _page(title: str, amount: Any, currency: str, status: str, action: str) -> bytes:
    values = [html.escape(str(v)) for v in (title, amount, currency.upper(), status, action)]
    return PAGE.format(
        title=values[0], amount=values[1], currency=values[2], status=values[3], action=values[4]
    ).encode()


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body).encode())

    def _authorised(self) -> bool:
        if self.headers.get("Authorization", "") == f"Bearer {STRIPE_API_KEY}":
            return True
        self._json(
            401,
            {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}},
        )
        return False

    def do_GET(self) -> None:
        state = self.server.state
        url = urllib.parse.urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        if parts[:3] == ["v1", "checkout", "sessions"] and len(parts) == 4:
            if self._authorised():
                session = state.sessions.get(parts[3])
                if session is None:
                    self._json(
                        *_stripe_error(
                            404, "resource_missing", f"No such checkout.session: '{parts[3]}'"
                        )
                    )
                else:
                    self._json(200, session)
        elif parts[:2] == ["v1", "events"]:
            if self._authorised():
                if len(parts) == 2:
                    listed = list(reversed(state.events))
                    self._json(
                        200,
                        {"object": "list", "url": "/v1/events", "has_more": False, "data": listed},
                    )
                else:
                    found = [e for e in state.events if e["id"] == parts[2]]
                    if found:
                        self._json(200, found[0])
                    else:
                        self._json(
                            *_stripe_error(404, "resource_missing", f"No such event: '{parts[2]}'")
                        )
        elif parts[:2] == ["c", "pay"] and len(parts) == 3 and parts[2] in state.sessions:
            s = state.sessions[parts[2]]
            page = _page(
                "Stripe Checkout (local)",
                s["amount_total"],
                s["currency"],
                s["payment_status"],
                f"/c/pay/{parts[2]}",
            )
            self._send(200, page, "text/html; charset=utf-8")
        elif parts == ["api", "3", "checkout"]:
            params = state.liqpay_verified(urllib.parse.parse_qs(url.query))
            if params is None:
                self._json(400, {"result": "error", "err_code": "invalid_signature"})
                return
            order = state.orders.setdefault(
                str(params["order_id"]), {**params, "status": "created"}
            )
            page = _page(
                "LiqPay (local)",
                order["amount"],
                str(order["currency"]),
                str(order["status"]),
                f"/c/liqpay/{order['order_id']}",
            )
            self._send(200, page, "text/html; charset=utf-8")
        elif parts[:2] == ["c", "liqpay"] and len(parts) == 3 and parts[2] in state.orders:
            o = state.orders[parts[2]]
            self._send(
                200,
                _page(
                    "LiqPay (local)",
                    o["amount"],
                    str(o["currency"]),
                    str(o["status"]),
                    f"/c/liqpay/{parts[2]}",
                ),
                "text/html; charset=utf-8",
            )
        else:
            self._json(*_stripe_error(404, "resource_missing", "Unrecognized request URL."))

    def do_POST(self) -> None:
        state = self.server.state
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = [p for p in urllib.parse.urlsplit(self.path).path.split("/") if p]
        key = self.headers.get("Idempotency-Key")
        if parts[:1] == ["v1"] and parts[1:] in (["checkout", "sessions"], ["refunds"]):
            if not self._authorised():
                return
            with state.lock:
                if key and key in state.idempotent:
                    self._json(*state.idempotent[key])
                    return
                params = _form(raw)
                answer = (
                    state.create_session(params) if parts[1] == "checkout" else state.refund(params)
                )
                if key and answer[0] == 200:
                    state.idempotent[key] = answer
            self._json(*answer)
        elif parts[:2] == ["c", "pay"] and len(parts) == 4 and parts[2] in state.sessions:
            status = state.pay_session(parts[2], paid=parts[3] == "pay")
            self._json(200, {"session": parts[2], "action": parts[3], "webhook_status": status})
        elif parts[:2] == ["c", "liqpay"] and len(parts) == 4 and parts[2] in state.orders:
            status = state.liqpay_pay(parts[2], paid=parts[3] == "pay")
            self._json(200, {"order_id": parts[2], "action": parts[3], "webhook_status": status})
        elif parts == ["api", "request"]:
            request = state.liqpay_verified(urllib.parse.parse_qs(raw.decode()))
            if request is None:
                self._json(
                    200, {"result": "error", "status": "error", "err_code": "invalid_signature"}
                )
            else:
                self._json(200, state.liqpay_request(request))
        else:
            self._json(*_stripe_error(404, "resource_missing", "Unrecognized request URL."))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, deliver: Deliver) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.state = StandIn(base=f"http://127.0.0.1:{self.server_address[1]}", deliver=deliver)


def serve(port: int, deliver: Deliver) -> Server:
    """Start the stand-in on ``port`` (0: any free port) in a background thread."""
    server = Server(port, deliver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def create_secrets(client: Any, stripe_secret_id: str, liqpay_secret_id: str) -> None:
    """The local stage's processor keys in (embedded) Secrets Manager."""
    client.create_secret(Name=stripe_secret_id, SecretString=stripe_secret_document())
    client.create_secret(Name=liqpay_secret_id, SecretString=liqpay_secret_document())
