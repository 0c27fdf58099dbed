"""The privacy tests drive the accounts API in-process, with account e-mails in line."""

from __future__ import annotations

from tests.unit.accounts.conftest import api, mail_in_line

__all__ = ["api", "mail_in_line"]
