"""Scale-in protection through a stand-in of the ECS agent's task-protection endpoint,
which answers as the agent does: the task's protection state, a `failure`, or an `error`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from media_support import free_port

from media.protection import STATE_PATH, TaskProtection

pytestmark = pytest.mark.asyncio

TASK_ARN = "arn:aws:ecs:eu-central-1:123456789012:task/vetpet/0123456789abcdef"


@dataclass
class Agent:
    """The ECS agent's `PUT /task-protection/v1/state`, with a switch to make it fail."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    answer_with: str = "state"  # "state" | "failure" | "error"

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(body)
        if self.answer_with == "error":
            error = {"Arn": TASK_ARN, "Code": "ServerException", "Message": "agent busy"}
            return web.json_response({"error": error}, status=500)
        if self.answer_with == "failure":
            failure = {"Arn": TASK_ARN, "Reason": "TASK_NOT_VALID", "Detail": None}
            return web.json_response({"failure": failure})
        state = {"ProtectionEnabled": body["ProtectionEnabled"], "TaskArn": TASK_ARN}
        return web.json_response({"protection": state})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def agent() -> AsyncIterator[tuple[Agent, str]]:
    stand_in = Agent()
    app = web.Application()
    app.router.add_put(STATE_PATH, stand_in.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield stand_in, f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_protected_while_a_room_is_live_renewed_then_released(
    agent: tuple[Agent, str],
) -> None:
    stand_in, uri = agent
    clock = Clock()
    protection = TaskProtection(uri, expires_in_minutes=60, clock=clock)

    await protection.update(0)
    assert stand_in.calls == []  # an idle node never asks

    await protection.update(2)
    await protection.update(3)  # still within the first half of the hour: no call
    assert stand_in.calls == [{"ProtectionEnabled": True, "ExpiresInMinutes": 60}]
    assert protection.protected

    clock.now += 30 * 60
    await protection.update(1)  # half of it has passed: renewed
    assert len(stand_in.calls) == 2

    await protection.update(0)
    assert stand_in.calls[-1] == {"ProtectionEnabled": False}
    assert not protection.protected
    await protection.update(0)
    assert len(stand_in.calls) == 3


@pytest.mark.parametrize("answer", ["failure", "error"])
async def test_a_refused_call_is_tried_again_at_the_next_beat(
    agent: tuple[Agent, str], answer: str
) -> None:
    stand_in, uri = agent
    protection = TaskProtection(uri, clock=Clock())
    stand_in.answer_with = answer
    await protection.update(1)
    assert not protection.protected
    stand_in.answer_with = "state"
    await protection.update(1)
    assert protection.protected
    assert len(stand_in.calls) == 2


async def test_an_unreachable_agent_leaves_the_node_serving() -> None:
    protection = TaskProtection(f"http://127.0.0.1:{free_port()}", clock=Clock())
    await protection.update(1)
    assert not protection.protected
