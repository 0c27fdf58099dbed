"""Question threads between an owner and the consultant they chose, nobody else."""

from __future__ import annotations

import secrets
from datetime import datetime

from chalicelib.access_log.service import consultant_listed, consultant_read
from chalicelib.bookings import notices
from chalicelib.bookings.models import Question, QuestionMessage
from chalicelib.bookings.schemas import QuestionCreate
from chalicelib.bookings.service import Actor
from chalicelib.config import QUESTION_RETENTION
from chalicelib.consultants import service as consultants
from chalicelib.errors import NotFound
from chalicelib.minor_reports.service import check_not_under_review
from chalicelib.pets import service as pets
from chalicelib.store import cursors
from chalicelib.store.expiry import purge_actions
from chalicelib.store.pages import keys_then_items

OWNER, CONSULTANT = "owner", "consultant"
LIST_QUESTIONS = "list_questions"  # the access-log action of a consultant's thread list


def _add_message(question: Question, author: str, text: str, now: datetime) -> QuestionMessage:
    """Number the message by an atomic counter on the question, then write it."""
    question.update(
        actions=[
            Question.message_count.add(1),
            Question.updated_at.set(now),
            *purge_actions(Question, now + QUESTION_RETENTION),
        ],
        condition=Question.question_id.exists(),
    )
    message = QuestionMessage(
        question.question_id,
        int(question.message_count),
        message_id=f"msg_{secrets.token_hex(10)}",
        author_role=author,
        text=text,
        created_at=now,
    )
    message.save(condition=QuestionMessage.sequence.does_not_exist())
    return message


def ask(owner_id: str, body: QuestionCreate, now: datetime) -> Question:
    check_not_under_review(owner_id)
    consultants.get_profile(body.consultant_id)
    pets.get_pet(owner_id, body.pet_id)
    question = Question(
        f"q_{secrets.token_hex(12)}",
        owner_id=owner_id,
        consultant_id=body.consultant_id,
        pet_id=body.pet_id,
        created_at=now,
        updated_at=now,
    )
    question.save(condition=Question.question_id.does_not_exist())
    first = _add_message(question, OWNER, body.text, now)
    notices.question_message(question, int(first.sequence), OWNER, now)
    return question


def load_for(question_id: str, actor: Actor) -> Question:
    try:
        question = Question.get(question_id, consistent_read=True)
    except Question.DoesNotExist as exc:
        raise NotFound("question") from exc
    if actor.user_id not in (question.owner_id, question.consultant_id):
        raise NotFound("question")
    return question


def read_for(question_id: str, actor: Actor, now: datetime) -> Question:
    """`load_for` to show the thread; a consultant's read goes in the owner's access log."""
    question = load_for(question_id, actor)
    if actor.user_id == question.consultant_id:
        consultant_read(question.owner_id, f"question/{question_id}", now)
    return question


def reply(question: Question, actor: Actor, text: str, now: datetime) -> QuestionMessage:
    author = OWNER if actor.user_id == question.owner_id else CONSULTANT
    message = _add_message(question, author, text, now)
    notices.question_message(question, int(message.sequence), author, now)
    return message


def questions_page(
    actor: Actor, cursor: str | None, limit: int, now: datetime
) -> tuple[list[Question], str | None]:
    """The actor's threads, newest first (owner: asked; consultant: addressed to them).
    A consultant's page goes in the access log of each owner on it (P8)."""
    vet = actor.role == "vet"
    index = Question.by_consultant if vet else Question.by_owner
    scope = f"questions:{'consultant' if vet else 'owner'}:{actor.user_id}"
    after = cursors.decode(cursor, scope) if cursor else None
    page, last = keys_then_items(
        index, Question, lambda key: str(key.question_id), actor.user_id, after, limit
    )
    if vet:
        shown = ((q.owner_id, f"question/{q.question_id}") for q in page)
        consultant_listed(shown, LIST_QUESTIONS, now)
    return page, cursors.encode(last, scope) if last else None
