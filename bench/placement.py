"""Room placement at scale: 1,000 rooms across 10 simulated SFU nodes, asked for by 50
concurrent requesters (each room by two of them, as its two participants would), against
in-process moto. The simulated nodes heartbeat like `media/registry.py` does, reporting
the rooms placed on them as live. Prints rooms per node, imbalance (max ÷ mean; target
≤ 1.2) and split rooms (participants of one room sent to different nodes; target 0).

    python bench/placement.py [--rooms 1000] [--nodes 10] [--requesters 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.pop("AWS_ENDPOINT_URL", None)

from moto import mock_aws  # noqa: E402

from chalicelib.config import get_settings  # noqa: E402
from chalicelib.media_nodes.contract import MEDIA_NODES_TABLE  # noqa: E402
from chalicelib.media_nodes.models import RoomPlacement  # noqa: E402
from chalicelib.media_nodes.placement import place  # noqa: E402
from chalicelib.store.tables import create_tables  # noqa: E402
from media.registry import NodeInfo, NodeRegistry  # noqa: E402

HEARTBEAT = 2.0
IMBALANCE_TARGET = 1.2


def _heartbeats(registries: list[NodeRegistry], ids: list[str], stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT):
        live = Counter(p.node_id for p in RoomPlacement.scan())
        for registry, node_id in zip(registries, ids, strict=True):
            registry.heartbeat(live_rooms=live[node_id], draining=False)


def run(rooms: int, nodes: int, requesters: int) -> bool:
    settings = get_settings()
    ids = [f"sfu-{i}" for i in range(nodes)]
    capacity = rooms * 3 // (2 * nodes)  # the fleet is two-thirds full at the end
    registries = [
        NodeRegistry(
            settings.table_name(MEDIA_NODES_TABLE),
            settings.region,
            NodeInfo(node_id, f"wss://{node_id}.bench", "203.0.113.1", capacity),
        )
        for node_id in ids
    ]
    for registry in registries:
        registry.heartbeat(live_rooms=0, draining=False)
    stop = threading.Event()
    beating = threading.Thread(target=_heartbeats, args=(registries, ids, stop), daemon=True)
    beating.start()
    keep = datetime.now(UTC) + timedelta(days=1)
    asks = [f"room-{i}" for i in range(rooms) for _ in range(2)]  # two participants each

    def ask(room_id: str) -> tuple[str, str]:
        return room_id, place(room_id, datetime.now(UTC), keep).node_id

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=requesters) as pool:
        answers = list(pool.map(ask, asks))
    elapsed = time.perf_counter() - started
    stop.set()
    beating.join()

    by_room: dict[str, set[str]] = {}
    for room_id, node_id in answers:
        by_room.setdefault(room_id, set()).add(node_id)
    stored = {p.room_id: p.node_id for p in RoomPlacement.scan()}
    split = sum(1 for room_id, got in by_room.items() if len(got) > 1 or got != {stored[room_id]})
    per_node = Counter(stored.values())
    counts = [per_node[node_id] for node_id in ids]
    imbalance = max(counts) / statistics.mean(counts)
    print(f"rooms {rooms}, nodes {nodes} (capacity {capacity} each), requesters {requesters}")
    print(f"placements: {len(asks)} in {elapsed:.1f} s ({len(asks) / elapsed:.0f}/s, moto)")
    print(f"rooms per node: {counts}")
    print(f"imbalance max/mean: {imbalance:.3f} (target <= {IMBALANCE_TARGET})")
    print(f"split rooms: {split} (target 0)")
    ok = imbalance <= IMBALANCE_TARGET and split == 0
    print("targets met" if ok else "TARGETS MISSED")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--requesters", type=int, default=50)
    args = parser.parse_args()
    with mock_aws():
        create_tables()
        ok = run(args.rooms, args.nodes, args.requesters)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
