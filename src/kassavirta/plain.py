"""Plain slotted records with the few pydantic-style methods their callers use.

The pipeline builds a few hundred small records per invoice; a slotted
dataclass costs a quarter of a pydantic model and keeps pydantic's import out
of a one-file check. `model_dump`, `model_copy` and `model_dump_json` keep
the code and tests that serialise or vary these records working unchanged.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Literal, Self

Mode = Literal["python", "json"]


_SCALARS = (str, int, float, bool, type(None))
_EXACT_SCALARS = frozenset(_SCALARS)


def dump(value: Any, mode: Mode = "python") -> Any:
    """`value` as plain Python data; in "json" mode as JSON types (pydantic's JSON mode)."""
    if type(value) in _EXACT_SCALARS:  # most values: one set look-up, no isinstance chain
        return value
    if isinstance(value, _SCALARS) and not isinstance(value, Enum):
        return value
    if isinstance(value, Plain):
        return value.model_dump(mode=mode)
    if isinstance(value, list | tuple):
        return [dump(v, mode) for v in value]
    if isinstance(value, Mapping):
        return {(dump(k, mode) if mode == "json" else k): dump(v, mode) for k, v in value.items()}
    if mode == "python":
        return value
    if isinstance(value, Enum):
        return dump(value.value, mode)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


_NAMES: dict[type, tuple[str, ...]] = {}


def _names(cls: type) -> tuple[str, ...]:
    """The dataclass's field names in order, looked up once per class."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


class Plain:
    """Mixin for slotted dataclasses: dump to dicts and copy with changes, as pydantic does."""

    __slots__ = ()

    def dumped_names(self) -> tuple[str, ...]:
        """The fields a dump shows: all of them, unless a record leaves some out."""
        return _names(type(self))

    def model_dump(self, *, mode: Mode = "python", exclude: Collection[str] = ()) -> dict[str, Any]:
        return {
            name: dump(getattr(self, name), mode)
            for name in self.dumped_names()
            if name not in exclude
        }

    def model_dump_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with `update` applied; fields are shared unless `deep`, as in pydantic."""
        base = copy.deepcopy(self) if deep else self
        return dataclasses.replace(base, **(update or {}))  # type: ignore[type-var]

    @classmethod
    def model_json_schema(
        cls,
        *,
        ref_template: str = "#/$defs/{model}",
        mode: Literal["validation", "serialization"] = "validation",
    ) -> dict[str, Any]:
        """The JSON Schema pydantic writes for this record (pydantic loads only here)."""
        from pydantic import TypeAdapter

        return TypeAdapter(cls).json_schema(ref_template=ref_template, mode=mode)


_NATIVE = (str, int, float, list, tuple, Plain)
"""What json's encoder writes as `dump(mode="json")` would (a record: through `json_default`
again): left to it. (A `StrEnum` is a
`str` and an `IntEnum` an `int` to the encoder, which writes their values, as `dump` does.)"""


def json_default(value: Any) -> Any:
    """`json.dumps(..., default=json_default)` writes what `dump(value, "json")` would.

    json's C encoder walks lists, strings and numbers itself and asks this only
    about what it does not know, one record at a time: a record becomes its
    fields, left as they are for the encoder to walk. No dict of dicts is built
    first, which is most of the cost of writing a result as JSON.
    """
    if isinstance(value, Plain):
        fields = {}
        for name in value.dumped_names():
            v = getattr(value, name)
            fields[name] = v if v is None or isinstance(v, _NATIVE) else dump(v, "json")
        return fields
    converted = dump(value, "json")
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return converted


@cache
def without(names: tuple[str, ...], *gone: str) -> tuple[str, ...]:
    """`names` but `gone`: for a record that leaves fields out of its dump (`dumped_names`)."""
    return tuple(n for n in names if n not in gone)
