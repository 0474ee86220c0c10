"""Bypass reasons, invalid reasons, the decision order, and duplicates inside one run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from helpers import SAMPLES, TEST_DATA, TODAY
from kassavirta import check_bytes, check_bytes_all, check_file
from kassavirta.config.policy import Policy
from kassavirta.config.settings import Settings, load_settings
from kassavirta.model import Channel
from kassavirta.pipeline.evaluate import Checker


def need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"{path} is not written yet")
    return path


@pytest.fixture
def settings() -> Settings:
    return load_settings(SAMPLES / "settings.json")


def test_service_inactive_without_settings_lists_rules_as_warnings() -> None:
    sample = need(SAMPLES / "error" / "finvoice-3.0-due-date-too-soon.xml")
    result = check_file(sample, None, TODAY)
    assert (result.decision.value, result.reasons) == ("bypass", ["service-inactive"])
    due = next(f for f in result.findings if f.rule == "due-date-too-soon")
    assert due.severity.value == "warning"
    assert due.service_code == 13


@pytest.mark.parametrize("status", ["PENDING", "DISABLED"])
def test_service_inactive_by_status(status: str, settings: Settings) -> None:
    sample = need(SAMPLES / "route" / "finvoice-3.0.xml")
    inactive = settings.model_copy(update={"status": status})
    result = check_file(sample, inactive, TODAY)
    assert (result.decision.value, result.reasons) == ("bypass", ["service-inactive"])
    assert status in result.findings[0].message


def test_non_eur_bypasses_before_content_rules(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    sample = need(SAMPLES / "bypass" / "finvoice-3.0-non-eur.xml")
    result = check_file(sample, settings, TODAY)
    assert (result.decision.value, result.reasons) == ("bypass", ["non-eur"])
    # Even with a due date that the service would refuse: it never sees the invoice.
    data = variant(
        sample,
        ("//EpiDateOptionDate", "text", "20200101"),
        ("//InvoiceDueDate", "text", "20200101"),
    )
    assert check_bytes(data, settings, TODAY).reasons == ["non-eur"]


def test_mixed_currencies_are_unreadable(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    sample = need(SAMPLES / "route" / "finvoice-3.0.xml")
    data = variant(
        sample, ("/Finvoice/InvoiceRow[1]/RowAmount", "attr:AmountCurrencyIdentifier", "SEK")
    )
    result = check_bytes(data, settings, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert result.findings[0].value == "SEK"
    assert result.findings[0].line is not None


def test_consumer_transition_window(settings: Settings) -> None:
    sample = need(SAMPLES / "bypass" / "finvoice-3.0-consumer-transition.xml")
    assert settings.activated_on is not None
    inside = check_file(sample, settings, TODAY)
    assert (inside.decision.value, inside.reasons) == ("bypass", ["consumer-transition"])
    assert inside.invoice is not None and inside.invoice.channel == "b2c-netbank"
    assert inside.invoice.channel_signals
    days = (TODAY - settings.activated_on).days
    after = settings.model_copy(update={"consumer_transition_days": days})
    routed = check_file(sample, after, TODAY)
    assert routed.decision.value == "route"
    assert "consumer-si-message" in {f.rule for f in routed.findings}
    told = after.model_copy(update={"si_change_sent": True})
    assert "consumer-si-message" not in {f.rule for f in check_file(sample, told, TODAY).findings}
    # Five days after activation the default window is over; the guide's other figure, 7, is a setting.
    later = settings.activated_on + timedelta(days=5)
    assert check_file(sample, settings, later).decision.value == "route"
    longer = settings.model_copy(update={"consumer_transition_days": 7})
    assert check_file(sample, longer, later).reasons == ["consumer-transition"]


def test_channel_given_explicitly_wins(settings: Settings) -> None:
    b2b = need(SAMPLES / "route" / "finvoice-3.0.xml")
    result = check_file(b2b, settings, TODAY, channel="b2c-netbank")
    assert result.reasons == ["consumer-transition"]
    consumer = need(SAMPLES / "bypass" / "finvoice-3.0-consumer-transition.xml")
    assert check_file(consumer, settings, TODAY, channel=Channel.B2B).decision.value != "bypass"


def test_unsupported_formats(settings: Settings) -> None:
    found = (
        sorted((SAMPLES / "bypass").glob("*unsupported-format*.xml"))
        if (SAMPLES / "bypass").is_dir()
        else []
    )
    if not found:
        pytest.skip("no unsupported-format samples yet")
    from kassavirta.config.toml import load_config

    # WoodX, BGC, Axflow and PX are known only through the sample set's registered roots.
    registered = load_config(SAMPLES / "kassavirta.toml").detection
    settings = settings.model_copy(update={"detection": registered})
    for path in found:
        result = check_file(path, settings, TODAY)
        assert (result.decision.value, result.reasons) == ("bypass", ["unsupported-format"]), path


def test_format_support_is_a_setting(settings: Settings) -> None:
    sample = need(SAMPLES / "route" / "finvoice-3.0.xml")
    no_finvoice = settings.model_copy(update={"format_support": {"finvoice-3.0": False}})
    assert check_file(sample, no_finvoice, TODAY).reasons == ["unsupported-format"]


@pytest.mark.parametrize(
    "path",
    [
        SAMPLES / "bypass" / "ubl-svefaktura-unsupported-format.xml",
        TEST_DATA / "formats" / "ubl-1.0.xml",
        TEST_DATA / "formats" / "ubl-1.0-credit-note.xml",
    ],
    ids=lambda p: p.name,
)
def test_svefaktura_and_ubl_1_0_are_the_guides_unsupported_ubl(
    path: Path, settings: Settings
) -> None:
    result = check_file(need(path), settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (
        "ubl",
        "bypass",
        ["unsupported-format"],
    )
    # Marked supported, UBL is a format no module reads: invalid, as any unadapted format.
    takes_ubl = settings.model_copy(update={"format_support": {"ubl": True}})
    result = check_file(path, takes_ubl, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unadapted-format"])


def test_registered_signature_detects_a_format(settings: Settings) -> None:
    data = b"<WoodXInvoice><Total>1</Total></WoodXInvoice>"
    assert check_bytes(data, settings, TODAY).reasons == ["unknown-format"]
    registered = settings.model_copy(update={"detection": {"woodx": {"root": "WoodXInvoice"}}})
    registered = Settings.model_validate(registered.model_dump())
    assert check_bytes(data, registered, TODAY).reasons == ["unsupported-format"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<Finvoice Version='3.0'><InvoiceDetails>", "not-xml"),
        (
            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><Finvoice Version='3.0'>&a;</Finvoice>",
            "unsafe-xml",
        ),
        (b"<Recipe><Name>Karjalanpiirakka</Name></Recipe>", "unknown-format"),
        (b"<Finvoice Version='9.9'/>", "unknown-format"),
        (b"<FinvoiceSenderInfo Version='2.0'/>", "not-an-invoice"),
        (b"<Interchange><InterchangeHeader/></Interchange>", "unadapted-format"),
        (b"<Finvoice Version='3.0'><SellerPartyDetails/></Finvoice>", "unreadable-field"),
    ],
)
def test_invalid_reasons(data: bytes, reason: str, settings: Settings) -> None:
    result = check_bytes(data, settings, TODAY, path="in.xml")
    assert (result.decision.value, result.reasons) == ("invalid", [reason])
    assert result.findings and result.findings[0].rule == reason


def test_duplicates_inside_one_run(settings: Settings, tmp_path: Path) -> None:
    sample = need(SAMPLES / "route" / "finvoice-3.0.xml")
    (tmp_path / "a.xml").write_bytes(sample.read_bytes())
    (tmp_path / "b.xml").write_bytes(sample.read_bytes())
    policy = Policy(today=TODAY, settings=settings)
    checker = Checker(policy)
    first, second = list(checker.check_paths([tmp_path / "a.xml", tmp_path / "b.xml"]))
    assert first.decision.value == "route"
    assert second.reasons == ["duplicate-number"]
    assert str(tmp_path / "a.xml") in (second.findings[0].detail or "")


def test_an_errored_invoice_does_not_count_as_an_assignment(
    settings: Settings, tmp_path: Path, variant
) -> None:  # type: ignore[no-untyped-def]
    sample = need(SAMPLES / "route" / "finvoice-3.0.xml")
    (tmp_path / "a.xml").write_bytes(
        variant(
            sample,
            ("//EpiDateOptionDate", "text", "20261202"),
            ("//InvoiceDueDate", "text", "20261202"),
        )
    )
    (tmp_path / "b.xml").write_bytes(sample.read_bytes())
    checker = Checker(Policy(today=TODAY, settings=settings))
    first, second = list(checker.check_paths([tmp_path / "a.xml", tmp_path / "b.xml"]))
    assert first.reasons == ["due-date-too-soon"]
    assert second.decision.value == "route"


def test_framed_file_with_two_invoices(settings: Settings) -> None:
    sample = need(SAMPLES / "route" / "finvoice-3.0-soap-frame.xml")
    data = sample.read_bytes()
    one = check_bytes(data, settings, TODAY)
    assert one.decision.value == "route" and one.document is None
    two = check_bytes_all(data + b"\n" + data, settings, TODAY)
    assert [r.document for r in two] == [1, 2]
    assert two[1].reasons == ["duplicate-number"]


def test_the_steps_table_is_specs_order() -> None:
    """SPEC §2 in one table: what the document is, whether the service takes its format,
    whether it can be read, then the bypass checks on the invoice, in the bypass table's order."""
    from kassavirta.decision import STEPS
    from kassavirta.findings import Decision

    assert [(s.slug, s.decision) for s in STEPS] == [
        ("not-an-invoice", Decision.INVALID),
        ("unknown-format", Decision.INVALID),
        ("unsupported-format", Decision.BYPASS),
        ("unadapted-format", Decision.INVALID),
        ("schema", Decision.INVALID),
        ("unreadable-field", Decision.INVALID),
        ("non-eur", Decision.BYPASS),
        ("perinta-service", Decision.BYPASS),
        ("consumer-transition", Decision.BYPASS),
        ("service-inactive", Decision.BYPASS),
    ]
    assert all(s.summary.endswith(".") for s in STEPS)


def test_the_outcome_carries_the_document_and_the_adapted_invoice(settings: Settings) -> None:
    sample = need(SAMPLES / "route" / "finvoice-3.0.xml")
    outcome = Checker(Policy(today=TODAY, settings=settings)).outcomes(sample.read_bytes())[0]
    assert outcome.result.decision.value == "route"
    assert outcome.document is not None and outcome.document.part.root.tag == "Finvoice"
    assert outcome.invoice is not None and outcome.invoice.number == outcome.result.invoice.number  # type: ignore[union-attr]
    unreadable = Checker(Policy(today=TODAY)).outcomes(b"<Finvoice")[0]
    assert unreadable.document is None and unreadable.invoice is None
