"""`--output json` (one document) and `--output jsonl` (one line per result, then the summary)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from kassavirta.findings import CheckResult
from kassavirta.plain import json_default
from kassavirta.report import Summary


def result_dict(result: CheckResult) -> dict[str, Any]:
    return result.model_dump(mode="json")


def write_document(results: Iterable[CheckResult], summary: Summary, out: TextIO) -> None:
    doc = {"summary": summary.model_dump(mode="json"), "results": [result_dict(r) for r in results]}
    json.dump(doc, out, ensure_ascii=False, indent=2)
    out.write("\n")


_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=json_default)
"""`result_dict` as one compact line, written straight from the result's records."""


def write_line(result: CheckResult, out: TextIO) -> None:
    out.write(_LINE.encode(result) + "\n")
    out.flush()


def write_summary_line(summary: Summary, out: TextIO) -> None:
    out.write(
        json.dumps(
            {"summary": summary.model_dump(mode="json")}, ensure_ascii=False, separators=(",", ":")
        )
    )
    out.write("\n")
