"""The ledger under concurrency and faults: one open assignment per invoice, one clear line.

Real processes: two `check --record` runs at once, a lock held by another
connection, pages overwritten with garbage, a file-size limit standing in for
a full disk. No timing is asserted; waits are generous time-outs.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from growth import growth
from helpers import ROOT, SAMPLES, TEST_DATA, imported_ledger
from kassavirta.erp.assignments import Assignment
from kassavirta.erp.ledger import Ledger
from kassavirta.erp.ledger.store import WAIT_ENV

DATA = TEST_DATA / "ledger"
BASE_INVOICE = SAMPLES / "route" / "finvoice-3.0.xml"
SETTINGS = SAMPLES / "settings.json"
WAIT = 300


@pytest.fixture(autouse=True)
def _samples() -> None:
    if not BASE_INVOICE.is_file() or not SETTINGS.is_file():
        pytest.skip("the sample set is not written yet")


def invoice(folder: Path, number: str) -> None:
    """The route sample with another invoice number (same invoice date)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(str(BASE_INVOICE), parser)
    tree.find("InvoiceDetails/InvoiceNumber").text = number  # type: ignore[union-attr]
    tree.find("InvoiceDetails/InvoiceDate").text = "20261102"  # type: ignore[union-attr]
    (folder / f"{number}.xml").write_bytes(etree.tostring(tree, xml_declaration=True))


def kassavirta(
    *args: str, wait: float = WAIT, preexec: Callable[[], None] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kassavirta.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, WAIT_ENV: str(wait)},
        preexec_fn=preexec,
    )


def record(folder: Path, ledger: Path, *, wait: float = WAIT) -> subprocess.Popen[str]:
    return kassavirta(
        "check", str(folder), "--ledger", str(ledger), "--record", "--settings", str(SETTINGS),
        "--today", "2026-12-01", "--no-config", "--output", "json", "--jobs", "1", wait=wait,
    )  # fmt: skip


def done(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"the run hung for {WAIT} s")
    return proc.returncode, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def dump(path: Path) -> list[tuple[Any, ...]]:
    with Ledger.open_readonly(path) as ledger:
        return ledger.dump()


def _open_at(path: Path, start: float) -> None:
    """A process opening a new ledger at `start`, as a `check --record` run does."""
    while time.time() < start:
        pass
    try:
        with Ledger.open(path) as ledger, ledger.locked():
            pass
    except Exception as exc:  # reported through the exit status and stderr
        print(exc, file=sys.stderr)
        os._exit(3)


def test_runs_creating_the_same_ledger_at_once_all_open_it(tmp_path: Path) -> None:
    """SQLite refuses a second switch to WAL mode at once ("database is locked", no wait):
    before the wait was ours, about a third of such starts refused a run."""
    context = multiprocessing.get_context("fork")
    for round_ in range(12):
        path = tmp_path / f"new-{round_}.sqlite3"
        start = time.time() + 0.05
        runs = [context.Process(target=_open_at, args=(path, start)) for _ in range(3)]
        for run in runs:
            run.start()
        for run in runs:
            run.join(WAIT)
        assert [run.exitcode for run in runs] == [0, 0, 0], f"round {round_}"
        assert dump(path) == []


