"""Hostile input: the reader is not hurt by what an attacker can put in an invoice file.

Each case must end as `invalid` with a clear reason, read no local file, open
no connection, and stay within generous time and memory bounds (measured
here: the bounds are far above what a correct reader needs and far below what
an expansion, a loop or a whole-file read would take). A batch holding every
case still checks the good invoices beside them.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from helpers import TODAY
from kassavirta import check_bytes, check_file
from kassavirta.errors import ReadError
from kassavirta.findings import CheckResult, Decision
from kassavirta.formats.finvoice.write import example_spec, render
from kassavirta.pipeline.read import DEFAULT_MAX_BYTES, read_bytes
from kassavirta.testing.assertions import default_settings, default_settings_mapping

SECRET = "KASSAVIRTA-HOSTILE-SECRET-7f3a9c"
"""Written into a local file that entities point at: it must appear nowhere."""

SECONDS = 20.0
"""Per case. A correct reader needs milliseconds; an entity expansion or a
hang would need far more."""
PYTHON_PEAK = 32 * 1024 * 1024
"""Python-side allocation peak per case (tracemalloc): a whole 100 MB file, or
an expanded entity, cannot hide under it. (Reading a file reserves a buffer of
the 20 MiB size limit, untouched pages that tracemalloc counts but RSS does not.)"""
NATIVE_GROWTH_KB = 200 * 1024
"""Growth of the process's peak resident size per case (libxml2 allocates outside
Python's allocator, so tracemalloc cannot see it)."""

HUGE = 100 * 1024 * 1024


def good_invoice(encoding: str = "UTF-8") -> bytes:
    return render(replace(example_spec(TODAY), encoding=encoding))


def body_of(xml: bytes) -> bytes:
    """The invoice without its XML declaration."""
    return xml.split(b"?>", 1)[1].lstrip()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP listener on a free loopback port; any connection attempt stays in its backlog."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    yield server
    server.close()


def connections(server: socket.socket) -> int:
    """How many connections reached the listener (each completed handshake waits to be accepted)."""
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET + "\n", encoding="ascii")
    return path


@dataclass(frozen=True)
class Hostile:
    name: str
    reason: str
    words: tuple[str, ...]
    """The message must say one of these (case-insensitive): a reason a person understands."""
    build: Callable[[Path, int], bytes]
    """(secret file, loopback port) → the file's bytes."""


def _entity(decl: str, use: str) -> bytes:
    body = body_of(good_invoice()).replace(
        b"<ArticleName>Huoltosopimus", f"<ArticleName>{use}".encode(), 1
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Finvoice [\n{decl}\n]>\n'.encode()
        + body
    )


def _billion_laughs(secret: Path, port: int) -> bytes:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10)]
    return _entity("\n".join(lines), "&lol9;")


def _quadratic(secret: Path, port: int) -> bytes:
    return _entity(f'<!ENTITY a "{"x" * 50_000}">', "&a;" * 50_000)


def _nested(secret: Path, port: int) -> bytes:
    return (
        b'<?xml version="1.0"?>\n<Finvoice Version="3.0">'
        + b"<a>" * 10_000
        + b"</a>" * 10_000
        + b"</Finvoice>\n"
    )


def _in_comment(secret: Path, port: int) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<!--\n' + body_of(good_invoice()) + b"\n-->\n"


def _truncated(secret: Path, port: int) -> bytes:
    xml = good_invoice()
    return xml[: xml.index(b"<EpiDetails>") + 40]


