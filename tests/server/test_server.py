"""`kassavirta serve`: a real server on a free loopback port, called over HTTP with httpx.

Three servers, each started with the command line an operator would type:
`main` (settings, a ledger, small limits), `locked` (a token, a tiny body
limit and time limit, no settings and no ledger) and short-lived ones for
workers, shutdown, the ledger reload and schemas.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, SAMPLES, TODAY_ISO

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from kassavirta.server.launch import ServerProcess  # noqa: E402

SETTINGS = SAMPLES / "settings.json"
ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"
ROUTE_LATIN1 = SAMPLES / "route" / "finvoice-3.0-iso-8859-1.xml"
ROUTE_BOM = SAMPLES / "route" / "finvoice-2.01-utf8-bom.xml"
ERROR_TWO = SAMPLES / "error" / "finvoice-3.0-address-incomplete-due-date-too-soon.xml"
ERROR_SUM = SAMPLES / "error" / "finvoice-3.0-sum-mismatch.xml"
UNSAFE = SAMPLES / "invalid" / "finvoice-3.0-unsafe-xml.xml"
OPEN_ASSIGNMENT = "21857b76-79ea-5f1b-8f0a-1cf5aad1315a"  # 2026-5001, open, part paid
CLOSED_ASSIGNMENT = "94f7aeb9-c45c-58bc-8402-69f3764c0d59"

MAX_BYTES = 256 * 1024
MAX_FILES = 30
MAX_UNPACKED = 100_000
TOKEN = "s3cret-Token_for-tests"

XML = {"Content-Type": "application/xml"}
Q = {"today": TODAY_ISO}


def _isolated_env(tmp: Path) -> dict[str, str | None]:
    return {"XDG_DATA_HOME": str(tmp / "xdg"), "KASSAVIRTA_SCHEMAS": None}


def _make_ledger(tmp: Path, assignments: Path = SAMPLES / "assignments.json") -> Path:
    ledger = tmp / "ledger.sqlite3"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kassavirta.cli",
            "ledger",
            "import",
            str(assignments),
            "--ledger",
            str(ledger),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "XDG_DATA_HOME": str(tmp / "xdg")},
    )
    return ledger


@pytest.fixture(scope="module")
def main(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("server-main")
    ledger = _make_ledger(tmp)
    args = ["--settings", str(SETTINGS), "--ledger", str(ledger), "--no-config"]
    args += ["--max-bytes", str(MAX_BYTES), "--max-files", str(MAX_FILES)]
    args += ["--max-unpacked-bytes", str(MAX_UNPACKED)]
    with ServerProcess(args, cwd=tmp, env=_isolated_env(tmp)) as server:
        yield server


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("server-locked")
    token_file = tmp / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    args = ["--token-file", str(token_file), "--max-bytes", "4096", "--timeout", "1.5"]
    with ServerProcess([*args, "--no-config"], cwd=tmp, env=_isolated_env(tmp)) as server:
        yield server


@pytest.fixture
def api(main: ServerProcess) -> Iterator[Any]:
    with httpx.Client(base_url=main.url, timeout=60) as client:
        yield client


@pytest.fixture
def locked_api(locked: ServerProcess) -> Iterator[Any]:
    with httpx.Client(base_url=locked.url, timeout=60) as client:
        yield client


def _cli_json(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "kassavirta.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode in (0, 1), done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _without_path(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "path"}


def _post_invoice(api: Any, route: str, invoice: Path | bytes, accept: str | None = None) -> Any:
    """POST one invoice as the raw XML body on the tests' sending date (with `Accept` if given)."""
    data = invoice.read_bytes() if isinstance(invoice, Path) else invoice
    return api.post(
        route, params=Q, content=data, headers={**XML, "Accept": accept} if accept else XML
    )


def _cli_check(*files: Path) -> dict[str, Any]:
    """What `kassavirta check --output json` says about `files` under the server's settings."""
    return _cli_json(
        "check", *map(str, files), "--output", "json", "--settings", str(SETTINGS),
        "--today", TODAY_ISO, "--no-config",
    )  # fmt: skip


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- POST /v1/check ----------------------------------------------------------------------------


def test_check_gives_the_cli_result_for_one_file(api: Any) -> None:
    cli = _cli_check(ROUTE)
    answer = _post_invoice(api, "/v1/check", ROUTE)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["kassavirta-decision"] == "route"
    assert answer.headers["kassavirta-today"] == TODAY_ISO
    body = answer.json()
    assert body["decision"] == "route"
    assert body["path"] == "<body>"
    assert _without_path(body) == _without_path(cli["results"][0])


def test_check_a_rejected_invoice_is_a_200_with_every_reason(api: Any) -> None:
    cli = _cli_check(ERROR_TWO)
    with ERROR_TWO.open("rb") as handle:
        answer = api.post("/v1/check", params=Q, files={"file": (ERROR_TWO.name, handle)})
    assert answer.status_code == 200
    body = answer.json()
    assert body["decision"] == "error"
    assert body["reasons"] == ["address-incomplete", "due-date-too-soon"]
    assert body["path"] == ERROR_TWO.name
    codes = {f["rule"]: f["service_code"] for f in body["findings"]}
    assert codes == {"address-incomplete": 5, "due-date-too-soon": 13}
    assert _without_path(body) == _without_path(cli["results"][0])


