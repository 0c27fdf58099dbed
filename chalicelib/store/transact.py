"""DynamoDB transactions: the one connection they run on, and labelled writes whose
cancellation names the items that failed."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.config import get_settings

_lock = threading.Lock()
_connection: list[Connection] = []


def transaction_connection() -> Connection:
    """One shared connection, created once even when many threads ask at the same time
    (its botocore client is thread-safe; creating one per thread is what is slow)."""
    with _lock:
        if not _connection:
            settings = get_settings()
            connection = Connection(region=settings.region, host=settings.aws_endpoint_url)
            connection.client  # noqa: B018 - build the client now, under the lock
            _connection.append(connection)
        return _connection[0]


# The order PynamoDB sends a TransactWrite's items in, whatever order they were added.
_KINDS = ("condition_check", "delete", "put", "update")


class LabelledWrite:
    """A TransactWrite whose items carry labels, so a cancelled transaction names the
    items whose condition failed, independent of the order they were added or sent in."""

    def __init__(self, tx: TransactWrite) -> None:
        self._tx = tx
        self._labels: dict[str, list[str]] = {kind: [] for kind in _KINDS}

    def save(self, label: str, model: Model, condition: Condition | None = None) -> None:
        self._labels["put"].append(label)
        self._tx.save(model, condition=condition)

    def update(
        self, label: str, model: Model, actions: list[Action], condition: Condition | None = None
    ) -> None:
        self._labels["update"].append(label)
        self._tx.update(model, actions, condition=condition)

    def delete(self, label: str, model: Model, condition: Condition | None = None) -> None:
        self._labels["delete"].append(label)
        self._tx.delete(model, condition=condition)

    def failed(self, error: TransactWriteError) -> set[str]:
        sent = [label for kind in _KINDS for label in self._labels[kind]]
        reasons = error.cancellation_reasons
        return {
            label
            for label, reason in zip(sent, reasons, strict=False)
            if reason is not None and reason.code == "ConditionalCheckFailed"
        }


def write_labelled(build: Callable[[LabelledWrite], None], attempts: int = 3) -> set[str]:
    """Run one transaction; the labels of items whose condition failed (empty: committed).
    DynamoDB's TransactionConflict (a concurrent transaction on the same items, no
    condition failed) is retried up to ``attempts`` times, then raised."""
    attempt = 0
    while True:
        attempt += 1
        labelled: LabelledWrite | None = None
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                labelled = LabelledWrite(tx)
                build(labelled)
            return set()
        except TransactWriteError as error:
            failed = labelled.failed(error) if labelled else set()
            if failed:
                return failed
            codes = [reason.code if reason else None for reason in error.cancellation_reasons]
            if "TransactionConflict" not in codes or attempt >= attempts:
                raise
