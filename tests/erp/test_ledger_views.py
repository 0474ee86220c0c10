"""Issue 15: what the ledger commands tell the sender.

Item 13: a FAILED delivery says the invoice must be rerouted before its due date.
Item 17: `ledger comments` lists the service's comments across assignments.
Item 18: `ledger import` takes the GET /v1/service_levels answer, and `check --ledger`
uses those groups beside the settings' `service_levels`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from helpers import PINNED_CHECK, SAMPLES, TEST_DATA, imported_ledger
from kassavirta.erp.assignments import read_json
from kassavirta.erp.ledger import Ledger, load_ledger_groups
from kassavirta.erp.ledger.schema import CURRENT_VERSION
from kassavirta.erp.service_levels import is_service_levels, parse_service_levels
from kassavirta.errors import SettingsError

ASSIGNMENTS = SAMPLES / "assignments.json"
LEVELS = SAMPLES / "service-levels.json"
SETTINGS = SAMPLES / "settings.json"
FAILED_ID = "bf9e251b-7b5e-5854-b6a5-f0ce136a1587"  # 2026-5011, latest delivery FAILED
SERVICE = "bd164796-262c-5730-b981-3fec5b358b11"  # the party of the service's events
REROUTE = (
    "delivery FAILED: the invoice has not reached the receiver. Reroute it (send it by another "
    "route) before its due date 2026-12-15, or the service closes the assignment"
)


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def sample_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(ASSIGNMENTS.read_text(encoding="utf-8"))
    return items


# --- item 13: a FAILED delivery --------------------------------------------------------------


def test_ledger_list_says_to_reroute_a_failed_invoice(tmp_path: Path, cli: Any) -> None:
    ledger = imported_ledger(tmp_path, ASSIGNMENTS)
    done = cli("ledger", "list", "--ledger", str(ledger))
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stdout.splitlines() if line.startswith("!")]
    assert notes == [f"! 2026-5011 ({FAILED_ID}): {REROUTE}"]
    rows = json.loads(cli("ledger", "list", "--ledger", str(ledger), "-O", "json").stdout)
    flagged = {r["number"]: r["action_needed"] for r in rows if r["action_needed"]}
    assert flagged == {"2026-5011": REROUTE}
    assert {r["number"]: r["delivery_status"] for r in rows}["2026-5001"] == "DELIVERED"


def test_ledger_status_says_to_reroute_a_failed_invoice(tmp_path: Path, cli: Any) -> None:
    ledger = imported_ledger(tmp_path, ASSIGNMENTS)
    done = cli("ledger", "status", FAILED_ID, "--ledger", str(ledger))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    at = lines.index("delivery status")
    assert lines[at + 2] == f"  ! {REROUTE}"
    doc = json.loads(
        cli("ledger", "status", FAILED_ID, "--ledger", str(ledger), "-O", "json").stdout
    )
    assert doc["action_needed"] == REROUTE


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        # rerouted: a DELIVERED after the FAILED
        (
            [
                {
                    "type": "delivery_status",
                    "data": {"status": "DELIVERED"},
                    "created_at": "2026-11-25T08:00:00Z",
                }
            ],
            None,
        ),
        # closed by the service: nothing left to do
        ([{"type": "close", "data": {}, "created_at": "2026-11-25T08:00:00Z"}], None),
        # a due date changed by the service: the new one is the deadline
        (
            [
                {
                    "type": "due_date_changed",
                    "data": {"due_date": "2026-12-31"},
                    "created_at": "2026-11-25T08:00:00Z",
                }
            ],
            REROUTE.replace("2026-12-15", "2026-12-31"),
        ),
    ],
    ids=["rerouted", "closed", "due-date-changed"],
)
def test_the_reroute_note_follows_the_events(
    tmp_path: Path, cli: Any, extra: list[dict[str, Any]], expected: str | None
) -> None:
    items = sample_items()
    failed = next(a for a in items if a["id"] == FAILED_ID)
    failed["events"] += extra
    ledger = imported_ledger(tmp_path, write(tmp_path / "a.json", items))
    doc = json.loads(
        cli("ledger", "status", FAILED_ID, "--ledger", str(ledger), "-O", "json").stdout
    )
    assert doc["action_needed"] == expected


# --- item 17: the service's comments ---------------------------------------------------------


def comments(cli: Any, ledger: Path, *flags: str) -> tuple[int, list[dict[str, Any]], str]:
    done = cli("ledger", "comments", "--ledger", str(ledger), "-O", "json", *flags)
    return done.returncode, json.loads(done.stdout), done.stderr


def test_comments_lists_the_services_comments_newest_first(tmp_path: Path, cli: Any) -> None:
    ledger = imported_ledger(tmp_path, ASSIGNMENTS)
    code, found, err = comments(cli, ledger)
    assert code == 0, err
    assert [(c["at"], c["number"], c["assignment"], c["from"]) for c in found] == [
        ("2026-11-30T09:12:44Z", "2026-5003", "99f4fd22-ba08-5dbe-a230-b7e6003ced13", "service"),
        ("2026-11-23T07:45:10Z", "2026-5011", FAILED_ID, "service"),
    ]
    assert found[0]["comment"].startswith("Asiakas kertoi maksaneensa loppusumman")
    assert all(c["seen_at"] is None for c in found)
    # the company's own comment on 2026-5001 (its party asked for a due date change) is left out
    text = cli("ledger", "comments", "--ledger", str(ledger)).stdout.splitlines()
    assert text[0].split() == ["AT", "NUMBER", "ASSIGNMENT", "FROM", "SEEN", "COMMENT"]
    assert text[1].startswith("2026-11-30T09:12:44Z  2026-5003  99f4fd22")
    assert text[-1] == "2 comment(s), 2 unseen"


def test_a_comment_by_a_party_the_ledger_cannot_tell_is_listed_as_unknown(
    tmp_path: Path, cli: Any
) -> None:
    items = sample_items()
    items[0]["events"].append(
        {
            "id": "e-unknown",
            "type": "comment",
            "data": {"message": "Soittakaa meille."},
            "party_id": "someone-new",
            "created_at": "2026-12-01T10:00:00Z",
        }
    )
    ledger = imported_ledger(tmp_path, write(tmp_path / "a.json", items))
    _, found, _ = comments(cli, ledger)
    assert (found[0]["event_id"], found[0]["from"], found[0]["comment"]) == (
        "e-unknown",
        "unknown",
        "Soittakaa meille.",
    )


def test_unseen_until_marked_and_marks_survive_a_new_import(tmp_path: Path, cli: Any) -> None:
    ledger = imported_ledger(tmp_path, ASSIGNMENTS)
    code, listed, err = comments(cli, ledger, "--unseen", "--mark-seen")
    assert (code, len(listed)) == (0, 2)
    assert "marked 2 comment(s) as seen at " in err
    code, listed, _ = comments(cli, ledger, "--unseen")
    assert (code, listed) == (1, [])  # nothing unseen: exit 1
    code, listed, _ = comments(cli, ledger)
    assert code == 0 and all(c["seen_at"] for c in listed)
    # a newer export brings one more comment from the service: only that one is unseen
    items = sample_items()
    items[1]["events"].append(
        {
            "id": "e-new",
            "type": "comment",
            "data": {"comment": "Asiakas maksoi loput."},
            "party_id": SERVICE,
            "created_at": "2026-12-02T08:00:00Z",
        }
    )
    assert cli("ledger", "import", str(write(tmp_path / "b.json", items)), "--ledger", str(ledger))
    code, listed, _ = comments(cli, ledger, "--unseen")
    assert [(c["event_id"], c["number"]) for c in listed] == [("e-new", "2026-5002")]


def test_listing_without_mark_seen_never_writes_a_mark(tmp_path: Path, cli: Any) -> None:
    ledger = imported_ledger(tmp_path, ASSIGNMENTS)
    with Ledger.open_readonly(ledger) as opened:
        before = opened.dump()
    comments(cli, ledger, "--unseen")
    cli("ledger", "comments", "--ledger", str(ledger))
    with Ledger.open_readonly(ledger) as opened:
        assert opened.dump() == before


def test_an_older_ledger_is_migrated_for_the_new_tables(tmp_path: Path, cli: Any) -> None:
    ledger = imported_ledger(tmp_path, ASSIGNMENTS)
    conn = sqlite3.connect(ledger)
    conn.execute("DROP TABLE seen_events")  # what a version-2 ledger lacks
    conn.execute("DROP TABLE service_levels")
    conn.execute("UPDATE schema_version SET version = 2")
    conn.commit()
    conn.close()
    assert load_ledger_groups(ledger) == {"vip": [], "premium": [], "service_bypass": []}
    code, listed, _ = comments(cli, ledger, "--mark-seen")
    assert (code, len(listed)) == (0, 2)
    with Ledger.open_readonly(ledger) as opened:
        assert opened.schema_version == CURRENT_VERSION


# --- item 18: service levels from the API ----------------------------------------------------


def test_the_sample_service_levels_are_read_as_customers_in_groups() -> None:
    customers = parse_service_levels(read_json(LEVELS), source=str(LEVELS))
    assert [(c.business_id, c.level) for c in customers] == [
        ("2589381-0", "vip"),
        ("3083714-3", "premium"),
        ("2672386-4", "service_bypass"),
    ]  # 2601404-8 is in no group


@pytest.mark.parametrize(
    "data",
    [
        {"vip": ["2589381-0"], "premium": [{"bid": "3083714-3"}], "service_bypass": []},
        [
            {"business_id": "2589381-0", "service_level": "VIP"},
            {"customer_bid": "3083714-3", "service_level": "premium"},
            {"customer_bid": "2601404-8", "service_level": "default"},
        ],
        {
            "data": [
                {"customer_bid": "2589381-0", "vip": True},
                {"customer_bid": "3083714-3", "premium": True},
            ]
        },
    ],
    ids=["grouped", "service_level-text", "wrapped-flags"],
)
def test_other_spellings_of_the_answer(data: Any) -> None:
    assert is_service_levels(data)
    customers = parse_service_levels(data)
    assert [(c.business_id, c.level) for c in customers] == [
        ("2589381-0", "vip"),
        ("3083714-3", "premium"),
    ]


@pytest.mark.parametrize(
    "path",
    [ASSIGNMENTS, TEST_DATA / "erp" / "assignments.json", TEST_DATA / "ledger" / "duplicates.json"],
)
def test_assignments_are_never_taken_for_service_levels(path: Path) -> None:
    assert not is_service_levels(read_json(path))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            [{"customer_bid": "2589381-0", "service_level": "gold"}],
            "key '[0].service_level': unknown service level 'gold'",
        ),
        ({"vip": ["2589381-0", 7]}, "key 'vip[1]': expected a business ID"),
        ({"vip": "2589381-0"}, "expected the GET /v1/service_levels answer"),
        (
            [{"name": "Oy Ab", "vip": True}],
            "key '[0].customer_bid': a customer needs its business ID",
        ),
    ],
    ids=["unknown-level", "not-a-business-id", "not-a-list", "no-business-id"],
)
def test_a_wrongly_shaped_answer_is_a_clear_error_and_the_ledger_is_untouched(
    tmp_path: Path, cli: Any, data: Any, message: str
) -> None:
    ledger = imported_ledger(tmp_path, ASSIGNMENTS)
    with Ledger.open_readonly(ledger) as opened:
        before = opened.dump()
    source = write(tmp_path / "levels.json", data)
    done = cli("ledger", "import", str(source), "--ledger", str(ledger), "--service-levels")
    assert done.returncode == 2
    assert message in done.stderr
    with Ledger.open_readonly(ledger) as opened:
        assert opened.dump() == before
    with pytest.raises(SettingsError):
        parse_service_levels(data)


def test_import_replaces_the_groups_and_is_idempotent(tmp_path: Path, cli: Any) -> None:
    ledger = tmp_path / "l.db"
    first = cli("ledger", "import", str(LEVELS), "--ledger", str(ledger))
    assert first.returncode == 0, first.stderr
    assert first.stdout == (
        f"ledger {ledger}: service levels from {LEVELS}: 3 customer(s) in a group (1 vip, "
        "1 premium, 1 service_bypass): 3 new, 0 changed, 0 removed, 0 unchanged\n"
    )
    with Ledger.open_readonly(ledger) as opened:
        before = opened.dump()
    again = cli("ledger", "import", str(LEVELS), "--ledger", str(ledger))
    assert again.stdout.endswith("0 new, 0 changed, 0 removed, 3 unchanged\n")
    with Ledger.open_readonly(ledger) as opened:
        assert opened.dump() == before
    # the customer moved from PREMIUM to VIP, and the service_bypass one left its group
    newer = [
        {"customer_bid": "2589381-0", "vip": True},
        {"customer_bid": "3083-7143", "vip": True},  # the same business ID, spelt otherwise
    ]
    done = cli("ledger", "import", str(write(tmp_path / "n.json", newer)), "--ledger", str(ledger))
    assert done.stdout.endswith("0 new, 1 changed, 1 removed, 1 unchanged\n"), done.stdout
    assert load_ledger_groups(ledger) == {
        "vip": ["2589381-0", "3083-7143"],
        "premium": [],
        "service_bypass": [],
    }
    emptied = cli(
        "ledger",
        "import",
        str(write(tmp_path / "e.json", [])),
        "--ledger",
        str(ledger),
        "--service-levels",
    )
    assert emptied.stdout.endswith("0 new, 0 changed, 2 removed, 0 unchanged\n")


def check(cli: Any, invoice: Path, *extra: str) -> dict[str, Any]:
    done = cli("check", str(invoice), *PINNED_CHECK, "-O", "json", *extra)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)["results"][0]
    return result


def test_check_uses_the_ledgers_groups(tmp_path: Path, cli: Any) -> None:
    invoice = SAMPLES / "route" / "finvoice-3.0.xml"  # buyer 2589381-0
    ledger = imported_ledger(tmp_path, ASSIGNMENTS)
    without = check(cli, invoice, "--ledger", str(ledger))
    assert without["schedule"] and "service-level" not in [f["rule"] for f in without["findings"]]
    assert cli("ledger", "import", str(LEVELS), "--ledger", str(ledger)).returncode == 0
    found = check(cli, invoice, "--ledger", str(ledger))
    assert found["decision"] == "route"
    assert found["schedule"] == []  # VIP: no default schedule
    (level,) = [f for f in found["findings"] if f["rule"] == "service-level"]
    assert "2589381-0" in level["message"] and "VIP" in level["message"]


def test_the_ledgers_groups_add_to_the_settings_own(tmp_path: Path, cli: Any) -> None:
    settings = json.loads(SETTINGS.read_text(encoding="utf-8"))
    settings["service_levels"] = {"premium": ["2601404-8"]}
    own = write(tmp_path / "settings.json", settings)
    ledger = imported_ledger(tmp_path, ASSIGNMENTS)
    cli("ledger", "import", str(LEVELS), "--ledger", str(ledger))
    with Ledger.open_readonly(ledger) as opened:
        assert len(opened.service_levels()) == 3
    from kassavirta.config.policy import RunOptions, build_policy

    policy = build_policy(RunOptions(settings=own, ledger=ledger))
    assert policy.settings is not None
    levels = policy.settings.service_levels
    assert [levels.level_of(b) for b in ("2601404-8", "2589381-0", "2672386-4", "1234567-1")] == [
        "premium",  # the settings'
        "vip",  # the ledger's
        "service_bypass",
        None,
    ]
    assert (
        build_policy(RunOptions(settings=own)).settings.service_levels.level_of(  # type: ignore[union-attr]
            "2589381-0"
        )
        is None
    )
