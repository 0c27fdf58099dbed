"""The error table of docs/api.md is generated from chalicelib/web/errors.py."""

from __future__ import annotations

import pytest

from chalicelib.web import errors_doc
from chalicelib.web.errors import ErrorSpec, every_spec


def test_docs_api_error_table_is_up_to_date() -> None:
    document = errors_doc.API_DOC.read_text(encoding="utf-8")
    expected = errors_doc.rewrite(document, errors_doc.current_table())
    assert document == expected, "run `python -m chalicelib.web.errors_doc`"


def test_every_mapped_code_is_in_the_table() -> None:
    table = errors_doc.current_table()
    for spec in every_spec():
        assert f"| `{spec.code}` |" in table


def test_a_code_with_two_statuses_is_one_row_listing_both() -> None:
    table = errors_doc.render_table(
        [ErrorSpec(401, "invalid_code", "wrong code"), ErrorSpec(400, "invalid_code", "other")]
    )
    assert table.splitlines()[2:] == ["| `invalid_code` | 400 / 401 | wrong code |"]


def test_rewrite_refuses_a_document_without_markers() -> None:
    with pytest.raises(ValueError, match="marker"):
        errors_doc.rewrite("# API\n", "| table |")
