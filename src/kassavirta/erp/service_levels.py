"""The service-level groups as the Receivables API lists them (`GET /v1/service_levels`).

The guide: a customer (by business ID) in a VIP or PREMIUM group, or with no
payment monitoring at all (`service_bypass`), is not reminded on the default
schedule; groups are managed with `PATCH /v1/service_levels/{customer_bid}`.
It shows no example of the list, so the shape read here is our **decision**:
a list of customers, each with its business ID (`customer_bid`, also `bid` or
`business_id`) and its group, as the flags `vip`, `premium`, `service_bypass`
(`true` for the group it is in) or as a `service_level` text; or, as the
settings write it, one object `{"vip": [business IDs], "premium": [...],
"service_bypass": [...]}`. `samples/service-levels.json` is an example.
`ledger import` keeps the groups in the ledger and `check --ledger` uses them
beside the settings' `service_levels`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from kassavirta.errors import SettingsError

if TYPE_CHECKING:
    from kassavirta.config.settings import Settings

__all__ = [
    "LEVELS",
    "CustomerLevel",
    "groups_of",
    "is_service_levels",
    "parse_service_levels",
    "with_groups",
]

LEVELS: Final = ("vip", "premium", "service_bypass")
"""The groups, in the order a customer flagged for several counts (as `ServiceLevels.level_of`)."""
BID_KEYS: Final = ("customer_bid", "bid", "business_id")
LIST_KEYS: Final = ("service_levels", "customers", "data", "items")
NO_GROUP: Final = ("default", "", "none")


@dataclass(frozen=True)
class CustomerLevel:
    """One customer's group: what the ledger keeps of one entry of the API's answer."""

    business_id: str
    level: str
    raw: Mapping[str, Any]


def _listed(data: Any) -> list[Any] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in LIST_KEYS:
            if isinstance(data.get(key), list):
                return list(data[key])
    return None


def _grouped(data: Any) -> bool:
    return isinstance(data, dict) and any(isinstance(data.get(k), list) for k in LEVELS)


def is_service_levels(data: Any) -> bool:
    """Whether decoded JSON is the service-level answer rather than assignments.

    Assignments carry a `number`; customers a business ID and no number.
    """
    if _grouped(data):
        return True
    items = _listed(data)
    if not items:
        return False
    return all(
        isinstance(i, dict) and "number" not in i and any(k in i for k in BID_KEYS) for i in items
    )


def _bid_of(item: Mapping[str, Any], where: str, source: str) -> str:
    for key in BID_KEYS:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    raise SettingsError(
        "a customer needs its business ID (customer_bid, bid or business_id)",
        path=source,
        key=f"{where}.customer_bid",
    )


def _level_of(item: Mapping[str, Any], where: str, source: str) -> str | None:
    flagged = [level for level in LEVELS if item.get(level) is True]
    if flagged:
        return flagged[0]
    named = item.get("service_level", item.get("level"))
    if named is None:
        return None
    text = str(named).strip().lower()
    if text in LEVELS:
        return text
    if text in NO_GROUP:
        return None
    raise SettingsError(
        f"unknown service level {named!r} (expected one of {', '.join((*LEVELS, 'default'))})",
        path=source,
        key=f"{where}.service_level",
    )


def parse_service_levels(data: Any, *, source: str = "<service levels>") -> list[CustomerLevel]:
    """The customers in a group, from decoded JSON of either accepted shape (see the module).

    Customers in no group (`default`, every flag false) are left out: the ledger
    keeps only the groups, as the settings do.
    """
    out: list[CustomerLevel] = []
    if _grouped(data):
        for level in LEVELS:
            members = data.get(level, [])
            if not isinstance(members, list):
                raise SettingsError("expected a list of business IDs", path=source, key=level)
            for n, member in enumerate(members):
                where = f"{level}[{n}]"
                if isinstance(member, dict):
                    out.append(CustomerLevel(_bid_of(member, where, source), level, member))
                elif isinstance(member, str) and member.strip():
                    out.append(CustomerLevel(member.strip(), level, {"customer_bid": member}))
                else:
                    raise SettingsError("expected a business ID", path=source, key=where)
        return out
    items = _listed(data)
    if items is None:
        raise SettingsError(
            "expected the GET /v1/service_levels answer: a list of customers, or an object with "
            "vip / premium / service_bypass lists",
            path=source,
        )
    for n, item in enumerate(items):
        where = f"[{n}]"
        if not isinstance(item, dict):
            raise SettingsError("expected a customer object", path=source, key=where)
        bid = _bid_of(item, where, source)
        group = _level_of(item, where, source)
        if group is not None:
            out.append(CustomerLevel(bid, group, item))
    return out


def groups_of(customers: Iterable[CustomerLevel]) -> dict[str, list[str]]:
    """`{level: [business IDs]}`, the shape of the settings' `service_levels`."""
    out: dict[str, list[str]] = {level: [] for level in LEVELS}
    for c in customers:
        out[c.level].append(c.business_id)
    return out


def with_groups(settings: Settings, groups: Mapping[str, Iterable[str]]) -> Settings:
    """The settings with `groups` (the ledger's) added to their own `service_levels`.

    Both count, side by side: a customer that the two put in different groups
    counts in the first of VIP, PREMIUM, service_bypass, as one file naming it
    twice would.
    """
    own = settings.service_levels
    merged = own.model_copy(
        update={
            level: [*getattr(own, level), *(b for b in groups.get(level, ()) if b)]
            for level in LEVELS
        }
    )
    return settings.model_copy(update={"service_levels": merged})
