"""One result as a run's parent process holds it: written where it was checked, opened when needed.

In a parallel run the parent takes every result in order, and on two cores
what it and the workers spend per result beyond the check itself limits the
run: pickling a `CheckResult` (a few dozen small records, ~30-45 µs),
unpickling it in the parent (~20-50 µs) and writing its JSON line there
(~25 µs). A worker of a `--output jsonl` run therefore writes each result's
line itself and sends only that, beside the few fields the parent reads of
every result (decision, reasons, path, format, schema check). The parent
writes the line as it came. The line is the whole result (`--output jsonl`
prints every field), so when the parent needs the result itself (an in-run
duplicate changes it, `--record` keeps it, another output shows it) it reads
it back from the line (`report.json.decode_line`); a changed result is then
written again, never the worker's line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kassavirta.findings import CheckResult, Decision, label_of

if TYPE_CHECKING:
    from kassavirta.findings import Finding
    from kassavirta.pipeline.duplicates import RunKey


class Final:
    """A result, its run key, and (when a worker wrote it) its JSON line.

    `decision` and `reasons` are read from the result once it is open (an
    in-run duplicate changes them), from the copies sent beside the line
    before.
    """

    __slots__ = (
        "_decision",
        "_reasons",
        "_result",
        "document",
        "format",
        "key",
        "line",
        "path",
        "refused_if_active",
        "schema_check",
    )

    def __init__(
        self, result: CheckResult, key: RunKey | None = None, line: str | None = None
    ) -> None:
        self._result: CheckResult | None = result
        self.key = key
        self.line = line
        """The result's JSON line; None once the result changed, or if nobody wrote it yet."""
        self.path = result.path
        self.document = result.document
        self.format = result.format
        self.schema_check = result.schema_check
        self.refused_if_active = result.refused_if_active
        self._decision = result.decision
        self._reasons = result.reasons

    @classmethod
    def made(cls, result: CheckResult, key: RunKey | None, *, lines: bool) -> Final:
        """A worker's result, with its line written there when the run writes JSON Lines."""
        if not lines:
            return cls(result, key)
        from kassavirta.report.json import encode_line

        return cls(result, key, encode_line(result))

    @property
    def result(self) -> CheckResult:
        if self._result is None:
            from kassavirta.report.json import decode_line

            assert self.line is not None
            self._result = decode_line(self.line)
        return self._result

    def changed(self) -> CheckResult:
        """The result, to be changed: its line no longer says what it says."""
        result = self.result
        self.line = None
        return result

    @property
    def opened(self) -> bool:
        """Whether the result itself is held (not only its line)."""
        return self._result is not None

    @property
    def decision(self) -> Decision:
        return self._decision if self._result is None else self._result.decision

    @property
    def reasons(self) -> list[str]:
        return self._reasons if self._result is None else self._result.reasons

    @property
    def findings(self) -> list[Finding]:
        return self.result.findings

    @property
    def label(self) -> str:
        return label_of(self.path, self.document)

    def __reduce__(self) -> tuple[Callable[..., Final], tuple[object, ...]]:
        if self.line is None:  # nothing written ahead: the result travels as it is
            return (Final, (self.result, self.key))
        brief = (self.path, self.document, self.format, self.schema_check, self.refused_if_active)
        return (_arrived, (self.line, self.key, brief, self.decision.value, self.reasons))

    def __repr__(self) -> str:
        held = "open" if self.opened else "packed"
        return f"Final({self.label!r}, {self.decision.value}, {held})"


_DECISIONS = {d.value: d for d in Decision}


def _arrived(
    line: str,
    key: RunKey | None,
    brief: tuple[str, int | None, str | None, str, bool],
    decision: str,
    reasons: list[str],
) -> Final:
    """A `Final` as a worker sent it: its line, the result not yet read back."""
    final = Final.__new__(Final)
    final._result, final.key, final.line = None, key, line
    final.path, final.document, final.format, final.schema_check, final.refused_if_active = brief
    final._decision, final._reasons = _DECISIONS[decision], reasons
    return final
