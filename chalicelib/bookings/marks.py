"""What a booking change writes on the booking item itself, inside the change's own
transaction (so a booking stays one transaction and nothing is lost when the process
dies right after the commit):

- the notices it owes (``notices`` + the sparse ``pending-notices`` index): the sender
  drains them into the outbox after the commit, and the notifications job re-drives any
  the process did not get to;
- the next reminder of a confirmed consultation (``reminders-due`` time buckets);
- the retention deadline of a finished booking (``purge-due`` time buckets).

The bookings service calls `born` for an item it creates and `transition` for a change
of a stored booking; the repository writes the `Marks` it returns (the PynamoDB adapter
as update actions in the change's own write). Everything here is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.bookings.models import Booking
from chalicelib.bookings.states import BookingStatus
from chalicelib.config import BOOKING_RETENTION, REMINDER_LEADS
from chalicelib.store.expiry import bucket_of

S = BookingStatus
OWNER, CONSULTANT = "owner", "consultant"
NOTIFY = "1"
REMIND = "remind"
FINISHED = frozenset({S.COMPLETED, S.NO_SHOW, S.CANCELLED, S.EXPIRED})


@dataclass(frozen=True)
class Notice:
    """One notice a change owes: the booking version it belongs to, the template and the
    sides told. Its outbox records are keyed by (booking, version, side, channel)."""

    version: int
    template: str
    sides: tuple[str, ...]

    def encode(self) -> str:
        return f"{self.version}|{self.template}|{','.join(self.sides)}"

    @classmethod
    def decode(cls, text: str) -> Notice:
        version, template, sides = text.split("|")
        return cls(int(version), template, tuple(s for s in sides.split(",") if s))


def others(by: str | None) -> tuple[str, ...]:
    """Who hears about a change: the other side, or both for a change nobody made."""
    if by is None:
        return (OWNER, CONSULTANT)
    return (CONSULTANT,) if by == OWNER else (OWNER,)


def next_reminder(start: datetime, now: datetime) -> datetime | None:
    """The first reminder instant (T-24 h, then T-15 min) still ahead of ``now``."""
    ahead = [start - lead for lead in sorted(REMINDER_LEADS, reverse=True) if start - lead > now]
    return ahead[0] if ahead else None


def reminder_lead(start: datetime, now: datetime) -> str | None:
    """Which reminder is due at ``now`` for a consultation at ``start``: the latest lead
    whose instant has passed while the start has not (a late run skips stale ones)."""
    if now >= start:
        return None
    passed = [lead for lead in REMINDER_LEADS if start - lead <= now]
    return f"{int(min(passed).total_seconds() // 60)}m" if passed else None


def born(booking: Booking, now: datetime, *, template: str | None, tell: tuple[str, ...]) -> None:
    """Set the marks of a booking about to be created."""
    if template and tell:
        booking.notices = [Notice(int(booking.version), template, tell).encode()]
        booking.notify = NOTIFY
        booking.notify_since = now
    remind = next_reminder(booking.start, now) if booking.status == S.CONFIRMED else None
    if remind is not None:
        booking.remind_bucket = bucket_of(REMIND, remind)
        booking.remind_at = remind


@dataclass(frozen=True)
class Marks:
    """What a change of a stored booking writes besides its status, in the same write:
    the notice it owes (``None``: none), the next reminder (``None``: no reminder any
    more) and, once finished, its retention deadline (``None``: left as it is)."""

    notice: Notice | None
    remind_at: datetime | None
    purge_at: datetime | None


def transition(
    booking: Booking, target: BookingStatus, now: datetime, *, tell: tuple[str, ...]
) -> Marks:
    """The marks of ``booking`` becoming ``target``: the notice owed to ``tell`` (none when
    empty), the reminder schedule, and the retention deadline once it is finished."""
    notice = Notice(int(booking.version) + 1, f"booking_{target}", tell) if tell else None
    remind = next_reminder(booking.start, now) if target is S.CONFIRMED else None
    purge = booking.end + BOOKING_RETENTION if target in FINISHED else None
    return Marks(notice, remind, purge)
