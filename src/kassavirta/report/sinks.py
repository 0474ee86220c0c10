"""Where a batch's results go: one sink per output format, fed as results become final.

A sink takes each final result (`add`), then the summary (`finish`). Every
output but `--output json` writes a result as soon as it comes, so that a run
over millions of files holds none of them. A run hands its results over as
`pipeline.final.Final`s (`take`): the JSON Lines sink writes the line a
worker wrote without opening the result; the others take each result whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TextIO

from kassavirta.findings import CheckResult, Decision
from kassavirta.report import Summary
from kassavirta.report import json as json_report
from kassavirta.report import text as text_report

if TYPE_CHECKING:
    from kassavirta.pipeline.final import Final


class Sink(Protocol):
    """An output format: takes each final result, then the summary."""

    lines: bool
    """Whether the sink writes each result as its JSON line (`report.json.encode_line`), which
    a run's workers can then write where the result is made."""

    def add(self, result: CheckResult) -> None: ...

    def take(self, final: Final) -> None: ...

    def finish(self, summary: Summary) -> None: ...


class Whole:
    """A sink that needs each result whole: `take` opens it."""

    lines = False

    def add(self, result: CheckResult) -> None:
        raise NotImplementedError

    def take(self, final: Final) -> None:
        self.add(final.result)


class _StreamSink(Whole):
    """A sink writing to one text stream: the summary last, then the stream flushed."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write_summary(self, summary: Summary) -> None:
        raise NotImplementedError

    def finish(self, summary: Summary) -> None:
        self.write_summary(summary)
        self.out.flush()


class TextSink(_StreamSink):
    def __init__(self, out: TextIO, *, quiet: bool = False) -> None:
        super().__init__(out)
        self.quiet = quiet
        self.colour = text_report.colour_wanted(out)

    def add(self, result: CheckResult) -> None:
        if not self.quiet or result.decision is not Decision.ROUTE:
            text_report.write_result(result, self.out, colour=self.colour)

    def write_summary(self, summary: Summary) -> None:
        text_report.write_summary(summary, self.out, colour=self.colour)


class JsonlSink(_StreamSink):
    """One line per result as soon as it is final, then the summary line."""

    lines = True

    def add(self, result: CheckResult) -> None:
        json_report.write_line(result, self.out)

    def take(self, final: Final) -> None:
        line = final.line
        if line is None:  # written in this process, or changed here (an in-run duplicate)
            line = json_report.encode_line(final.result)
        json_report.write_encoded(line, self.out)

    def write_summary(self, summary: Summary) -> None:
        json_report.write_summary_line(summary, self.out)


class JsonSink(_StreamSink):
    """One JSON document: the only output that must hold every result until the end."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self.kept: list[CheckResult] = []

    def add(self, result: CheckResult) -> None:
        self.kept.append(result)

    def write_summary(self, summary: Summary) -> None:
        json_report.write_document(self.kept, summary, self.out)


def make_sink(output: str, out: TextIO, *, quiet: bool = False) -> Sink:
    if output == "json":
        return JsonSink(out)
    if output == "jsonl":
        return JsonlSink(out)
    if output == "junit":
        from kassavirta.report.junit import JUnitSink

        return JUnitSink(out)
    if output == "sarif":
        from kassavirta.report.sarif import SarifSink

        return SarifSink(out)
    return TextSink(out, quiet=quiet)
