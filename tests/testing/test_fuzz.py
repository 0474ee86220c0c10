"""Fuzzing the public entry points: no exception escapes but the typed errors of kassavirta.errors.

Bounded here (the `kassavirta-ci` hypothesis profile); `python benchmarks/fuzz.py
--seconds 600` runs the same targets for as long as asked.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kassavirta.errors import InputError
from kassavirta.findings import Decision
from kassavirta.formats.finvoice.write import example_spec, render
from kassavirta.testing.fuzz import (
    FuzzFailure,
    check_target,
    mutated_invoices,
    rewrite_target,
    xmlish_bytes,
)
from kassavirta.testing.profiles import profile


@profile(scale=4)
@given(data=st.binary(max_size=4096))
@example(data=b"")
@example(data=b"\x00")
@example(data=b"\xef\xbb\xbf")
@example(data=b"<")
def test_raw_bytes_never_raise(data: bytes) -> None:
    result = check_target(data)
    assert result is not None and result.decision is Decision.INVALID


@profile(scale=4)
@given(data=xmlish_bytes())
def test_xml_token_soup_never_raises(data: bytes) -> None:
    result = check_target(data)
    assert result is None or result.decision in Decision


@profile(scale=2)
@given(data=mutated_invoices())
def test_mutated_invoices_never_raise_in_the_check(data: bytes) -> None:
    result = check_target(data)
    assert result is None or result.decision in Decision


@profile(scale=2)
@given(data=mutated_invoices())
def test_mutated_invoices_never_raise_in_the_rewrite(data: bytes) -> None:
    rewrite_target(data)


def test_an_untyped_exception_is_a_fuzz_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """The targets do catch what they must catch, and only that."""
    import kassavirta

    def broken(*args: object, **kwargs: object) -> object:
        raise ZeroDivisionError("a bug")

    def typed(*args: object, **kwargs: object) -> object:
        raise InputError("not-xml", "typed")

    monkeypatch.setattr(kassavirta, "check_bytes", broken)
    with pytest.raises(FuzzFailure, match="ZeroDivisionError escaped"):
        check_target(b"<x/>")
    monkeypatch.setattr(kassavirta, "check_bytes", typed)
    assert check_target(b"<x/>") is None


def test_the_unmutated_invoice_routes_and_rewrites() -> None:
    """The mutations start from invoices the targets accept, so a mutation is what they see."""
    data = render(example_spec(date(2026, 12, 1)))
    assert check_target(data).decision is Decision.ROUTE
    assert rewrite_target(data).rewritten


def test_a_rewriter_whose_output_does_not_parse_is_a_fuzz_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refusal (RewriteError) is an answer; output that does not parse is a rewriter's bug."""
    import kassavirta.formats.finvoice.rewrite as finvoice_rewrite
    from kassavirta.rewrite import PartRewrite

    def broken(source: bytes, *args: object) -> PartRewrite:
        return PartRewrite(source.replace(b"</Finvoice>", b"</Finvo"))

    data = render(example_spec(date(2026, 12, 1)))
    monkeypatch.setattr(finvoice_rewrite, "rewrite", broken)
    with pytest.raises(FuzzFailure, match="OutputError escaped"):
        rewrite_target(data)