CASES: tuple[Hostile, ...] = (
    Hostile(
        "xxe-local-file",
        "unsafe-xml",
        ("entity",),
        lambda secret, port: _entity(f'<!ENTITY x SYSTEM "{secret.as_uri()}">', "&x;"),
    ),
    Hostile(
        "xxe-local-file-parameter",
        "unsafe-xml",
        ("entity",),
        lambda secret, port: _entity(f'<!ENTITY % x SYSTEM "{secret.as_uri()}">\n%x;', "x"),
    ),
    Hostile(
        "xxe-loopback-url",
        "unsafe-xml",
        ("entity",),
        lambda secret, port: _entity(f'<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">', "&x;"),
    ),
    Hostile(
        "xxe-loopback-parameter",
        "unsafe-xml",
        ("entity",),
        lambda secret, port: _entity(
            f'<!ENTITY % x SYSTEM "http://127.0.0.1:{port}/x.dtd">\n%x;', "x"
        ),
    ),
    Hostile(
        "external-dtd-loopback",
        "unsafe-xml",
        ("dtd",),
        lambda secret, port: (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Finvoice SYSTEM "http://127.0.0.1:{port}/Finvoice.dtd">\n'.encode()
            + body_of(good_invoice())
        ),
    ),
    Hostile(
        "entity-in-utf16",  # no ASCII "<!ENTITY" in the bytes: the parsed tree must tell
        "unsafe-xml",
        ("entity",),
        lambda secret, port: (
            _entity('<!ENTITY x "y">', "&x;")
            .decode()
            .replace('encoding="UTF-8"', 'encoding="UTF-16"')
            .encode("utf-16")
        ),
    ),
    Hostile("billion-laughs", "unsafe-xml", ("entity",), _billion_laughs),
    Hostile("quadratic-blowup", "unsafe-xml", ("entity", "amplification"), _quadratic),
    Hostile("nesting-10000", "unsafe-xml", ("depth",), _nested),
    Hostile(
        "dense-markup",
        "unsafe-xml",
        ("too dense",),
        # 20 MiB less a little: five million elements, a gigabyte of tree if parsed.
        lambda secret, port: (
            b'<?xml version="1.0"?>\n<Finvoice Version="3.0">'
            + b"<a/>" * 5_200_000
            + b"</Finvoice>\n"
        ),
    ),
    Hostile(
        "attribute-over-libxml2-limit",
        "unsafe-xml",
        ("10 mb limit",),
        lambda secret, port: (
            b'<?xml version="1.0"?>\n<Finvoice Version="3.0"><a b="'
            + b"x" * 11_000_000
            + b'"/></Finvoice>\n'
        ),
    ),
    Hostile(
        "invalid-utf8",
        "not-xml",
        ("utf-8",),
        lambda secret, port: good_invoice().replace(b"Koivu", b"Ko\xc3\x28\xff\xfevu", 1),
    ),
    Hostile(
        "wrong-declared-encoding",
        "not-xml",
        ("utf-8", "encoding"),
        lambda secret, port: good_invoice("ISO-8859-15").replace(b"ISO-8859-15", b"UTF-8", 1),
    ),
    Hostile(
        "wrong-declared-wide-encoding",
        "not-xml",
        ("utf-16", "encoding"),
        lambda secret, port: good_invoice().replace(b"UTF-8", b"UTF-16", 1),
    ),
    Hostile(
        "nul-bytes",
        "not-xml",
        ("nul",),
        lambda secret, port: good_invoice().replace(b"<InvoiceRow>", b"<InvoiceRow>\x00\x00", 1),
    ),
    Hostile("truncated", "not-xml", ("truncated", "end of data"), _truncated),
    Hostile(
        "two-root-elements",
        "not-xml",
        ("extra content",),
        lambda secret, port: good_invoice() + body_of(good_invoice()),
    ),
    Hostile("finvoice-in-comment", "not-xml", ("no element outside comments",), _in_comment),
)


def measured(action: Callable[[], CheckResult]) -> tuple[CheckResult, float, int, int]:
    """(result, seconds, Python allocation peak in bytes, growth of peak RSS in KiB).

    A good invoice is checked first, unmeasured, so that what the first check of
    a process imports and caches (rules, bank registry, holidays) is not counted.
    """
    check_bytes(good_invoice(), default_settings(TODAY), TODAY)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = action()
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    return result, elapsed, peak, rss_growth


