"""The public projection of a consultant's profile."""

from __future__ import annotations

from chalicelib.consultants.models import ConsultantProfile
from chalicelib.consultants.schemas import ConsultantOut, Licence, Money


def profile_out(profile: ConsultantProfile) -> ConsultantOut:
    return ConsultantOut(
        id=profile.consultant_id,
        name=profile.name,
        photo_url=profile.photo_url,
        specialties=list(profile.specialties),
        languages=list(profile.languages),
        licences=[Licence.model_validate(x) for x in profile.licences],
        price=Money(amount=int(profile.price_amount), currency=profile.price_currency),
        slot_minutes=int(profile.slot_minutes),
        bio=profile.bio,
    )
