"""Question threads between an owner and the consultant they chose, nobody else."""

from __future__ import annotations

import secrets
from datetime import datetime

from chalicelib.bookings import notices, paging
from chalicelib.bookings.models import Question, QuestionMessage
from chalicelib.bookings.schemas import (
    ConsultantQuestion,
    MessageOut,
    OwnerQuestion,
    QuestionCreate,
)
from chalicelib.bookings.service import Actor
from chalicelib.bookings.views import client_of, consultant_ref, pet_for_consultant, pet_for_owner
from chalicelib.clock import to_rfc3339
from chalicelib.config import QUESTION_RETENTION
from chalicelib.consultants import service as consultants
from chalicelib.pets import service as pets
from chalicelib.store.expiry import purge_actions
from chalicelib.web.problems import not_found

OWNER, CONSULTANT = "owner", "consultant"


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
    _add_message(question, OWNER, body.text, now)
    notices.question_message(owner_id, body.consultant_id, body.pet_id, OWNER, now)
    return question


def load_for(question_id: str, actor: Actor) -> Question:
    try:
        question = Question.get(question_id, consistent_read=True)
    except Question.DoesNotExist as exc:
        raise not_found("question") from exc
    if actor.user_id not in (question.owner_id, question.consultant_id):
        raise not_found("question")
    return question


def reply(question: Question, actor: Actor, text: str, now: datetime) -> MessageOut:
    author = OWNER if actor.user_id == question.owner_id else CONSULTANT
    message = _add_message(question, author, text, now)
    notices.question_message(
        question.owner_id, question.consultant_id, question.pet_id, author, now
    )
    return _message_out(message)


def _message_out(message: QuestionMessage) -> MessageOut:
    return MessageOut(
        id=message.message_id,
        author=message.author_role,  # type: ignore[arg-type]
        text=message.text,
        created_at=to_rfc3339(message.created_at),
    )


def view(question: Question, viewer_id: str) -> OwnerQuestion | ConsultantQuestion:
    common = {
        "id": question.question_id,
        "messages": [_message_out(m) for m in QuestionMessage.query(question.question_id)],
        "created_at": to_rfc3339(question.created_at),
        "updated_at": to_rfc3339(question.updated_at),
    }
    if viewer_id == question.owner_id:
        return OwnerQuestion.model_validate(
            {
                **common,
                "consultant": consultant_ref(question.consultant_id),
                "pet": pet_for_owner(question.owner_id, question.pet_id),
            }
        )
    return ConsultantQuestion.model_validate(
        {
            **common,
            "client": client_of(question.owner_id),
            "pet": pet_for_consultant(question.owner_id, question.pet_id),
        }
    )


def questions_page(
    actor: Actor, cursor: str | None, limit: int
) -> tuple[list[OwnerQuestion | ConsultantQuestion], str | None]:
    """The actor's threads, newest first (owner: asked; consultant: addressed to them)."""
    vet = actor.role == "vet"
    index = Question.by_consultant if vet else Question.by_owner
    field = "consultant_id" if vet else "owner_id"
    keys, next_cursor = paging.keys_page(index, field, actor.user_id, cursor, limit)
    ids = [key.question_id for key in keys]
    found = {q.question_id: q for q in Question.batch_get(ids)} if ids else {}
    return [view(found[i], actor.user_id) for i in ids if i in found], next_cursor