def test_check_takes_the_sending_date_and_channel_from_the_query(api: Any) -> None:
    data = ROUTE.read_bytes()  # due 2026-12-15
    late = api.post("/v1/check", params={"today": "2026-12-14"}, content=data, headers=XML)
    assert late.json()["reasons"] == ["due-date-too-soon"]
    given = api.post("/v1/check", params={**Q, "channel": "b2c-other"}, content=data, headers=XML)
    invoice = given.json()["invoice"]
    assert invoice["channel"] == "b2c-other"
    assert invoice["channel_signals"] == ["channel given explicitly: b2c-other"]


def test_check_and_batch_take_the_manual_assignment_mode_from_the_query(api: Any) -> None:
    """As `check --manual-assignment`: one day before the due date a sent invoice is refused
    (#13), a manual assignment needs only a due date in the future, and carries its note."""
    data = ROUTE.read_bytes()  # due 2026-12-15
    day_before = {"today": "2026-12-14"}
    sent = api.post("/v1/check", params=day_before, content=data, headers=XML)
    assert sent.json()["reasons"] == ["due-date-too-soon"]
    manual = api.post(
        "/v1/check", params={**day_before, "manual_assignment": "true"}, content=data, headers=XML
    )
    body = manual.json()
    assert (manual.headers["kassavirta-decision"], body["reasons"]) == ("route", [])
    assert "manual-assignment" in [f["rule"] for f in body["findings"]]
    files = {"file": (ROUTE.name, data)}
    batch = api.post(
        "/v1/check/batch", params={**day_before, "manual_assignment": "true"}, files=files
    )
    [result] = batch.json()["results"]
    assert result["decision"] == "route"
    assert "manual-assignment" in [f["rule"] for f in result["findings"]]


@pytest.mark.parametrize("sample", [ROUTE_LATIN1, ROUTE_BOM], ids=["iso-8859-1", "utf-8-bom"])
def test_check_reads_any_encoding_as_sent(api: Any, sample: Path) -> None:
    answer = _post_invoice(api, "/v1/check", sample)
    assert answer.json()["decision"] == "route"


@pytest.mark.parametrize("body", [b"this is no invoice", b"", b"<Finvoice Version="])
def test_check_not_xml_is_a_decision_not_an_error(api: Any, body: bytes) -> None:
    answer = api.post("/v1/check", params=Q, content=body, headers=XML)
    assert answer.status_code == 200
    assert answer.json()["decision"] == "invalid"
    assert answer.json()["reasons"] == ["not-xml"]


