"""The Finnish postal-code directory in the address rule (SPEC §2 #5, issue 15 item 8).

Every format with a reader: its routed sample with the buyer's postcode and town
set to a pair. The pairs are read from Posti's and GeoNames' public lists by hand:
15110 is Lahti, 65100 Vaasa (Vasa in Swedish), 68600 Pietarsaari (Jakobstad),
01800 Klaukkala in Nurmijärvi, 22100 Mariehamn on Åland, 80020 the invoicing address
KOLLEKTOR SCAN in Joensuu; 00000 is no postcode.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formats.cases import CASES
from helpers import TODAY, make_variant
from kassavirta import check_bytes
from kassavirta.config.settings import Settings
from kassavirta.findings import CheckResult
from kassavirta.finnish.postcodes import shipped_directory
from kassavirta.formats import adapter_for, detect
from kassavirta.formats.registry import with_reader
from kassavirta.pipeline.read import read_bytes

FORMATS = with_reader()
ADDRESS_MESSAGE = (
    "SEND ERROR (REASON: RECEIVABLES-SERVICE: Postal code for {} not found (code #5))."
)


def _blind(xpath: str) -> str:
    """An XPath with prefixes (`cac:PostalZone`) made namespace-blind for `make_variant`."""
    return re.sub(r"\b[\w-]+:([\w-]+)", r"*[local-name()='\1']", xpath)


def _buyer_paths(sample: Path, format_id: str) -> tuple[str, str]:
    """Where the format's reader finds the buyer's postcode and town in `sample`."""
    [document] = read_bytes(sample.read_bytes())
    adapter = adapter_for(detect(document.part.root).format)
    assert adapter is not None
    invoice = adapter(document)
    postcode = invoice.where("buyer.address.postcode").xpath
    town = invoice.where("buyer.address.town").xpath
    assert postcode and town, f"{format_id}: no buyer postcode or town in {sample}"
    return _blind(postcode), _blind(town)


def _addressed(format_id: str, postcode: str, town: str) -> bytes:
    sample = CASES[format_id].route
    postcode_at, town_at = _buyer_paths(sample, format_id)
    return make_variant(sample, (postcode_at, "text", postcode), (town_at, "text", town))


def _check(data: bytes, settings: Settings | None) -> CheckResult:
    """The check, without the `interest-missing` note that several formats' samples carry:
    it is about penalty interest, not addresses (tests/rules covers it)."""
    result = check_bytes(data, settings, TODAY)
    result.findings = [f for f in result.findings if f.rule != "interest-missing"]
    return result


@pytest.mark.parametrize("format_id", FORMATS)
def test_a_postcode_that_does_not_exist_is_error_5(format_id: str, settings: Settings) -> None:
    result = _check(_addressed(format_id, "00000", "Lahti"), settings)
    assert (result.decision.value, result.reasons) == ("error", ["address-incomplete"])
    [f] = [f for f in result.findings if f.rule == "address-incomplete"]
    assert f.service_code == 5
    assert f.message == ADDRESS_MESSAGE.format("Lahti 00000")
    assert "00000 is not in the Finnish postal-code directory" in (f.detail or "")
    assert f.xpath and f.xpath.endswith(
        (
            "PostCodeIdentifier",
            "PostalZone",
            "PostcodeCode",
            "POSTAL_CODE",
            "PostCode",  # Visma XML, S-EDI
            "PostalNumber",  # Liinos
            "post_code",  # MaventaXML
        )
    )


@pytest.mark.parametrize("format_id", FORMATS)
@pytest.mark.parametrize(
    ("postcode", "town"),
    [
        ("15110", "Lahti"),
        ("15110", "LAHTI"),
        ("65100", "Vasa"),  # Swedish
        ("68600", "Jakobstad"),  # Swedish, and GeoNames' municipality name
        ("68600", "Pietarsaari"),
        ("01800", "Klaukkala"),  # the post office
        ("01800", "Nurmijärvi"),  # the municipality
        ("22100", "Maarianhamina"),  # Åland, in Finnish
        ("80020", "Kollektor Scan"),  # a company's own code for its invoices
    ],
)
def test_a_real_postcode_with_its_town_routes(
    format_id: str, postcode: str, town: str, settings: Settings
) -> None:
    result = _check(_addressed(format_id, postcode, town), settings)
    assert (result.decision.value, result.findings) == ("route", [])


@pytest.mark.parametrize("format_id", FORMATS)
def test_another_town_is_a_warning_unless_strict(format_id: str, settings: Settings) -> None:
    data = _addressed(format_id, "15110", "Oulu")
    result = _check(data, settings)
    assert (result.decision.value, result.reasons) == ("route", [])
    [f] = result.findings
    assert (f.rule, f.severity.value, f.service_code) == ("postcode-town-mismatch", "warning", None)
    assert "15110" in f.message and "Oulu" in f.message
    assert "knows 15110 as Lahti, not Oulu" in (f.detail or "")

    strict = _check(data, settings.model_copy(update={"postal_codes_strict": True}))
    assert (strict.decision.value, strict.reasons) == ("error", ["address-incomplete"])
    [f] = strict.findings
    assert f.message == ADDRESS_MESSAGE.format("Oulu 15110")
    assert "knows 15110 as Lahti, not Oulu" in (f.detail or "")


def test_00122_is_not_in_the_directory() -> None:
    """The reference files' 00122 (tests/formats/test_reference_decisions.py): GeoNames has no such code."""
    assert "00122" not in shipped_directory()
    assert "00120" in shipped_directory()


