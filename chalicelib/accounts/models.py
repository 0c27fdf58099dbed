"""Account storage."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import BaseModel, table_name


class EmailIndex(GlobalSecondaryIndex["User"]):  # type: ignore[no-untyped-call]
    """Find a user by normalised e-mail (sign-in, duplicate check)."""

    class Meta:
        index_name = "email-index"
        projection = KeysOnlyProjection()

    email = UnicodeAttribute(hash_key=True)


class User(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("users")

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    email_verified = BooleanAttribute(default=False)
    password_hash = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    name = UnicodeAttribute()
    birth_date = UnicodeAttribute(null=True)
    country = UnicodeAttribute(null=True)
    timezone = UnicodeAttribute(default="UTC")
    language = UnicodeAttribute(default="en")
    phone = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=1)

    email_index = EmailIndex()