def assert_clear_invalid(result: CheckResult, case: Hostile) -> None:
    assert result.decision is Decision.INVALID, (case.name, result.decision, result.findings)
    assert result.reasons == [case.reason], (case.name, result.reasons)
    messages = " ".join(f.message for f in result.findings).lower()
    assert any(word in messages for word in case.words), (case.name, messages)
    assert SECRET not in result.model_dump_json()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input_is_invalid_safely(
    case: Hostile, tmp_path: Path, secret_file: Path, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    data = case.build(secret_file, port)
    path = tmp_path / f"{case.name}.xml"
    path.write_bytes(data)

    for action in (
        lambda: check_file(path, default_settings(TODAY), TODAY),
        lambda: check_bytes(data, default_settings(TODAY), TODAY),
    ):
        result, seconds, peak, rss_growth = measured(action)
        assert_clear_invalid(result, case)
        assert seconds < SECONDS, (case.name, seconds)
        assert peak < PYTHON_PEAK, (case.name, peak)
        assert rss_growth < NATIVE_GROWTH_KB, (case.name, rss_growth)
    assert connections(listener) == 0


def test_the_markup_allowed_is_one_node_per_six_bytes_of_the_size_limit() -> None:
    """`<r>` + n × `<a/>` + `</r>` opens n + 1 elements and holds one text (after the last
    `>`): 2n + 3 nodes' weight, an element counting twice. A 6,000-byte limit allows 1,000."""

    def file(n: int) -> bytes:
        return b"<r>" + b"<a/>" * n + b"</r>"

    assert read_bytes(file(498), max_bytes=6000)[0].part.root.tag == "r"  # weight 999
    with pytest.raises(ReadError) as refused:
        read_bytes(file(499), max_bytes=6000)  # weight 1001
    assert refused.value.reason == "unsafe-xml"
    assert "too dense" in str(refused.value) and "1001 nodes" in str(refused.value)
    # Text and attributes weigh too: each `<a b="1">x</a>` is 2 + 2 + 1 = 5, 200 of them 1,003.
    dense = b"<r>" + b'<a b="1">x</a>' * 200 + b"</r>"
    with pytest.raises(ReadError):
        read_bytes(dense, max_bytes=6000)


def test_the_good_invoice_the_cases_are_made_from_routes() -> None:
    """The hostile files differ from a routable invoice only by their attack."""
    for encoding in ("UTF-8", "ISO-8859-15"):
        result = check_bytes(good_invoice(encoding), default_settings(TODAY), TODAY)
        assert result.decision is Decision.ROUTE and result.findings == []


def _check_into(results: list[CheckResult], path: Path) -> None:
    results.append(check_file(path, default_settings(TODAY), TODAY))


def test_a_plain_doctype_naming_a_local_dtd_is_ignored_not_read(tmp_path: Path) -> None:
    """Old Finvoice files carry `<!DOCTYPE Finvoice SYSTEM "Finvoice.dtd">`: never loaded.

    The DTD here declares a default attribute and would make the file invalid if
    it were read; a FIFO in its place would block any reader that opened it.
    """
    dtd = tmp_path / "Finvoice.dtd"
    dtd.write_text('<!ATTLIST Finvoice Injected CDATA "yes">\n', encoding="ascii")
    fifo = tmp_path / "blocking.dtd"
    os.mkfifo(fifo)
    for system in ("Finvoice.dtd", str(dtd), str(fifo)):
        data = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Finvoice SYSTEM "{system}">\n'.encode()
            + body_of(good_invoice())
        )
        path = tmp_path / "old-style.xml"
        path.write_bytes(data)
        results: list[CheckResult] = []
        previous = Path.cwd()
        os.chdir(tmp_path)
        try:
            worker = threading.Thread(target=_check_into, args=(results, path), daemon=True)
            worker.start()
            worker.join(SECONDS)
        finally:
            os.chdir(previous)
        if worker.is_alive():  # blocked opening the FIFO: release it, then fail
            with open(fifo, "wb"):
                pass
            pytest.fail(f"the reader opened the DTD {system}")
        assert results[0].decision is Decision.ROUTE, (system, results[0].findings)
        assert read_bytes(data)[0].part.root.get("Injected") is None


def test_a_100_mb_file_is_refused_by_its_size_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.write(good_invoice()[: -len(b"</Finvoice>\n")])
        handle.seek(HUGE - 20)  # sparse: cheap to write, 100 MB to read
        handle.write(b"</Finvoice>\n")
    assert path.stat().st_size > HUGE - 100

    result, seconds, peak, _ = measured(lambda: check_file(path, default_settings(TODAY), TODAY))
    assert result.decision is Decision.INVALID and result.reasons == ["unsafe-xml"]
    assert f"over the {DEFAULT_MAX_BYTES}-byte limit" in result.findings[0].message
    assert peak < 1024 * 1024, peak  # not even the first megabyte was read into memory
    assert seconds < SECONDS


def test_a_batch_of_every_hostile_file_still_checks_every_other_file(
    tmp_path: Path, secret_file: Path, listener: socket.socket, cli: Callable[..., object]
) -> None:
    port = listener.getsockname()[1]
    folder = tmp_path / "batch"
    folder.mkdir()
    for n, case in enumerate(CASES):
        (folder / f"{n:02d}-{case.name}.xml").write_bytes(case.build(secret_file, port))
    with (folder / "50-huge.xml").open("wb") as handle:
        handle.write(b"<Finvoice")
        handle.truncate(HUGE)
    for name, encoding in (("60-good-utf8.xml", "UTF-8"), ("61-good-latin9.xml", "ISO-8859-15")):
        spec = replace(example_spec(TODAY), encoding=encoding, number=name[:2])
        (folder / name).write_bytes(render(spec))
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps(default_settings_mapping(TODAY)), encoding="utf-8")

    started = time.perf_counter()
    run = cli(
        "check",
        str(folder),
        "--output",
        "json",
        "--settings",
        str(settings),
        "--today",
        TODAY.isoformat(),
        "--no-config",
    )
    assert time.perf_counter() - started < 120
    assert run.returncode == 1, run.stderr  # type: ignore[attr-defined]
    report = json.loads(run.stdout)  # type: ignore[attr-defined]
    by_name = {Path(r["path"]).name: r for r in report["results"]}
    assert len(by_name) == len(CASES) + 3
    for n, case in enumerate(CASES):
        result = by_name[f"{n:02d}-{case.name}.xml"]
        assert (result["decision"], result["reasons"]) == ("invalid", [case.reason]), result
    assert by_name["50-huge.xml"]["reasons"] == ["unsafe-xml"]
    assert by_name["60-good-utf8.xml"]["decision"] == "route"
    assert by_name["61-good-latin9.xml"]["decision"] == "route"
    assert report["summary"]["route"] == 2 and report["summary"]["invalid"] == len(CASES) + 1
    assert SECRET not in run.stdout + run.stderr  # type: ignore[attr-defined]
    assert connections(listener) == 0
