"""Every holder of personal data, in the order erasure runs them; export walks the same
list. A capability that stores data about a user adds ONE line here: the dotted path of
its `PersonalData` holder ("module:attribute"), imported on first use.

Order matters for erasure: future bookings are cancelled (and refunded, and their
consultants told) before anything is removed; payments are anonymised while the
bookings that find them still exist; the account itself goes last, so a failed run is
simply repeated by the job."""

from __future__ import annotations

from importlib import import_module

from chalicelib.privacy.holders import PersonalData

HOLDERS: tuple[str, ...] = (
    "chalicelib.bookings.personal_data:future_bookings",
    "chalicelib.payments.personal_data:payments",
    "chalicelib.recordings.personal_data:recordings",
    "chalicelib.bookings.personal_data:bookings",
    "chalicelib.pets.personal_data:pets",
    "chalicelib.consultants.personal_data:consultant",
    "chalicelib.consent.personal_data:consent",
    "chalicelib.notifications.personal_data:notifications",
    "chalicelib.privacy.personal_data:privacy_requests",
    "chalicelib.privacy_requests.personal_data:privacy_requests",
    "chalicelib.minor_reports.personal_data:minor_reports",
    "chalicelib.disclosures.personal_data:disclosures",
    "chalicelib.access_log.personal_data:access_log",
    "chalicelib.accounts.personal_data:account",
)


def holder(path: str) -> PersonalData:
    module, _, attribute = path.partition(":")
    found: PersonalData = getattr(import_module(module), attribute)
    return found


def holders() -> list[PersonalData]:
    return [holder(path) for path in HOLDERS]
