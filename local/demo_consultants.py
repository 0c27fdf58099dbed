"""Demo consultant profiles and weekly hours (local stage only): each demo vet gets a
directory profile, specialties, languages, a price (one is free) and opening hours in
their own time zone, so `make run` shows a bookable directory at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.accounts.models import User
from chalicelib.consultants import service
from chalicelib.consultants.models import ConsultantProfile
from chalicelib.consultants.schemas import AvailabilityIn, ConsultantUpsert

WEEKDAYS = (1, 2, 3, 4, 5)

PROFILES: dict[str, dict[str, Any]] = {
    "vet1@vetpet.test": {
        "profile": {
            "name": "Dr. Olena Kovalenko",
            "specialties": ["dogs", "cats", "dermatology"],
            "languages": ["uk", "ru", "en"],
            "licences": [{"country": "UA", "region": "Kyiv", "number": "UA-VET-0417"}],
            "price": {"amount": 60000, "currency": "UAH"},
            "slot_minutes": 30,
            "bio": "Small-animal practitioner, 12 years; skin and allergy problems.",
        },
        "availability": {
            "timezone": "Europe/Kyiv",
            "weekly": [
                *({"weekday": d, "start": "09:00", "end": "13:00"} for d in WEEKDAYS),
                *({"weekday": d, "start": "14:00", "end": "18:00"} for d in WEEKDAYS),
            ],
            "min_notice_minutes": 60,
            "buffer_minutes": 10,
        },
    },
    "vet2@vetpet.test": {
        "profile": {
            "name": "Dr. Marek Nowak",
            "specialties": ["birds", "reptiles", "rodents"],
            "languages": ["pl", "en", "uk"],
            "licences": [{"country": "PL", "region": "Mazowieckie", "number": "PL-1187"}],
            "price": {"amount": 0, "currency": "PLN"},
            "slot_minutes": 30,
            "bio": "Exotic pets; free first consultations.",
        },
        "availability": {
            "timezone": "Europe/Warsaw",
            "weekly": [{"weekday": d, "start": "10:00", "end": "16:00"} for d in (*WEEKDAYS, 6)],
            "min_notice_minutes": 30,
            "buffer_minutes": 0,
        },
    },
    "vet3@vetpet.test": {
        "profile": {
            "name": "Dr. Emily Tremblay",
            "specialties": ["cats", "nutrition"],
            "languages": ["en", "fr"],
            "licences": [{"country": "CA", "region": "ON", "number": "CVO-55120"}],
            "price": {"amount": 4500, "currency": "CAD"},
            "slot_minutes": 45,
            "bio": "Feline medicine and diets.",
        },
        "availability": {
            "timezone": "America/Toronto",
            "weekly": [
                *({"weekday": d, "start": "08:00", "end": "12:00"} for d in WEEKDAYS),
                *({"weekday": d, "start": "13:00", "end": "17:00"} for d in WEEKDAYS),
            ],
            "min_notice_minutes": 120,
            "buffer_minutes": 15,
        },
    },
}


def seed_consultants(users: list[User], now: datetime) -> list[ConsultantProfile]:
    """Give each demo vet a profile and hours unless they already have one."""
    profiles = []
    for user in users:
        demo = PROFILES.get(user.email)
        if demo is None:
            continue
        try:
            profiles.append(ConsultantProfile.get(user.user_id, consistent_read=True))
            continue
        except ConsultantProfile.DoesNotExist:
            pass
        upsert = ConsultantUpsert.model_validate(demo["profile"])
        service.upsert_profile(user.user_id, upsert, now)
        hours = AvailabilityIn.model_validate(demo["availability"])
        service.set_availability(user.user_id, hours, user.name, now)
        profiles.append(ConsultantProfile.get(user.user_id, consistent_read=True))
    return profiles
