"""An optional postal-code directory: which towns each postcode belongs to.

The service says "Postal code for TOWN CODE not found" (#5), so it looks the
pair up. Without a directory we can only check the code's form; with one
(a JSON object or a `postcode;town` CSV the user supplies) we check the pair.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from kassavirta.errors import SettingsError


class PostalDirectory:
    def __init__(self, towns: dict[str, set[str]], source: str = "<directory>") -> None:
        self._towns = towns
        self.source = source

    def __contains__(self, postcode: object) -> bool:
        return isinstance(postcode, str) and postcode.strip() in self._towns

    def matches(self, postcode: str, town: str) -> bool:
        towns = self._towns.get(postcode.strip())
        return bool(towns) and town.strip().casefold() in towns  # type: ignore[operator]

    def towns(self, postcode: str) -> set[str]:
        return set(self._towns.get(postcode.strip(), set()))

    @classmethod
    def load(cls, path: str | Path) -> PostalDirectory:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(
                f"cannot read the postal-code directory: {exc}", path=str(p), key="postal_codes"
            ) from exc
        towns: dict[str, set[str]] = {}
        if p.suffix.lower() == ".json":
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise SettingsError(
                    f"not valid JSON: {exc}", path=str(p), key="postal_codes"
                ) from exc
            if not isinstance(data, dict):
                raise SettingsError(
                    "expected an object postcode → town(s)", path=str(p), key="postal_codes"
                )
            for code, value in data.items():
                names = [value] if isinstance(value, str) else list(value)
                towns[str(code).strip()] = {str(n).strip().casefold() for n in names}
        else:
            dialect = (
                csv.Sniffer().sniff(text[:2048], delimiters=";,\t") if text.strip() else csv.excel
            )
            for row in csv.reader(io.StringIO(text), dialect):
                if len(row) >= 2 and row[0].strip():
                    towns.setdefault(row[0].strip(), set()).add(row[1].strip().casefold())
        return cls(towns, source=str(p))
