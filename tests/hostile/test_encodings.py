"""Issue 16, encodings: what `check` reads, `rewrite` and `preview` write (the same bytes
back in the same encoding and byte-order mark), and a wide document's parse error says
what it is, not "no element outside comments".

The UTF-32 invoices are made from a sample in a temporary folder.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from helpers import SAMPLES, TODAY, TODAY_ISO
from kassavirta.cli import main

SOURCE = SAMPLES / "route" / "cii.xml"
SETTINGS = str(SAMPLES / "settings.json")
SERVICE_IBAN = "FI5515725137790445"

WIDE = {
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}


def _wide_invoice(tmp_path: Path, codec: str, bom: bytes, *, broken: bool = False) -> Path:
    name = codec.upper()[:6]
    text = SOURCE.read_text(encoding="utf-8").replace('encoding="UTF-8"', f'encoding="{name}"')
    if broken:  # an end tag that does not match, well before the end
        text = text.replace("</ram:ID>", "</ram:Nothing>", 1)
    path = tmp_path / f"{codec}.xml"
    path.write_bytes(bom + text.encode(codec))
    return path


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    args = ["check", "--no-config", "--settings", SETTINGS, "--today", TODAY_ISO, "-O", "json"]
    main([*args, str(path)])
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


@pytest.mark.parametrize("codec", list(WIDE))
def test_check_rewrite_and_preview_agree_on_utf32(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], codec: str
) -> None:
    invoice = _wide_invoice(tmp_path, codec, WIDE[codec])
    (result,) = _check(invoice, capsys)["results"]  # type: ignore[misc]
    assert result["decision"] == "route"
    common = ["--no-config", "--settings", SETTINGS, "--today", TODAY_ISO]
    out = tmp_path / "out.xml"
    assert main(["rewrite", str(invoice), *common, "-o", str(out)]) == 0
    written = out.read_bytes()
    assert written.startswith(WIDE[codec])
    text = written[len(WIDE[codec]) :].decode(codec)
    assert SERVICE_IBAN in text and text.startswith('<?xml version="1.0"')
    (again,) = _check(out, capsys)["results"]  # type: ignore[misc]
    assert again["decision"] == "route"
    html = tmp_path / "out.html"
    assert main(["preview", str(invoice), *common, "-o", str(html)]) == 0
    assert SERVICE_IBAN[:4] in html.read_text(encoding="utf-8")
    assert "Traceback" not in capsys.readouterr().err


def test_the_rewrite_api_takes_utf32_too() -> None:
    """The function behind POST /v1/rewrite: a SourceError there was an HTTP 500."""
    from kassavirta.config.policy import RunOptions, build_policy
    from kassavirta.rewrite import rewrite_document

    text = SOURCE.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-32"')
    data = codecs.BOM_UTF32_LE + text.encode("utf-32-le")
    policy = build_policy(RunOptions(settings=Path(SETTINGS)), today=TODAY)
    result = rewrite_document(data, policy)
    assert result.routed and result.data.startswith(codecs.BOM_UTF32_LE)
    assert SERVICE_IBAN in result.data[4:].decode("utf-32-le")


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
    ],
)
def test_a_wide_parse_error_names_the_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], codec: str, bom: bytes
) -> None:
    invoice = _wide_invoice(tmp_path, codec, bom, broken=True)
    (result,) = _check(invoice, capsys)["results"]  # type: ignore[misc]
    assert result["decision"] == "invalid"
    (finding,) = result["findings"]
    wide = codec.upper()[:6]
    assert finding["message"].startswith(f"the {wide} document is not well-formed (Opening and")
    assert "no element outside comments" not in finding["message"]