HOSTILE = {
    "billion-laughs": b"""<?xml version="1.0"?>
<!DOCTYPE Finvoice [
 <!ENTITY a "ha">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<Finvoice Version="3.0"><InvoiceDetails><InvoiceNumber>&d;</InvoiceNumber></InvoiceDetails></Finvoice>""",
    "external-entity": b"""<?xml version="1.0"?>
<!DOCTYPE Finvoice [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Finvoice Version="3.0"><InvoiceDetails><InvoiceNumber>&secret;</InvoiceNumber></InvoiceDetails></Finvoice>""",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_hostile_xml_is_refused_unread(api: Any, name: str) -> None:
    answer = api.post("/v1/check", params=Q, content=HOSTILE[name], headers=XML)
    assert answer.status_code == 200
    body = answer.json()
    assert body["decision"] == "invalid"
    assert body["reasons"] == ["unsafe-xml"]
    assert "root:" not in answer.text
    assert "hahaha" not in answer.text


def test_check_the_unsafe_sample(api: Any) -> None:
    answer = _post_invoice(api, "/v1/check", UNSAFE)
    assert answer.json()["reasons"] == ["unsafe-xml"]


@pytest.mark.parametrize(
    ("kwargs", "status", "error"),
    [
        ({"content": b""}, 400, "no-body"),
        ({"content": b"{}", "headers": {"Content-Type": "application/json"}}, 415, None),
        ({"content": b"PK", "headers": {"Content-Type": "application/zip"}}, 415, None),
        ({"files": {"a": ("a.xml", b"<a/>"), "b": ("b.xml", b"<b/>")}}, 400, "several-files"),
        ({"data": {"note": "no file here"}, "files": {}}, None, None),
        (
            {
                "content": b"--x\r\nbroken",
                "headers": {"Content-Type": "multipart/form-data; boundary=x"},
            },
            400,
            None,
        ),
    ],
    ids=["no-body", "json", "zip", "two-files", "no-file", "broken-multipart"],
)
def test_check_malformed_requests(
    api: Any, kwargs: dict[str, Any], status: int | None, error: str | None
) -> None:
    if "data" in kwargs:  # a multipart form with fields but no file
        answer = api.post(
            "/v1/check",
            params=Q,
            content=b'--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--x--\r\n',
            headers={"Content-Type": "multipart/form-data; boundary=x"},
        )
        status, error = 400, "no-file"
    else:
        answer = api.post("/v1/check", params=Q, **kwargs)
    assert answer.status_code == status, answer.text
    problem = answer.json()
    assert set(problem) == {"error", "detail"}
    if error:
        assert problem["error"] == error


@pytest.mark.parametrize(
    "params", [{"today": "2026-13-01"}, {"today": "tomorrow"}, {"channel": "pigeon"}]
)
def test_check_bad_query_values_are_400(api: Any, params: dict[str, str]) -> None:
    answer = api.post("/v1/check", params=params, content=ROUTE.read_bytes(), headers=XML)
    assert answer.status_code == 400
    assert answer.json()["error"] == "bad-request"
    assert next(iter(params)) in answer.json()["detail"]


def test_check_body_over_the_limit_is_413_by_its_length(api: Any) -> None:
    body = b"<a>" + b"x" * MAX_BYTES + b"</a>"
    answer = api.post("/v1/check", content=body, headers=XML)
    assert answer.status_code == 413
    assert answer.json()["error"] == "payload-too-large"


def test_check_body_over_the_limit_is_413_while_it_streams(api: Any) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        nonlocal sent
        for _ in range(64):
            sent += 16384
            yield b"x" * 16384

    answer = api.post("/v1/check", content=chunks(), headers=XML)
    assert answer.status_code == 413
    assert sent > MAX_BYTES


def test_check_a_file_with_two_invoices_answers_the_one_that_is_not_routed(api: Any) -> None:
    framed = (SAMPLES / "route" / "finvoice-3.0-soap-frame.xml").read_bytes()
    answer = api.post("/v1/check", params=Q, content=framed, headers=XML)
    assert (answer.headers["kassavirta-invoices"], answer.json()["decision"]) == ("1", "route")
    # Two frame + invoice pairs of the same invoice: the second repeats the first's number.
    twice = api.post("/v1/check", params=Q, content=framed + b"\n" + framed, headers=XML)
    assert twice.headers["kassavirta-invoices"] == "2"
    body = twice.json()
    assert (body["document"], body["decision"], body["reasons"]) == (
        2,
        "error",
        ["duplicate-number"],
    )


# --- POST /v1/check/batch -----------------------------------------------------------------------


def test_batch_of_uploads_is_the_cli_document_with_in_run_duplicates(api: Any) -> None:
    files = [
        ("files", ("a.xml", ROUTE.read_bytes())),
        ("files", ("b.xml", ERROR_SUM.read_bytes())),
        ("files", ("c.xml", ROUTE.read_bytes())),  # the same invoice again: a duplicate
    ]
    answer = api.post("/v1/check/batch", params=Q, files=files)
    assert answer.status_code == 200
    doc = answer.json()
    assert [r["path"] for r in doc["results"]] == ["a.xml", "b.xml", "c.xml"]
    assert [r["decision"] for r in doc["results"]] == ["route", "error", "error"]
    assert doc["results"][2]["reasons"] == ["duplicate-number"]
    summary = doc["summary"]
    assert (summary["files"], summary["route"], summary["error"]) == (3, 1, 2)
    cli = _cli_check(ROUTE, ERROR_SUM)
    assert [_without_path(r) for r in doc["results"][:2]] == [
        _without_path(r) for r in cli["results"]
    ]
    # `config` says what a command-line run used; a server states its own in GET /readyz.
    assert set(doc["summary"]) == set(cli["summary"]) - {"config"}


def test_batch_zip_in_name_order_skipping_what_is_not_an_invoice(api: Any) -> None:
    archive = _zip(
        {
            "b/second.xml": ERROR_SUM.read_bytes(),
            "a/first.xml": ROUTE.read_bytes(),
            "README.txt": b"not an invoice",
            "__MACOSX/a/._first.xml": b"\x00\x05\x16\x07",
            "empty/": b"",
        }
    )
    answer = api.post(
        "/v1/check/batch", params=Q, content=archive, headers={"Content-Type": "application/zip"}
    )
    assert answer.status_code == 200
    doc = answer.json()
    assert [r["path"] for r in doc["results"]] == ["a/first.xml", "b/second.xml"]
    assert [r["decision"] for r in doc["results"]] == ["route", "error"]
    assert any("1 member(s)" in note for note in doc["summary"]["notes"])


def test_batch_zip_part_among_uploads(api: Any) -> None:
    files = [
        ("files", ("one.xml", ROUTE_LATIN1.read_bytes())),
        ("files", ("more.zip", _zip({"two.xml": ERROR_TWO.read_bytes()}))),
    ]
    doc = api.post("/v1/check/batch", params=Q, files=files).json()
    assert [r["path"] for r in doc["results"]] == ["one.xml", "more.zip/two.xml"]


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/evil.xml", "a/../../evil.xml", "a\\b.xml"])
def test_batch_zip_with_a_climbing_name_is_refused(api: Any, name: str) -> None:
    archive = _zip({"fine.xml": ROUTE.read_bytes(), name: ROUTE.read_bytes()})
    answer = api.post(
        "/v1/check/batch", content=archive, headers={"Content-Type": "application/zip"}
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsafe-zip"


def test_batch_zip_member_count_is_limited(api: Any) -> None:
    archive = _zip({f"{n:03}.xml": b"<a/>" for n in range(MAX_FILES + 1)})
    answer = api.post(
        "/v1/check/batch", content=archive, headers={"Content-Type": "application/zip"}
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "too-many-files"


def test_batch_zip_unpacked_size_is_limited(api: Any) -> None:
    member = ROUTE.read_bytes()
    count = MAX_UNPACKED // len(member) + 1
    archive = _zip({f"{n:03}.xml": member for n in range(count)})
    assert len(archive) < MAX_BYTES
    answer = api.post(
        "/v1/check/batch", content=archive, headers={"Content-Type": "application/zip"}
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "unpacked-too-large"


def test_batch_zip_bomb_member_is_an_invalid_result_not_unpacked(api: Any) -> None:
    archive = _zip({"bomb.xml": b"<a>" + b"0" * (MAX_BYTES * 4) + b"</a>"})
    assert len(archive) < 10_000
    answer = api.post(
        "/v1/check/batch", content=archive, headers={"Content-Type": "application/zip"}
    )
    assert answer.status_code == 200
    result = answer.json()["results"][0]
    assert (result["decision"], result["reasons"]) == ("invalid", ["unsafe-xml"])


def test_batch_encrypted_member_is_an_invalid_result(api: Any) -> None:
    archive = bytearray(_zip({"locked.xml": ROUTE.read_bytes()}))
    # Set the "encrypted" flag in the local header (offset 6) and the central directory (8).
    archive[6] |= 0x01
    central = archive.rfind(b"PK\x01\x02")
    archive[central + 8] |= 0x01
    answer = api.post(
        "/v1/check/batch", content=bytes(archive), headers={"Content-Type": "application/zip"}
    )
    assert answer.status_code == 200
    result = answer.json()["results"][0]
    assert result["decision"] == "invalid"
    assert "encrypted" in result["findings"][0]["message"]


@pytest.mark.parametrize(
    ("content", "headers", "status", "error"),
    [
        (b"not a zip", {"Content-Type": "application/zip"}, 400, "bad-zip"),
        (_zip({"notes.txt": b"hi"}), {"Content-Type": "application/zip"}, 400, "no-invoices"),
        (b"{}", {"Content-Type": "application/json"}, 415, "unsupported-media-type"),
        (b"", XML, 400, "no-invoices"),
    ],
    ids=["bad-zip", "no-xml-in-zip", "json", "empty"],
)
def test_batch_malformed_requests(
    api: Any, content: bytes, headers: dict[str, str], status: int, error: str
) -> None:
    answer = api.post("/v1/check/batch", content=content, headers=headers)
    assert answer.status_code == status
    assert answer.json()["error"] == error


def test_batch_upload_count_is_limited(api: Any) -> None:
    files = [("files", (f"{n}.xml", b"<a/>")) for n in range(MAX_FILES + 1)]
    answer = api.post("/v1/check/batch", files=files)
    assert (answer.status_code, answer.json()["error"]) == (413, "too-many-files")
    answer = api.post("/v1/check/batch", params=Q, files=files[:MAX_FILES])
    assert answer.json()["summary"]["files"] == MAX_FILES


# --- POST /v1/rewrite ----------------------------------------------------------------------------


def _policy(today: str = TODAY_ISO) -> Any:
    from kassavirta.config.policy import RunOptions, build_policy

    return build_policy(RunOptions(settings=SETTINGS), today=date.fromisoformat(today))


def test_rewrite_answers_the_rewritten_bytes(api: Any) -> None:
    from kassavirta.rewrite import rewrite_document

    data = ROUTE_LATIN1.read_bytes()
    answer = _post_invoice(api, "/v1/rewrite", data)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/xml"
    assert answer.headers["kassavirta-rewritten"] == "true"
    expected = rewrite_document(data, _policy())
    assert answer.content == expected.data
    assert answer.content != data


def test_rewrite_as_json_has_the_diff_and_the_text(api: Any) -> None:
    from kassavirta.rewrite import rewrite_document

    data = ROUTE_LATIN1.read_bytes()
    answer = _post_invoice(api, "/v1/rewrite", data, "application/json")
    assert answer.status_code == 200
    body = answer.json()
    expected = rewrite_document(data, _policy())
    assert body["decision"] == "route"
    assert body["changes"] == [c.as_dict() | {"document": c.document} for c in expected.changes]
    assert body["notes"] == expected.notes
    assert body["encoding"].upper() == "ISO-8859-1"
    assert body["xml"].encode("iso-8859-1") == expected.data
    assert "FI5515725137790445" in body["xml"]  # the service's account from the settings


def test_rewrite_refuses_what_is_not_routed_with_the_decision(api: Any) -> None:
    answer = _post_invoice(api, "/v1/rewrite", ERROR_SUM, "application/json")
    assert answer.status_code == 409
    body = answer.json()
    assert body["decision"] == "error"
    assert body["reasons"] == ["sum-mismatch"]
    assert body["rewritten"] is False
    assert body["findings"][0]["rule"] == "sum-mismatch"
    assert body["results"][0]["decision"] == "error"


def test_rewrite_that_cannot_be_made_is_422(tmp_path: Path) -> None:
    """Routed, but the settings name no BIC and the service account's bank is unknown."""
    settings = json.loads(SETTINGS.read_text(encoding="utf-8"))
    settings["vfsfi"] = {**settings["vfsfi"], "iban": "FI9399900123456785", "bic": ""}
    odd = tmp_path / "settings.json"
    odd.write_text(json.dumps(settings), encoding="utf-8")
    args = ["--settings", str(odd), "--no-config"]
    with (
        ServerProcess(args, cwd=tmp_path, env=_isolated_env(tmp_path)) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        check = client.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
        assert check.json()["decision"] == "route"
        for route in ("/v1/rewrite", "/v1/preview"):
            answer = client.post(route, params=Q, content=ROUTE.read_bytes(), headers=XML)
            assert answer.status_code == 422, route
            assert answer.json()["error"] == "cannot-rewrite"
            assert "FI9399900123456785" in answer.json()["detail"]


def test_rewrite_honours_accept(api: Any) -> None:
    answer = _post_invoice(api, "/v1/rewrite", ROUTE, "image/png")
    assert answer.status_code == 406
    prefers_json = {**XML, "Accept": "application/xml;q=0.5, application/json"}
    answer = api.post("/v1/rewrite", params=Q, content=ROUTE.read_bytes(), headers=prefers_json)
    assert answer.headers["content-type"] == "application/json"


# --- POST /v1/preview ---------------------------------------------------------------------------


def test_preview_pdf_by_default(api: Any) -> None:
    answer = _post_invoice(api, "/v1/preview", ROUTE)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")


def test_preview_html_by_accept(api: Any) -> None:
    answer = _post_invoice(api, "/v1/preview", ROUTE, "text/html")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert "2026-4101" in answer.text  # the invoice number
    assert "<script" not in answer.text


def test_preview_refuses_what_is_not_routed(api: Any) -> None:
    answer = _post_invoice(api, "/v1/preview", ERROR_TWO)
    assert answer.status_code == 409
    assert answer.json()["reasons"] == ["address-incomplete", "due-date-too-soon"]
    answer = _post_invoice(api, "/v1/preview", ROUTE, "application/json")
    assert answer.status_code == 406


# --- events, schedule ------------------------------------------------------------------------------


def test_event_validate_accepts_and_refuses_like_the_cli(api: Any) -> None:
    paid = {"type": "paid", "data": {"sum_paid": 200.5, "booked_at": "2026-12-04"}}
    answer = api.post("/v1/events/validate", json={"assignment_id": OPEN_ASSIGNMENT, "event": paid})
    assert answer.status_code == 200
    assert answer.json()["accepted"] is True
    assert answer.json()["party"] == "company"
    wrong = {"type": "reminder_sent", "data": {}}
    answer = api.post(
        "/v1/events/validate", json={"assignment_id": OPEN_ASSIGNMENT, "event": wrong}
    )
    assert (answer.json()["accepted"], answer.json()["rule"]) == (False, "wrong-party")
    answer = api.post(
        "/v1/events/validate", json={"assignment_id": CLOSED_ASSIGNMENT, "event": paid}
    )
    assert (answer.json()["accepted"], answer.json()["rule"]) == (False, "closed")
    by_service = api.post(
        "/v1/events/validate",
        json={"assignment_id": OPEN_ASSIGNMENT, "event": wrong, "party": "service"},
    )
    assert by_service.json()["rule"] != "wrong-party"


def test_event_validate_gives_notes_and_judges_dates_on_the_servers_today(api: Any) -> None:
    reminded = "3409b0b7-b332-51a0-8e81-a9ccad4600fb"  # 2026-5012, reminder_sent
    cancel = {"type": "cancel", "data": {}}
    answer = api.post("/v1/events/validate", json={"assignment_id": reminded, "event": cancel})
    assert answer.json()["accepted"] is True
    assert [n for n in answer.json()["notes"] if "cancellation fee" in n]
    fresh = api.post(
        "/v1/events/validate",
        json={
            "assignment_id": OPEN_ASSIGNMENT,
            "event": {"type": "comment", "data": {"comment": "?"}},
        },
    )
    assert fresh.json()["notes"] == []
    past = {"type": "due_date_change_request", "data": {"due_date": "2000-01-01"}}
    answer = api.post("/v1/events/validate", json={"assignment_id": OPEN_ASSIGNMENT, "event": past})
    assert (answer.json()["accepted"], answer.json()["rule"]) == (False, "due-date-not-future")


def test_event_validate_unknown_assignment_and_bad_bodies(api: Any) -> None:
    event = {"type": "paid", "data": {"sum_paid": 1, "booked_at": "2026-12-04"}}
    answer = api.post("/v1/events/validate", json={"assignment_id": "nope", "event": event})
    assert (answer.status_code, answer.json()["error"]) == (404, "unknown-assignment")
    for body in ({"event": event}, {"assignment_id": "x", "event": {"data": {}}}, [1, 2]):
        answer = api.post("/v1/events/validate", json=body)
        assert (answer.status_code, answer.json()["error"]) == (400, "bad-request")
    answer = api.post(
        "/v1/events/validate",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400


def test_schedule_business_and_consumer(api: Any) -> None:
    b2b = api.get("/v1/schedule", params={"due_date": "2026-12-15", "business_id": "2589381-0"})
    assert b2b.status_code == 200
    body = b2b.json()
    assert body["customer"] == "b2b"
    # due + 10 days is Christmas Day, 2026-12-25: moved to the next business day.
    assert body["steps"][0] == {
        "step": "reminder",
        "date": "2026-12-28",
        "counted_from": "2026-12-15",
        "days": 10,
        "moved_from": "2026-12-25",
        "source": "guide",
    }
    assert [s["source"] for s in body["steps"][1:]] == ["assumed", "assumed"]
    b2c = api.get("/v1/schedule", params={"due_date": "2026-12-15"}).json()
    assert b2c["customer"] == "b2c"
    assert (b2c["steps"][0]["days"], b2c["steps"][0]["source"]) == (14, "guide")
    forced = api.get("/v1/schedule", params={"due_date": "2026-12-15", "customer": "b2b"})
    assert forced.json()["customer"] == "b2b"


@pytest.mark.parametrize(
    "params",
    [{}, {"due_date": "15.12.2026"}, {"due_date": "2026-12-15", "customer": "b2x"}],
)
def test_schedule_bad_queries(api: Any, params: dict[str, str]) -> None:
    answer = api.get("/v1/schedule", params=params)
    assert answer.status_code == 400


def test_schedule_at_the_end_of_the_calendar(api: Any) -> None:
    answer = api.get("/v1/schedule", params={"due_date": "9999-12-30"})
    assert answer.status_code == 400


# --- probes, OpenAPI, page, log -------------------------------------------------------------------


def test_probes(api: Any) -> None:
    health = api.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    ready = api.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True
    assert body["settings"].startswith("ACTIVE")
    assert body["ledger"].startswith("schema version")


def test_openapi_document_describes_every_route_and_the_result_models(api: Any) -> None:
    doc = api.get("/openapi.json").json()
    assert set(doc["paths"]) == {
        "/v1/check",
        "/v1/check/batch",
        "/v1/rewrite",
        "/v1/preview",
        "/v1/events/validate",
        "/v1/schedule",
        "/v1/ledger/summary",
        "/healthz",
        "/readyz",
    }
    schemas = doc["components"]["schemas"]
    for name in (
        "CheckResult",
        "Finding",
        "Report",
        "Summary",
        "RewriteOutcome",
        "Problem",
        "LedgerSummary",
    ):
        assert name in schemas, name
    check = doc["paths"]["/v1/check"]["post"]
    assert check["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CheckResult"
    }
    assert {"application/xml", "multipart/form-data"} <= set(check["requestBody"]["content"])
    assert "securitySchemes" not in doc["components"]  # no token on this server
    assert api.get("/docs").status_code == 404  # its explorer would load code from a CDN


def test_page_is_served_offline_with_a_strict_policy(api: Any) -> None:
    page = api.get("/")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
    glossary = page.text.split('id="glossary">', 1)[1].split("</script>", 1)[0]
    words = json.loads(glossary)
    assert "due-date-too-soon" in words["reasons"]
    assert api.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert api.get("/static/../app.py").status_code == 404
    assert api.get("/static/nothing.js").status_code == 404


def test_access_log_is_json_without_invoice_content(api: Any, main: ServerProcess) -> None:
    answer = api.post(
        "/v1/check",
        params=Q,
        content=ERROR_TWO.read_bytes(),
        headers={**XML, "X-Request-ID": "erp-run-42"},
    )
    assert answer.headers["x-request-id"] == "erp-run-42"
    time.sleep(0.2)  # the log line is written after the answer
    records = main.log_records()
    mine = [r for r in records if r.get("request_id") == "erp-run-42"]
    assert len(mine) == 1
    line = mine[0]
    assert line["event"] == "request"
    assert (line["method"], line["path"], line["status"]) == ("POST", "/v1/check", 200)
    assert line["decision"] == "error"
    assert line["bytes_in"] == len(ERROR_TWO.read_bytes())
    text = main.log_text()
    for secret in ("2026-4114", "Rauman Venevarusteet", "2819427-3", ERROR_TWO.name):
        assert secret not in text
    assert any(r.get("event") == "start" for r in records)


def test_request_id_is_made_when_missing_or_unsafe(api: Any) -> None:
    answer = api.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert answer.headers["x-request-id"] != "bad id\twith spaces"
    assert len(answer.headers["x-request-id"]) == 32


# --- the locked server: token, limits ----------------------------------------------------------------


def test_token_is_needed_on_every_v1_route(locked_api: Any) -> None:
    routes = [
        ("POST", "/v1/check"),
        ("POST", "/v1/check/batch"),
        ("POST", "/v1/rewrite"),
        ("POST", "/v1/preview"),
        ("POST", "/v1/events/validate"),
        ("GET", "/v1/schedule?due_date=2026-12-15"),
    ]
    for method, path in routes:
        for auth in (None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"):
            headers = {"Authorization": auth} if auth else {}
            answer = locked_api.request(method, path, headers=headers, content=b"<a/>")
            assert answer.status_code == 401, (method, path, auth)
            assert answer.headers["www-authenticate"].startswith("Bearer")
            assert answer.json()["error"] == "unauthorized"
    answer = locked_api.get(
        "/v1/schedule",
        params={"due_date": "2026-12-15"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 200


def test_token_leaves_probes_page_and_openapi_open(locked_api: Any) -> None:
    for path in ("/healthz", "/readyz", "/", "/static/app.css", "/openapi.json"):
        assert locked_api.get(path).status_code == 200, path
    doc = locked_api.get("/openapi.json").json()
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["paths"]["/v1/check"]["post"]["security"] == [{"bearer": []}]
    assert "security" not in doc["paths"]["/healthz"]["get"]


def test_token_is_checked_before_the_body_is_read(locked_api: Any) -> None:
    answer = locked_api.post("/v1/check", content=b"x" * 100_000, headers=XML)
    assert answer.status_code == 401


def test_locked_server_without_settings_or_ledger(locked_api: Any) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    small = b'<?xml version="1.0"?><Finvoice Version="3.0"></Finvoice>'
    check = locked_api.post("/v1/check", content=small, headers={**XML, **auth})
    assert check.status_code == 200
    event = {"type": "paid", "data": {"sum_paid": 1, "booked_at": "2026-12-04"}}
    answer = locked_api.post(
        "/v1/events/validate", json={"assignment_id": "x", "event": event}, headers=auth
    )
    assert (answer.status_code, answer.json()["error"]) == (409, "no-ledger")
    summary = locked_api.get("/v1/ledger/summary", headers=auth)
    assert (summary.status_code, summary.json()["error"]) == (409, "no-ledger")
    assert locked_api.get("/v1/ledger/summary").status_code == 401
    assert '"ledger": false' in locked_api.get("/").text  # the page does not ask for it
    ready = locked_api.get("/readyz").json()
    assert ready["ready"] is True
    assert ready["settings"].startswith("none")
    assert ready["ledger"] is None


def test_locked_server_size_limit(locked_api: Any) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    answer = locked_api.post("/v1/check", content=ROUTE.read_bytes(), headers={**XML, **auth})
    assert len(ROUTE.read_bytes()) > 4096
    assert answer.status_code == 413


def test_slow_upload_runs_into_the_time_limit(locked_api: Any) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def trickle() -> Iterator[bytes]:
        yield b"<Finvoice"
        time.sleep(2.5)  # longer than the server's --timeout 1.5
        yield b"/>"

    answer = locked_api.post("/v1/check", content=trickle(), headers={**XML, **auth})
    assert answer.status_code == 408
    assert answer.json()["error"] == "request-timeout"


def test_time_limit_answers_503_for_work_that_runs_over() -> None:
    """The middleware alone, around an app whose work outlasts the limit."""
    from kassavirta.server.middleware import TimeLimit

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await asyncio.sleep(5)

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"<a/>", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def go() -> None:
        await TimeLimit(slow_app, 0.05)({"type": "http", "path": "/v1/check"}, receive, send)

    asyncio.run(go())
    assert sent[0]["status"] == 503
    assert json.loads(sent[1]["body"])["error"] == "timeout"


# --- processes: workers, shutdown, ledger reload, schemas ---------------------------------------------


def test_two_workers_each_load_once_and_answer(tmp_path: Path) -> None:
    args = ["--settings", str(SETTINGS), "--workers", "2", "--no-config"]
    with ServerProcess(args, cwd=tmp_path, env=_isolated_env(tmp_path)) as server:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for _ in range(4):
                answer = client.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
                assert answer.json()["decision"] == "route"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            starts = {r["pid"] for r in server.log_records() if r.get("event") == "start"}
            if len(starts) == 2:
                break
            time.sleep(0.1)
        assert len(starts) == 2


def test_graceful_shutdown_finishes_the_request_in_flight(tmp_path: Path) -> None:
    server = ServerProcess(
        ["--settings", str(SETTINGS), "--no-config"], cwd=tmp_path, env=_isolated_env(tmp_path)
    ).start()
    data = ROUTE.read_bytes()
    assert server.process is not None
    pid = server.process.pid

    def body() -> Iterator[bytes]:
        yield data[:100]
        # The head and the first bytes are sent; give the server time to read them, so the
        # request is in flight (a stop before the head is read closes the idle connection).
        time.sleep(0.5)
        os.kill(pid, signal.SIGTERM)  # the server is told to stop mid-request
        time.sleep(0.5)
        yield data[100:]

    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            answer = client.post("/v1/check", params=Q, content=body(), headers=XML)
        assert answer.status_code == 200
        assert answer.json()["decision"] == "route"
        assert server.process.wait(30) == 0  # a requested stop is a clean exit
        events = [r.get("event") for r in server.log_records()]
        assert events.index("stop") > events.index("request")
        with pytest.raises(httpx.TransportError):
            httpx.get(server.url + "/healthz", timeout=2)
    finally:
        server.stop()


@contextlib.contextmanager
def _ledger_server(tmp_path: Path) -> Iterator[httpx.Client]:
    """A server on the sample settings and a ledger of the sample assignments, and a client."""
    ledger = _make_ledger(tmp_path)
    args = ["--settings", str(SETTINGS), "--ledger", str(ledger), "--no-config"]
    with (
        ServerProcess(args, cwd=tmp_path, env=_isolated_env(tmp_path)) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        yield client


def test_ledger_changes_are_seen_without_a_restart(tmp_path: Path) -> None:
    with _ledger_server(tmp_path) as client:
        before = client.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
        assert before.json()["decision"] == "route"
        export = tmp_path / "later.json"
        export.write_text(
            json.dumps(
                [
                    {
                        "id": "later-1",
                        "number": "2026-4101",
                        "issued_at": "2026-11-20",
                        "status": "open",
                        "events": [],
                    }
                ]
            ),
            encoding="utf-8",
        )
        _make_ledger(tmp_path, export)
        after = client.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
        assert after.json()["reasons"] == ["duplicate-number"]
        # The ledger gone: not ready, and checks go on with the assignments read before.
        for leftover in tmp_path.glob("ledger.sqlite3*"):
            leftover.unlink()
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["ready"] is False
        assert ready.json()["ledger"] == "unreachable"
        still = client.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
        assert still.json()["reasons"] == ["duplicate-number"]


def _ledger_cli(ledger: str | Path, *args: str) -> Any:
    """What `kassavirta ledger ARGS --ledger LEDGER --output json` prints."""
    cli = [sys.executable, "-m", "kassavirta.cli", "ledger", *args]
    done = subprocess.run(
        [*cli, "--output", "json", "--ledger", str(ledger)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_ledger_summary_is_what_the_ledger_commands_say(api: Any, main: ServerProcess) -> None:
    """Issue 15 items 13 and 17: the comments to watch and the deliveries to reroute."""
    ledger = main.args[main.args.index("--ledger") + 1]
    summary = api.get("/v1/ledger/summary")
    assert summary.status_code == 200
    body = summary.json()
    assert body["unseen"] == _ledger_cli(ledger, "comments", "--unseen")
    assert (body["comments"], body["unseen_comments"]) == (2, 2)
    listed = _ledger_cli(ledger, "list", "--status", "open")
    expected = [
        {
            "assignment": row["id"],
            "number": row["number"],
            "invoice_date": row["issued_at"],
            "due_date": row["due_date"],
            "debtor": row["debtor"]["name"],
            "action_needed": row["action_needed"],
        }
        for row in listed
        if row["action_needed"]
    ]
    assert body["failed_deliveries"] == expected
    (failed,) = expected
    assert failed["number"] == "2026-5011"
    assert "Reroute it" in failed["action_needed"]
    assert "before its due date 2026-12-15" in failed["action_needed"]
    assert "the service closes the assignment" in failed["action_needed"]


def test_ledger_summary_in_the_docs_is_real_output(api: Any) -> None:
    """docs/server.md shows the answer on a ledger of the sample assignments, as here."""
    docs = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    section = docs.split("### `GET /v1/ledger/summary`", 1)[1]
    shown = section.split("```json\n", 1)[1].split("\n```", 1)[0]
    assert json.loads(shown) == api.get("/v1/ledger/summary").json()


def test_ledger_summary_follows_the_ledger(tmp_path: Path) -> None:
    """Comments marked as seen leave the unseen count; a ledger gone is a 503, not a crash."""
    with _ledger_server(tmp_path) as client:
        assert client.get("/v1/ledger/summary").json()["unseen_comments"] == 2
        _ledger_cli(tmp_path / "ledger.sqlite3", "comments", "--mark-seen")
        after = client.get("/v1/ledger/summary").json()
        assert (after["comments"], after["unseen_comments"], after["unseen"]) == (2, 0, [])
        assert len(after["failed_deliveries"]) == 1
        for leftover in tmp_path.glob("ledger.sqlite3*"):
            leftover.unlink()
        gone = client.get("/v1/ledger/summary")
        assert (gone.status_code, gone.json()["error"]) == (503, "ledger-unreachable")


def test_service_levels_imported_later_are_used_without_a_restart(tmp_path: Path) -> None:
    """Issue 15 item 18: the ledger's groups (GET /v1/service_levels) count beside the settings'."""
    with _ledger_server(tmp_path) as client:
        before = client.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
        assert "service-level" not in [f["rule"] for f in before.json()["findings"]]
        _make_ledger(tmp_path, SAMPLES / "service-levels.json")  # its buyer 2589381-0 is VIP
        after = client.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
        assert after.json()["decision"] == "route"
        assert "service-level" in [f["rule"] for f in after.json()["findings"]]
        assert after.json()["schedule"] == []


def test_ready_lists_the_compiled_schemas(tmp_path: Path, schema_dir: Path) -> None:
    args = ["--schemas", str(schema_dir), "--settings", str(SETTINGS), "--no-config"]
    with ServerProcess(args, cwd=tmp_path, env=_isolated_env(tmp_path)) as server:
        ready = httpx.get(server.url + "/readyz", timeout=30).json()
        assert ready["ready"] is True
        assert "finvoice-3.0" in ready["schemas"]
        answer = httpx.post(
            server.url + "/v1/check",
            params=Q,
            content=ROUTE.read_bytes(),
            headers=XML,
            timeout=30,
        )
        assert answer.json()["schema_check"] == "valid"


def test_serve_on_a_taken_port_exits_1(main: ServerProcess, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kassavirta.cli", "serve", "--no-config", "--port", str(main.port)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")},
    )
    assert done.returncode == 1
    assert "could not start" in done.stderr


def test_serve_refuses_bad_files_before_starting(tmp_path: Path) -> None:
    empty = tmp_path / "token"
    empty.write_text("\n", encoding="utf-8")
    for args in (
        ["--token-file", str(empty)],
        ["--settings", str(tmp_path / "missing.json")],
        ["--ledger", str(tmp_path / "missing.sqlite3")],
        ["--workers", "0"],
        ["--timeout", "-1"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "kassavirta.cli", "serve", "--no-config", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")},
        )
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.strip()


# --- schemathesis against /openapi.json ------------------------------------------------------------

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402


def test_openapi_contract(main: ServerProcess) -> None:
    """Every operation of /openapi.json, with generated requests, answers as it documents.

    Driven through hypothesis directly rather than schemathesis's pytest plugin, which
    does not follow every pytest release.
    """
    api = schemathesis.openapi.from_url(main.url + "/openapi.json")
    checked = 0
    for found in api.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def exercise(case: Any) -> None:
            # A schema cannot say "at least one *.xml member" of a batch, so a
            # schema-valid empty batch is rightly a 400: that one check is left out.
            case.call_and_validate(timeout=60, excluded_checks=[positive_data_acceptance])

        exercise()
        checked += 1
    assert checked >= 8


def test_an_uploaded_pdf_is_named_a_pdf_as_in_the_command_line(api: Any) -> None:
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    answer = api.post("/v1/check", params=Q, files={"file": ("invoice.pdf", pdf)})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["decision"], body["reasons"]) == ("invalid", ["not-xml"])
    assert body["findings"][0]["message"] == "this is a PDF document, not an XML invoice"
