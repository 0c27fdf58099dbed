"""The refund rule (pure): what a paid booking gets back when it ends without a
consultation. The rule itself is `config.REFUND_POLICY`, shown with every checkout."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from chalicelib.config import REFUND_POLICY, RefundPolicy


class Ending(StrEnum):
    OWNER_CANCELLED = "owner_cancelled"
    CONSULTANT_CANCELLED = "consultant_cancelled"
    CONSULTANT_NO_SHOW = "consultant_no_show"


def refund_due(
    paid: int, ending: Ending, start: datetime, at: datetime, policy: RefundPolicy = REFUND_POLICY
) -> int:
    """Minor units to refund of ``paid`` when the booking starting at ``start`` ends
    by ``ending`` at the instant ``at``."""
    if ending is Ending.OWNER_CANCELLED:
        early = start - at >= policy.owner_full_refund_notice
        share = policy.owner_early_cancellation if early else policy.owner_late_cancellation
    else:
        share = policy.consultant_cancellation_or_no_show
    return paid if share == "full" else 0