def test_two_record_runs_at_once_open_one_assignment_per_invoice(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for n in range(0, 20):
        invoice(first, f"RUN-{n:03d}")
    for n in range(10, 30):  # RUN-010 … RUN-019 are in both folders
        invoice(second, f"RUN-{n:03d}")
    ledger = tmp_path / "shared.sqlite3"
    runs = [record(first, ledger), record(second, ledger)]
    finished = [done(run) for run in runs]
    for code, _, err in finished:
        assert code in (0, 1), err
    with Ledger.open_readonly(ledger) as led:
        open_ = Counter((a.number, a.issued_at) for a in led.assignments() if a.status == "open")
    assert sorted(number for number, _ in open_) == [f"RUN-{n:03d}" for n in range(30)]
    assert set(open_.values()) == {1}
    # The run that went second saw the first one's assignments: the shared invoices are
    # duplicates there, routed in the other.
    decisions = [
        {r["invoice"]["number"]: r["decision"] for r in json.loads(out)["results"]}
        for _, out, _ in finished
    ]
    for n in range(10, 20):
        number = f"RUN-{n:03d}"
        assert sorted(d[number] for d in decisions) == ["error", "route"]


def test_a_locked_ledger_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    ledger = imported_ledger(tmp_path, DATA / "duplicates.json")
    before = dump(ledger)
    invoice(tmp_path, "LOCKED-1")
    holder = sqlite3.connect(ledger, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than we wait
        code, out, err = done(record(tmp_path / "LOCKED-1.xml", ledger, wait=1))
        assert code == 2 and out == ""  # nothing decided against a ledger it could not lock
        assert "locked by another process" in one_line(err)
        imported = kassavirta(
            "ledger", "import", str(DATA / "duplicates.json"), "--ledger", str(ledger), wait=1
        )
        code, _, err = done(imported)
        assert code == 2
        assert "locked by another process" in one_line(err)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert dump(ledger) == before


def big_export(tmp_path: Path, count: int) -> Path:
    """`count` assignments like the first of duplicates.json, each with its own id and number."""
    model = json.loads((DATA / "duplicates.json").read_text(encoding="utf-8"))[0]
    items = []
    for n in range(count):
        item = json.loads(json.dumps(model))
        item["id"] = f"b0000000-0000-4000-8000-{n:012d}"
        item["number"] = f"BIG-{n:05d}"
        for k, event in enumerate(item["events"]):
            event["id"] = f"e{n:07d}-0000-4000-8000-{k:012d}"
        items.append(item)
    path = tmp_path / f"export-{count}.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def test_a_ledger_with_damaged_pages_is_refused_before_it_is_written(tmp_path: Path) -> None:
    ledger = imported_ledger(tmp_path, big_export(tmp_path, 400))
    with sqlite3.connect(ledger) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    assert pages > 10
    with ledger.open("r+b") as raw:  # a page near the end, far from what an import reads
        raw.seek((pages - 2) * page + 8)
        raw.write(b"\xa5" * (page - 16))
    code, _, err = done(
        kassavirta("ledger", "import", str(DATA / "duplicates.json"), "--ledger", str(ledger))
    )
    assert code == 2
    assert "the ledger file is damaged" in one_line(err)
    invoice(tmp_path, "DAMAGED-1")
    code, out, err = done(record(tmp_path / "DAMAGED-1.xml", ledger))
    assert code == 2 and out == ""
    assert "the ledger file is damaged" in one_line(err)


def test_small_writes_cost_the_same_against_a_ledger_32_times_larger(tmp_path: Path) -> None:
    """The damage check reads the whole file; run before every write it made each `mark_seen`
    cost as much as the ledger (32× the ledger: about 9× the time for the same ten writes)."""
    day = date(2026, 11, 1)

    def writes(size: int) -> Callable[[], None]:
        ledger = Ledger.open(tmp_path / f"{size}.sqlite3")
        ledger.import_assignments(
            Assignment(id=f"a{i}", number=f"2026-{i}", issued_at=day - timedelta(days=i % 30))
            for i in range(size)
        )
        marked = iter(range(10**6))

        def ten() -> None:
            for _ in range(10):
                n = next(marked)
                ledger.mark_seen([(f"a{n}", f"e{n}")])

        return ten

    ratio = growth(writes(250), writes(250 * 32), repeats=5, limit=3, attempts=5)
    assert ratio <= 3, f"32× the ledger took {ratio:.1f}× the time for the same ten writes"


def test_a_full_disk_is_one_clear_line_and_the_ledger_is_unchanged(tmp_path: Path) -> None:
    ledger = imported_ledger(tmp_path, DATA / "duplicates.json")
    before = dump(ledger)
    export = big_export(tmp_path, 2000)
    limit = ledger.stat().st_size + 16_384

    def small_disk() -> None:  # no file of the run may grow beyond `limit` bytes
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    code, _, err = done(
        kassavirta("ledger", "import", str(export), "--ledger", str(ledger), preexec=small_disk)
    )
    assert code == 2
    line = one_line(err)
    assert "disk" in line and "full" in line, line
    assert "no transaction is active" not in line and "not a kassavirta ledger" not in line
    assert dump(ledger) == before
