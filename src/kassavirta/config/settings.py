"""Activation settings and the toolkit's own service assumptions.

The settings file is the JSON that the operator's `GET /v2/services/amili/receivables`
returns, saved as it is, with a few optional keys of ours beside it. Every
assumption about the real service that the guide leaves open is a key here with
SPEC's default, never a constant in a rule.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from kassavirta.errors import SettingsError, SettingsWarning
from kassavirta.finnish.bank import validate_bic, validate_iban
from kassavirta.model import Channel

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _checked_iban(value: str | None) -> str | None:
    return validate_iban(value) if value else None


def _checked_bic(value: str | None) -> str | None:
    return validate_bic(value) if value else None


Iban = Annotated[str | None, AfterValidator(_checked_iban)]
"""An IBAN checked with schwifty (checksum and registry), kept in compact form."""
Bic = Annotated[str | None, AfterValidator(_checked_bic)]


class Signature(BaseModel):
    """How to recognise a format whose root the toolkit does not know by itself."""

    model_config = ConfigDict(extra="forbid")

    root: str
    namespace: str | None = None


class PostalAddress(BaseModel):
    model_config = ConfigDict(extra="allow")

    country: str | None = None
    streets: list[str] = Field(default_factory=list)
    city: str | None = None
    zip_code: str | None = None


class Note(BaseModel):
    """A clause phrase the service provides, per language code."""

    model_config = ConfigDict(extra="allow")

    phrase: str
    code: str


class ServiceAccount(BaseModel):
    """The `vfsfi` block: the service's own payment account."""

    model_config = ConfigDict(extra="allow")

    iban: Iban = None
    bic: Bic = None
    account_number: str | None = None
    notes: list[Note] = Field(default_factory=list)


class ServiceLevels(BaseModel):
    """Buyers (by business ID) that the service handles outside the default schedule."""

    model_config = ConfigDict(extra="forbid")

    vip: list[str] = Field(default_factory=list)
    premium: list[str] = Field(default_factory=list)
    service_bypass: list[str] = Field(default_factory=list)

    def level_of(self, business_id: str | None) -> str | None:
        if not business_id or not (self.vip or self.premium or self.service_bypass):
            return None  # most settings name no group: asked twice per invoice, answered at once
        key = _compact_bid(business_id)
        for level in ("vip", "premium", "service_bypass"):
            if key in {_compact_bid(b) for b in getattr(self, level)}:
                return level
        return None


def _compact_bid(value: str) -> str:
    return re.sub(r"[\s.-]", "", value).upper().removeprefix("FI")


class LaterStep(BaseModel):
    """A step after the first reminder: `days` calendar days after the previous letter."""

    model_config = ConfigDict(extra="forbid")

    step: str = Field(min_length=1)
    days: int = Field(ge=1)


def _default_later_steps() -> list[LaterStep]:
    return [
        LaterStep(step="payment_demand", days=14),
        LaterStep(step="second_payment_demand", days=14),
    ]


class ScheduleSpec(BaseModel):
    """One schedule: the first reminder's offsets and the later steps."""

    model_config = ConfigDict(extra="forbid")

    first_reminder_days_b2b: int = Field(default=10, ge=0)
    first_reminder_days_b2c: int = Field(default=14, ge=0)
    later_steps: list[LaterStep] = Field(default_factory=_default_later_steps)


ScheduleLevel = Literal["vip", "premium", "service_bypass"]


class ScheduleSettings(ScheduleSpec):
    """The `schedule` key of the settings: the default schedule, and one per service level."""

    levels: dict[ScheduleLevel, ScheduleSpec] = Field(default_factory=dict)
    """Only the levels named here get a schedule; VIP / PREMIUM / service_bypass get none otherwise."""


