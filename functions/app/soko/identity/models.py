"""Identity's models: requests, responses and the stored account."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from soko.shared import phone as phones
from soko.shared.auth import Role
from soko.shared.config import BaseConfig

SelfRegisteredRole = Literal["farmer", "buyer", "both", "transporter"]
Language = Literal["en", "lg"]
AccountStatus = Literal["active", "suspended"]
DirectoryRole = Literal["farmer", "buyer"]

_NAME = re.compile(r"^[^\x00-\x1f<>]{1,80}$")
_DISTRICT = re.compile(r"^[A-Za-z][A-Za-z .'-]{1,39}$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9 _-]{0,39}$")


def _email(value: str) -> str:
    """Pydantic's own e-mail check (what ``EmailStr`` runs: email-validator, the normalized
    address back), imported on the first validation instead of when the models are defined."""
    from pydantic.networks import validate_email  # noqa: PLC0415

    return validate_email(value)[1]


# ``EmailStr`` imports email-validator when a model using it is defined (about 15 ms of every
# identity cold start); this is the same validation and the same schema, paid on first use.
EmailStr = Annotated[str, AfterValidator(_email), WithJsonSchema({"format": "email", "type": "string"})]


class IdentityConfig(BaseConfig):
    """Every identity function. Those that issue tokens also read the signing key's setting
    (soko.shared.auth.AuthConfig); the one that sends reset codes reads soko.providers.sms.SmsConfig."""

    users_table_name: str = Field(min_length=1)
    jwt_issuer: str = "soko"
    jwt_audience: str = "soko-api"
    # The countries the deployment serves (ISO 3166 alpha-2, comma-separated: template parameter
    # SmsCountries): a phone of another country is refused, and no SMS is ever sent to one.
    sms_countries: str = "UG"


def _phone(value: str | None) -> str | None:
    return None if value in (None, "") else phones.normalize(str(value))


def _tags(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        tag = " ".join(value.strip().lower().split())
        if not _TAG.match(tag):
            raise ValueError(f"{value!r} is not a crop or product name (letters, digits, spaces; at most 40)")
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


class _Input(BaseModel):
    # Strings are not stripped here: a password's spaces are part of it. Names and places are
    # normalised by their own validators.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# Secrets are kept out of reprs (Powertools logs parsed models at DEBUG).
Password = Annotated[str, Field(min_length=8, max_length=128, description="8 to 128 characters", repr=False)]
FullName = Annotated[
    str | None,
    Field(
        default=None,
        validation_alias=AliasChoices("fullName", "full_name"),
        serialization_alias="fullName",
        max_length=80,
    ),
]


class RegisterRequest(_Input):
    email: EmailStr
    password: Password
    role: SelfRegisteredRole = Field(description="admin cannot be self-registered")
    phone: str | None = Field(
        default=None,
        description="E.164; a local 07... number is read as Uganda",
        json_schema_extra={"pattern": phones.SCHEMA_PATTERN},
    )
    full_name: FullName

    _phone = field_validator("phone")(_phone)

    @field_validator("full_name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        value = value.strip() if value is not None else None
        if value is not None and not _NAME.match(value):
            raise ValueError("a name has 1 to 80 printable characters")
        return value


class LoginRequest(_Input):
    """By email, or by phone (an account opened on a basic phone has no email)."""

    email: EmailStr | None = None
    phone: str | None = Field(
        default=None,
        description="E.164; a local 07... number is read as Uganda",
        json_schema_extra={"pattern": phones.SCHEMA_PATTERN},
    )
    password: Annotated[str, Field(min_length=1, max_length=128, repr=False)]

    _phone = field_validator("phone")(_phone)

    @model_validator(mode="after")
    def _one(self) -> LoginRequest:
        if (self.email is None) == (self.phone is None):
            raise ValueError("give exactly one of email or phone")
        return self

    @property
    def account_key(self) -> str:
        """What failed sign-ins are counted against: the email, or the phone."""
        return str(self.email).lower() if self.email is not None else f"phone:{self.phone}"


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105  (a scheme name, not a secret)
    expires_in: int = Field(description="seconds until the access token expires")


class RefreshRequest(_Input):
    refresh_token: Annotated[str, Field(min_length=10, max_length=200, repr=False)]


class ForgotRequest(_Input):
    """Exactly one of ``email`` or ``phone`` (the code's channels: POST /auth/password/forgot)."""

    email: EmailStr | None = Field(
        default=None,
        description="the account's e-mail address: the code goes to it by e-mail (and by SMS to a "
        "verified phone)",
    )
    phone: str | None = Field(
        default=None,
        description="the account's verified phone: the code is sent to it by SMS",
        json_schema_extra={"pattern": phones.SCHEMA_PATTERN},
    )

    _phone = field_validator("phone")(_phone)

    @model_validator(mode="after")
    def _one(self) -> ForgotRequest:
        if (self.email is None) == (self.phone is None):
            raise ValueError("give exactly one of email or phone")
        return self


class ResetRequest(ForgotRequest):
    code: Annotated[
        str, Field(pattern=r"^\d{6}$", description="the 6-digit code sent by e-mail or SMS", repr=False)
    ]
    new_password: Password


class ProfileUpdate(_Input):
    """PUT /users/me: the fields given replace the stored ones; fields left out are kept."""

    full_name: FullName
    district: str | None = Field(default=None, max_length=40)
    specialties: list[str] | None = Field(default=None, max_length=20, description="farmers: what they grow")
    interests: list[str] | None = Field(default=None, max_length=20, description="buyers: what they buy")
    phone: str | None = Field(default=None, json_schema_extra={"pattern": phones.SCHEMA_PATTERN})
    language: Language | None = None

    _phone = field_validator("phone")(_phone)
    _tags = field_validator("specialties", "interests")(lambda v: None if v is None else _tags(v))

    @field_validator("district")
    @classmethod
    def _district(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not _DISTRICT.match(value):
            raise ValueError("a district is a name like Gulu or Fort Portal")
        return " ".join(word.capitalize() for word in value.split())


class AccountStatusChange(_Input):
    """POST /admin/users/{id}/suspend and .../reinstate."""

    reason: Annotated[str, Field(min_length=1, max_length=500, description="why (kept in the audit log)")]

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("give a reason")
        return value


class PhoneVerifyRequest(_Input):
    code: Annotated[
        str, Field(pattern=r"^\d{6}$", description="the 6-digit code sent by e-mail or SMS", repr=False)
    ]


class PublicProfile(BaseModel):
    """What any signed-in user may see of another user."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    id: str
    full_name: str | None = Field(default=None, serialization_alias="fullName")
    role: Role
    district: str | None = None
    specialties: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    rating: float | None = Field(default=None, description="average review rating, 1-5")
    rating_count: int = 0


class Account(PublicProfile):
    """The caller's own account (GET /auth/me, GET /users/me)."""

    email: str | None = Field(default=None, description="null for an account opened by USSD")
    phone: str | None = Field(default=None, json_schema_extra={"pattern": phones.SCHEMA_PATTERN})
    phone_verified: bool = Field(
        default=False,
        description="the phone was confirmed by an SMS code (or by the carrier, for a USSD account); "
        "only a verified phone receives SMS, resets a password or names a USSD caller",
    )
    pending_phone: str | None = Field(
        default=None,
        description="a phone set by PUT /users/me that waits for its code (POST /users/me/phone/verify)",
    )
    language: Language = "en"
    status: AccountStatus = "active"
    created_at: str
    updated_at: str


class UserPage(BaseModel):
    items: list[PublicProfile]
    next_cursor: str | None


class StoredUser(BaseModel):
    """The account as stored (never returned as is: it holds the password hash).

    An account opened on a basic phone (USSD) has a phone and no email or password until its owner
    sets a password for the app (``password_hash`` None: "without the app")."""

    model_config = ConfigDict(extra="ignore")

    id: str
    email: str | None = None
    email_lower: str | None = None
    password_hash: str | None = Field(default=None, repr=False)
    role: Role
    phone: str | None = Field(default=None, json_schema_extra={"pattern": phones.SCHEMA_PATTERN})
    full_name: str | None = None
    district: str | None = None
    specialties: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    language: Language = "en"
    rating_sum: int = 0
    rating_count: int = 0
    # None on accounts stored before phones were verified: then a USSD account's phone (no email)
    # counts as verified by the carrier, an app account's does not (see ``verified_phone``).
    phone_verified: bool | None = None
    pending_phone: str | None = None
    status: AccountStatus = "active"
    status_reason: str | None = None
    token_version: int = 0
    version: int = 1
    created_at: str
    updated_at: str

    @property
    def verified_phone(self) -> str | None:
        """The phone if it was verified (by an SMS code, or by the carrier for USSD), else None."""
        if not self.phone:
            return None
        verified = self.phone_verified if self.phone_verified is not None else self.email is None
        return self.phone if verified else None

    @property
    def suspended(self) -> bool:
        return self.status == "suspended"

    def public(self) -> PublicProfile:
        return PublicProfile(**self._public_fields())

    def account(self) -> Account:
        return Account(
            **self._public_fields(),
            email=self.email,
            phone=self.phone,
            phone_verified=self.verified_phone is not None,
            pending_phone=self.pending_phone,
            language=self.language,
            status=self.status,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )

    def _public_fields(self) -> dict[str, Any]:
        rating = round(self.rating_sum / self.rating_count, 2) if self.rating_count else None
        return {
            "id": self.id,
            "full_name": self.full_name,
            "role": self.role,
            "district": self.district,
            "specialties": self.specialties if self.role in ("farmer", "both") else [],
            "interests": self.interests if self.role in ("buyer", "both") else [],
            "rating": rating,
            "rating_count": self.rating_count,
        }

    def directory_roles(self) -> list[DirectoryRole]:
        return {
            "farmer": ["farmer"],
            "buyer": ["buyer"],
            "both": ["farmer", "buyer"],
            "transporter": [],
            "admin": [],
        }[self.role]  # type: ignore[return-value]
