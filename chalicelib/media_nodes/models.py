"""The SFU fleet's registry and room placements (DynamoDB).

`media-nodes` is written by the nodes themselves (`media/registry.py`, boto3): each
heartbeat sets every field below except `placed`, which the API adds to on each new
placement and the heartbeat resets (the node's `live_rooms` then counts those rooms).
`room-placements` maps a room to its node; conditional writes keep it to one node.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.media_nodes.contract import MEDIA_NODES_TABLE, ROOM_PLACEMENTS_TABLE
from chalicelib.store.base import BaseModel, table_name


class MediaNode(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name(MEDIA_NODES_TABLE)

    node_id = UnicodeAttribute(hash_key=True)
    signalling_url = UnicodeAttribute()
    public_ip = UnicodeAttribute()
    # Where the other nodes proxy this node's rooms to (`http://<private ip>:<port>`);
    # absent on a node from before node-to-node proxying.
    private_url = UnicodeAttribute(null=True)
    capacity = NumberAttribute()
    live_rooms = NumberAttribute()
    placed = NumberAttribute(default=0)
    draining = BooleanAttribute()
    heartbeat_at = NumberAttribute()  # epoch seconds
    expires = TTLAttribute()  # the tidy-up of a node that stopped for good


class RoomPlacement(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name(ROOM_PLACEMENTS_TABLE)

    room_id = UnicodeAttribute(hash_key=True)
    node_id = UnicodeAttribute()
    expires = TTLAttribute()
