"""What the pet rules refuse."""

from __future__ import annotations

from chalicelib.errors import DomainError


class TooManyPets(DomainError):
    detail = "An owner may keep only so many pets."


class PetHasActiveBookings(DomainError):
    detail = "The pet has an open booking; cancel it first."