# --- the rule around the directory (Finvoice 3.0) ------------------------------------


def _finvoice(postcode: str, town: str, country: str | None = "FI") -> bytes:
    edits = [
        ("//BuyerPostalAddressDetails/BuyerPostCodeIdentifier", "text", postcode),
        ("//BuyerPostalAddressDetails/BuyerTownName", "text", town),
    ]
    if country is None:
        edits.append(("//BuyerPostalAddressDetails/CountryCode", "remove", None))
    else:
        edits.append(("//BuyerPostalAddressDetails/CountryCode", "text", country))
    return make_variant(CASES["finvoice-3.0"].route, *edits)


def test_without_a_country_the_address_is_finnish(settings: Settings) -> None:
    assert _check(_finvoice("00000", "Lahti", None), settings).reasons == ["address-incomplete"]
    assert _check(_finvoice("15110", "Lahti", None), settings).findings == []


def test_foreign_postcodes_are_not_looked_up(settings: Settings) -> None:
    assert _check(_finvoice("00000", "Tallinn", "EE"), settings).findings == []


def test_without_settings_the_directory_still_applies() -> None:
    """No settings: `service-inactive`, and the content rules are listed as warnings."""
    result = _check(_finvoice("00000", "Lahti"), None)
    assert result.decision.value == "bypass"
    assert "address-incomplete" in {f.rule for f in result.findings}
    result = _check(_finvoice("15110", "Oulu"), None)
    assert "postcode-town-mismatch" in {f.rule for f in result.findings}


def _with_directory(settings: Settings, path: Path, **keys: bool) -> Settings:
    return settings.model_copy(update={"postal_codes": path, **keys})


def test_a_user_directory_extends_the_shipped_one(tmp_path: Path, settings: Settings) -> None:
    directory = tmp_path / "postcodes.csv"
    directory.write_text("00122;Helsinki\n15110;Lahden keskusta\n", encoding="utf-8")
    extended = _with_directory(settings, directory)
    # A code only the user's file has, a name only the user's file has, and GeoNames' own.
    assert _check(_finvoice("00122", "Helsinki"), extended).findings == []
    assert _check(_finvoice("15110", "Lahden keskusta"), extended).findings == []
    assert _check(_finvoice("15110", "Lahti"), extended).findings == []
    assert _check(_finvoice("65100", "Vasa"), extended).findings == []
    assert _check(_finvoice("00000", "Lahti"), extended).reasons == ["address-incomplete"]
    [f] = _check(_finvoice("15110", "Oulu"), extended).findings
    assert f.rule == "postcode-town-mismatch"
    assert "Lahden keskusta, Lahti" in (f.detail or "")
    assert str(directory) in (f.detail or "") and "GeoNames" in (f.detail or "")


def test_a_replacing_strict_directory_is_the_old_behaviour(
    tmp_path: Path, settings: Settings
) -> None:
    """`postal_codes_replace` and `postal_codes_strict`: only the user's pairs route."""
    directory = tmp_path / "postcodes.json"
    directory.write_text('{"15110": "Lahti", "99999": ["Muualla"]}', encoding="utf-8")
    own = _with_directory(settings, directory, postal_codes_replace=True, postal_codes_strict=True)
    assert _check(_finvoice("15110", "Lahti"), own).findings == []
    assert _check(_finvoice("65100", "Vaasa"), own).reasons == ["address-incomplete"]
    result = _check(_finvoice("15110", "Muualla"), own)
    assert result.reasons == ["address-incomplete"]
    assert "knows 15110 as Lahti, not Muualla" in (result.findings[0].detail or "")
