"""This node in the fleet registry (`media-nodes`, read by the API's placement).

A heartbeat every few seconds writes the node's public signalling URL and IP, the
private URL its peers proxy a room's signalling to (`private_url`), capacity,
live rooms and draining flag, and resets `placed` (rooms the API placed here since the
last heartbeat; `live_rooms` now counts those that started). The TTL tidies up a node
that stopped for good; the API treats a node as dead long before that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import boto3
from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)

# A node that stopped for good disappears from the table after this long.
REGISTRY_TTL = 3600


@dataclass(frozen=True)
class NodeInfo:
    node_id: str
    signalling_url: str
    public_ip: str
    capacity: int
    # None: the node takes no proxied rooms from its peers (nothing registered).
    private_url: str | None = None


class NodeRegistry:
    def __init__(self, table_name: str, region: str, node: NodeInfo) -> None:
        self._table = table_name
        self._node = node
        self._client = boto3.client("dynamodb", region_name=region)

    def heartbeat(self, live_rooms: int, draining: bool) -> None:
        now = int(time.time())
        values = {
            "signalling_url": {"S": self._node.signalling_url},
            "public_ip": {"S": self._node.public_ip},
            "capacity": {"N": str(self._node.capacity)},
            "live_rooms": {"N": str(live_rooms)},
            "draining": {"BOOL": draining},
            "heartbeat_at": {"N": str(now)},
            "expires": {"N": str(now + REGISTRY_TTL)},
            "placed": {"N": "0"},
        }
        if self._node.private_url is not None:
            values["private_url"] = {"S": self._node.private_url}
        names = {f"#f{i}": name for i, name in enumerate(values)}
        self._client.update_item(
            TableName=self._table,
            Key={"node_id": {"S": self._node.node_id}},
            UpdateExpression="SET " + ", ".join(f"{n} = :v{i}" for i, n in enumerate(names)),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":v{i}": v for i, v in enumerate(values.values())},
        )

    async def beat_forever(
        self, interval: float, state: Callable[[], Awaitable[tuple[int, bool]]]
    ) -> None:
        """Heartbeat every ``interval`` seconds with ``state()`` = (live rooms, draining)."""
        loop = asyncio.get_running_loop()
        while True:
            live_rooms, draining = await state()
            try:
                await loop.run_in_executor(None, self.heartbeat, live_rooms, draining)
            except (BotoCoreError, ClientError) as exc:
                logger.warning("registry heartbeat failed: %s", type(exc).__name__)
            await asyncio.sleep(interval)