class Settings(BaseModel):
    """The activation settings (SPEC §3) and our service assumptions (SPEC §2)."""

    model_config = ConfigDict(extra="allow")

    # The operator's keys.
    status: Literal["DISABLED", "ACTIVE", "PENDING"]
    iban: Iban = None
    bic: Bic = None
    bank: str | None = None
    contact_person: str | None = None
    contact_email: str | None = None
    contact_phone_number: str | None = None
    authorization_email: str | None = None
    accountable_party: Literal["vfsfi", "company"] = "vfsfi"
    service_type: Literal["full", "express"] = "full"
    customer_service_email: str | None = None
    customer_service_phone_number: str | None = None
    billing_address: PostalAddress | None = None
    postal_address: PostalAddress | None = None
    vfsfi: ServiceAccount | None = None

    # Ours.
    activated_on: date | None = None
    consumer_transition_days: int = Field(default=5, ge=0)
    due_date_rule: Literal["calendar-3", "banking-4"] = "calendar-3"
    sum_rule: Literal["with-document-charges", "rows-only"] = "with-document-charges"
    """What `sum-mismatch` adds up: the rows + document-level charges − allowances + rounding,
    or (`rows-only`, the guide's literal words) the rows + rounding alone."""
    payee_name: str = "Visma Amili Finland Oy"
    factoring_agreement_id: str | None = None
    """FactoringAgreementIdentifier of the rewrite (default: `vfsfi.account_number`)."""
    service_levels: ServiceLevels = Field(default_factory=ServiceLevels)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    """Reminder offsets and later steps (the guide shows them only as a picture)."""
    si_change_sent: bool = False
    si_identifier_type: Literal["08", "09", "99"] = "09"
    """SellerInvoiceIdentifierType that `si-change` puts where the SI message had 01 or 02."""
    postal_codes: Path | None = None
    """A postcode directory (JSON object postcode → town or towns, or CSV `postcode;town`).

    It extends the Finnish directory that ships with the toolkit (GeoNames), or
    replaces it with `postal_codes_replace`."""
    postal_codes_replace: bool = False
    """The `postal_codes` file is the whole directory: the shipped one is not consulted."""
    postal_codes_strict: bool = False
    """A Finnish town the directory does not know for its postcode is send error #5,
    not the warning `postcode-town-mismatch`."""
    format_support: dict[str, bool] = Field(default_factory=dict)
    detection: dict[str, Signature] = Field(default_factory=dict)
    default_country: str = "FI"

    @field_validator("contact_email", "customer_service_email", "authorization_email", mode="after")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not _EMAIL.match(value):
            raise ValueError(f"not an e-mail address: {value!r}")
        return value or None

    @model_validator(mode="after")
    def _service_account(self) -> Settings:
        # Amili Perintä (`express`) rewrites nothing, so it needs no service account.
        needs_account = (
            self.status == "ACTIVE" and self.accountable_party == "vfsfi" and not self.perinta
        )
        if needs_account and (self.vfsfi is None or not self.vfsfi.iban):
            raise ValueError(
                "vfsfi.iban is required when status is ACTIVE and accountable_party is vfsfi"
            )
        return self

    @property
    def perinta(self) -> bool:
        """`service_type: "express"`: Amili Perintä, the manual product, not Kassavirta."""
        return self.service_type == "express"

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"


class ConfigFile(BaseModel):
    """The keys a `kassavirta.toml` may hold; paths are relative to its folder."""

    model_config = ConfigDict(extra="forbid")

    today: date | None = None
    settings: Path | None = None
    assignments: list[Path] | Path | None = None
    ledger: Path | None = None
    schemas: list[Path] | Path | None = None
    channel: Channel | None = None
    max_bytes: int | None = Field(default=None, gt=0)
    detection: dict[str, Signature] = Field(default_factory=dict)
    format_support: dict[str, bool] = Field(default_factory=dict)


_DATE_ERRORS = frozenset({"date_parsing", "date_from_datetime_parsing", "date_type"})


def first_error(exc: ValidationError) -> tuple[str, str]:
    """The key and the words of the first error; for a date, the form it takes (not pydantic's
    "invalid character in year")."""
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or None
    if err["type"] in _DATE_ERRORS:
        from kassavirta.config.dates import date_hint

        return key or "", f"{err['input']!r} is not a date: {date_hint(err['input'])}"
    return key or "", err["msg"]


OPERATOR_KEYS_NOT_READ = frozenset({"activation_url"})
"""Keys of the GET response that the toolkit does not read but that are not mistakes:
`activation_url` is the link to the KYC form (the guide's activation section)."""


def closest_key(key: str, known: Iterable[str]) -> str | None:
    """The known key `key` is most likely a misspelling of, if any is close (`due_date_rul` →
    `due_date_rule`; not `activation_url` → `activated_on`)."""
    import difflib  # only a file with an unknown key needs it

    found = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
    return found[0] if found else None


def warn_unknown_keys(data: dict[str, Any], model: type[BaseModel], *, source: str) -> None:
    """A `SettingsWarning` for each top-level key the model does not read (an error when the
    run asked for strict settings): a misspelt optional key would otherwise change nothing,
    silently."""
    known = set(model.model_fields)
    for key in data:
        if key in known or key in OPERATOR_KEYS_NOT_READ:
            continue
        guess = closest_key(key, known)
        hint = f"did you mean '{guess}'?" if guess else "the toolkit does not read it"
        warnings.warn(
            f"{source}: key '{key}' is not a settings key ({hint}); it is ignored",
            SettingsWarning,
            stacklevel=3,
        )


def load_mapping(path: Path) -> dict[str, Any]:
    """A JSON or TOML file as a dict, with a `SettingsError` naming the file."""
    from kassavirta.datafile import load_json, load_toml

    data: Any = load_toml(path) if path.suffix.lower() == ".toml" else load_json(path)
    if not isinstance(data, dict):
        raise SettingsError("expected an object at the top level", path=str(path))
    return data


def settings_from_mapping(
    data: dict[str, Any], *, source: str = "<settings>", base: Path | None = None
) -> Settings:
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        key, msg = first_error(exc)
        if msg == "Field required":
            msg = "missing (required)"
            typo = next((k for k in data if closest_key(k, [key]) == key), None)
            if typo is not None:
                msg += f"; the file has '{typo}': a misspelling?"
        raise SettingsError(msg, path=source, key=key) from exc
    warn_unknown_keys(data, Settings, source=source)
    if (
        settings.postal_codes is not None
        and base is not None
        and not settings.postal_codes.is_absolute()
    ):
        settings.postal_codes = base / settings.postal_codes
    return settings


def load_settings(path: str | Path) -> Settings:
    """Read activation settings from JSON (the API response as saved) or TOML."""
    p = Path(path)
    return settings_from_mapping(load_mapping(p), source=str(p), base=p.parent)
