"""The run's policy: built in one place, never changed after."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from helpers import SAMPLES, TODAY
from kassavirta.config.policy import Policy, RunOptions, build_policy
from kassavirta.config.settings import Signature
from kassavirta.erp.assignments import Assignment
from kassavirta.erp.index import AssignmentIndex
from kassavirta.model import Channel


def test_a_policy_cannot_be_patched() -> None:
    policy = build_policy(RunOptions(), today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.channel = Channel.B2B  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.assignments = AssignmentIndex()  # type: ignore[misc]


def test_derive_makes_a_new_policy_and_keeps_what_is_not_given() -> None:
    policy = build_policy(RunOptions(channel=Channel.B2B), today=TODAY)
    later = policy.derive(today=date(2027, 1, 4))
    assert (later.today, later.channel, later.assignments) == (
        date(2027, 1, 4),
        Channel.B2B,
        policy.assignments,
    )
    index = AssignmentIndex()
    other = policy.derive(channel=Channel.B2C_NETBANK, assignments=index)
    assert other.channel is Channel.B2C_NETBANK and other.assignments is index
    assert policy.today == TODAY and policy.channel is Channel.B2B


def test_the_date_comes_from_the_argument_then_the_options_then_helsinki() -> None:
    options = RunOptions(today=date(2026, 1, 2))
    assert build_policy(options, today=TODAY).today == TODAY
    assert build_policy(options).today == date(2026, 1, 2)
    from kassavirta.pipeline.evaluate import today_in_helsinki

    assert build_policy().today == today_in_helsinki()


def test_settings_from_a_file_or_loaded_and_assignments_from_memory_and_files() -> None:
    from_file = build_policy(settings=SAMPLES / "settings.json", today=TODAY)
    assert from_file.settings is not None and from_file.settings.active
    in_memory = Assignment(id="a-1", number="42", issued_at=date(2026, 11, 20), status="open")
    options = RunOptions(assignments=[SAMPLES / "assignments.json"])
    policy = build_policy(options, settings=from_file.settings, assignments=[in_memory])
    ids = {a.id for a in policy.assignments}
    assert "a-1" in ids and len(ids) > 1
    assert policy.settings is from_file.settings


def test_run_options_travel_as_json() -> None:
    options = RunOptions(
        today=TODAY,
        settings=Path("s.json"),
        assignments=[Path("a.json")],
        ledger=Path("l.sqlite3"),
        schemas=[Path("xsd")],
        channel=Channel.B2C_NETBANK,
        max_bytes=1024,
        detection={"woodx": Signature(root="WoodXInvoice")},
        format_support={"ubl": True},
        config_path=Path("kassavirta.toml"),
    )
    assert RunOptions.from_json(json.loads(json.dumps(options.as_json()))) == options
    assert RunOptions.from_json(RunOptions().as_json()) == RunOptions()


def test_the_detection_and_support_tables_merge_defaults_settings_and_options() -> None:
    policy = build_policy(
        RunOptions(format_support={"ubl": True}, detection={"bgc": Signature(root="BGC")}),
        today=TODAY,
    )
    assert policy.supported("ubl") is True
    assert policy.supported("oioxml") is False
    assert "bgc" in policy.detection
    assert isinstance(policy, Policy)
