"""Who hears about a booking or question change, and with which template (P5).

The side that caused a change is not notified; a change with no acting side (a
confirmation by payment or because the consultation is free) goes to both sides.
A booking change leaves its notices on the booking item in the change's own transaction
(`bookings.marks`); `drain` turns them into outbox records keyed by booking, version,
side and channel, so draining twice (the sender and the re-drive job) records each
message once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.accounts.repository import get_user
from chalicelib.bookings.marks import CONSULTANT, NOTIFY, OWNER, Notice, others
from chalicelib.bookings.models import Booking, Question
from chalicelib.config import NOTICE_REDRIVE_AFTER
from chalicelib.consultants.models import ConsultantProfile
from chalicelib.notifications.outbox import Recipient, notify
from chalicelib.observability import logger
from chalicelib.pets.models import Pet


def recipient(user_id: str) -> Recipient | None:
    user = get_user(user_id)
    if user is None:
        return None
    return Recipient(user.user_id, user.email, user.name, user.language, user.timezone)


def pet_name(owner_id: str, pet_id: str) -> str:
    try:
        return str(Pet.get(owner_id, pet_id).name)
    except Pet.DoesNotExist:
        return "-"


def consultant_name(consultant_id: str) -> str:
    try:
        return str(ConsultantProfile.get(consultant_id).name)
    except ConsultantProfile.DoesNotExist:
        user = get_user(consultant_id)
        return user.name if user else "-"


def _send(
    sides: tuple[str, ...],
    owner_id: str,
    consultant_id: str,
    pet: str,
    template: str,
    instants: dict[str, datetime],
    now: datetime,
    key: str | None = None,
) -> None:
    """Record (and try to send) ``template`` to each side; ``key`` makes it idempotent."""
    owner = recipient(owner_id)
    consultant = recipient(consultant_id)
    names = {OWNER: consultant_name(consultant_id), CONSULTANT: owner.name if owner else "-"}
    for side in sides:
        target = owner if side == OWNER else consultant
        if target is None:
            continue
        values = {"counterpart": names[side], "pet": pet}
        side_key = f"{key}.{side}" if key else None
        notify(target, template, instants=instants, values=values, now=now, key=side_key)


def _instants(booking: Booking, template: str) -> dict[str, datetime]:
    instants = {"when": booking.start}
    if template == "booking_rescheduled" and booking.rescheduled_from:
        try:
            instants["previous_when"] = Booking.get(booking.rescheduled_from).start
        except Booking.DoesNotExist:  # purged: say the new time only
            instants["previous_when"] = booking.start
    return instants


def drain(booking_id: str, now: datetime) -> int:
    """Record every notice pending on the booking in the outbox, then clear the marker
    (only if no newer change added notices meanwhile). Returns the notices drained."""
    try:
        booking = Booking.get(booking_id, consistent_read=True)
    except Booking.DoesNotExist:
        return 0
    pending = [Notice.decode(text) for text in booking.notices or []]
    pet = pet_name(booking.owner_id, booking.pet_id)
    for notice in pending:
        _send(
            notice.sides,
            booking.owner_id,
            booking.consultant_id,
            pet,
            notice.template,
            _instants(booking, notice.template),
            now,
            key=f"{booking_id}.v{notice.version}",
        )
    if booking.notify is not None:
        # A newer change added notices if the version moved: the next drain takes them all.
        with contextlib.suppress(UpdateError):
            booking.update(
                [Booking.notices.remove(), Booking.notify.remove(), Booking.notify_since.remove()],
                condition=Booking.version == booking.version,
            )
    return len(pending)


def drain_after_commit(booking_id: str, now: datetime) -> None:
    """The sender's drain right after a commit: a failure here is logged, never raised
    (the change is committed; the marker stays and the notifications job re-drives it)."""
    try:
        drain(booking_id, now)
    except Exception:
        logger.exception("booking notices left for the re-drive", extra={"booking": booking_id})


def undrained(now: datetime) -> Iterator[str]:
    """Bookings whose notices have waited longer than the sender should take."""
    cutoff = now - NOTICE_REDRIVE_AFTER
    for key in Booking.pending_notices.query(
        NOTIFY, range_key_condition=Booking.notify_since <= cutoff
    ):
        yield key.booking_id


def remind(booking: Booking, lead: str, now: datetime) -> None:
    """The reminder ``lead`` before a confirmed consultation, to both sides, once."""
    _send(
        others(None),
        booking.owner_id,
        booking.consultant_id,
        pet_name(booking.owner_id, booking.pet_id),
        "booking_reminder",
        {"when": booking.start},
        now,
        key=f"{booking.booking_id}.remind-{lead}",
    )


def question_message(question: Question, sequence: int, by: str, now: datetime) -> None:
    """Tell the other side of a thread about message ``sequence`` (keyed by the thread,
    so erasure finds what the consultant was sent about it)."""
    owner_id, consultant_id = question.owner_id, question.consultant_id
    try:
        _send(
            others(by),
            owner_id,
            consultant_id,
            pet_name(owner_id, question.pet_id),
            "question_message",
            {"when": now},
            now,
            key=f"{question.question_id}.m{sequence}",
        )
    except Exception:  # the message is stored; a lost notice must not undo or 500 it
        logger.exception("notification not recorded", extra={"template": "question_message"})
