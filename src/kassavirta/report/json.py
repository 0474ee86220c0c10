"""`--output json` (one document) and `--output jsonl` (one line per result, then the summary)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any, TextIO

from kassavirta.findings import CheckResult
from kassavirta.plain import json_default
from kassavirta.report import Summary

if TYPE_CHECKING:
    from pydantic import TypeAdapter


def result_dict(result: CheckResult) -> dict[str, Any]:
    return result.model_dump(mode="json")


def write_document(results: Iterable[CheckResult], summary: Summary, out: TextIO) -> None:
    doc = {"summary": summary.model_dump(mode="json"), "results": [result_dict(r) for r in results]}
    json.dump(doc, out, ensure_ascii=False, indent=2)
    out.write("\n")


_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=json_default)
"""`result_dict` as one compact line, written straight from the result's records."""


def encode_line(result: CheckResult) -> str:
    """The result's line, without its line break."""
    return _LINE.encode(result)


@cache
def _result_type() -> TypeAdapter[CheckResult]:
    from pydantic import TypeAdapter

    return TypeAdapter(CheckResult)


def decode_line(line: str) -> CheckResult:
    """The result a line was written from: the line holds every field a result has."""
    return _result_type().validate_json(line)


def write_line(result: CheckResult, out: TextIO) -> None:
    write_encoded(encode_line(result), out)


def write_encoded(line: str, out: TextIO) -> None:
    """One result's line (`encode_line`), flushed at once: a reader sees each result as it is final."""
    out.write(line + "\n")
    out.flush()


def write_summary_line(summary: Summary, out: TextIO) -> None:
    out.write(
        json.dumps(
            {"summary": summary.model_dump(mode="json")}, ensure_ascii=False, separators=(",", ":")
        )
    )
    out.write("\n")
