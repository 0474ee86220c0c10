"""`--output junit`: one test case per invoice, so a CI system shows invoice defects as failed tests.

The layout is the JUnit XML that Jenkins, GitLab, Azure DevOps and GitHub
test-report actions read (the Jenkins xUnit plugin's `junit-10.xsd`): a
`testsuites` root with one `testsuite`. Each invoice is a `testcase` whose
`classname` is its format and whose `name` is its path (`path#n` for the n-th
invoice of a file). `error` and `invalid` invoices fail, with the findings as
the failure text; `route` and `bypass` pass, their warnings and notes in
`system-out`.

Counts belong on the root element, before the test cases, but a run is
streamed: the test cases are spooled to a temporary file and copied out
after the root, so memory stays constant however many invoices there are.
"""

from __future__ import annotations

import io
import re
import shutil
import socket
import tempfile
import time
from datetime import UTC, datetime
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from kassavirta.findings import CheckResult, Decision
from kassavirta.report import Summary
from kassavirta.report import text as text_report
from kassavirta.report.sinks import Whole

SUITE = "kassavirta check"
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(value: str) -> str:
    """Text XML 1.0 can carry: characters it forbids (control bytes in a message) become U+FFFD."""
    return _NOT_XML_CHAR.sub("\ufffd", value)


def _attr(value: str) -> str:
    return quoteattr(_clean(value))


def _text(value: str) -> str:
    return escape(_clean(value))


def findings_text(result: CheckResult) -> str:
    """The result as the text report prints it: headline, then each finding."""
    buffer = io.StringIO()
    text_report.write_result(result, buffer, escape=False)  # XML has its own rules
    return buffer.getvalue()


def testcase(result: CheckResult) -> str:
    """One `<testcase>` element for one invoice."""
    head = f"  <testcase classname={_attr(result.format or 'unknown')} name={_attr(result.label)}"
    failed = result.decision in (Decision.ERROR, Decision.INVALID)
    if not failed and not result.findings:
        return head + "/>\n"
    body = findings_text(result)
    if failed:
        message = f"{result.decision.value}: {', '.join(result.reasons)}"
        inner = (
            f"    <failure type={_attr(result.decision.value)} message={_attr(message)}>"
            f"{_text(body)}</failure>\n"
        )
    else:
        inner = f"    <system-out>{_text(body)}</system-out>\n"
    return f"{head}>\n{inner}  </testcase>\n"


class JUnitSink(Whole):
    """Streams test cases to a spool; `finish` writes the document with its counts."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        # Open for the sink's life, closed by finish(); deleted by the OS whatever happens.
        self.spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self.tests = 0
        self.failures = 0
        self.started = time.monotonic()
        self.timestamp = datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat()

    def add(self, result: CheckResult) -> None:
        self.tests += 1
        if result.decision in (Decision.ERROR, Decision.INVALID):
            self.failures += 1
        self.spool.write(testcase(result))

    def finish(self, summary: Summary) -> None:
        from kassavirta import __version__

        elapsed = f"{time.monotonic() - self.started:.3f}"
        counts = f'tests="{self.tests}" failures="{self.failures}" errors="0"'
        out = self.out
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f"<testsuites name={_attr(SUITE)} {counts} time={_attr(elapsed)}>\n")
        out.write(
            f'<testsuite name={_attr(SUITE)} {counts} skipped="0" time={_attr(elapsed)} '
            f"timestamp={_attr(self.timestamp)} hostname={_attr(socket.gethostname())}>\n"
        )
        out.write("  <properties>\n")
        properties = {
            "kassavirta.version": __version__,
            "files": str(summary.files),
            "invoices": str(summary.invoices),
            **{d.value: str(getattr(summary, d.value)) for d in Decision},
        }
        for name, value in properties.items():
            out.write(f"    <property name={_attr(name)} value={_attr(value)}/>\n")
        out.write("  </properties>\n")
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, out)
        self.spool.close()
        if summary.notes:
            out.write(f"  <system-out>{_text(chr(10).join(summary.notes))}</system-out>\n")
        out.write("</testsuite>\n</testsuites>\n")
        out.flush()
