"""Typed errors. Each names the file and, where it has one, the line.

A batch never stops on these: `check` turns them into `invalid` results. They
escape only from the Python API calls that read one file or a settings file.
"""

from __future__ import annotations


class KassavirtaError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(KassavirtaError):
    """An input file cannot be used; `reason` is the decision reason slug."""

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        xpath: str | None = None,
        value: str | None = None,
    ) -> None:
        self.reason = reason
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.xpath = xpath
        self.value = value
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.reason}: {self.message}"


class ReadError(InputError):
    """The bytes are not safe, well-formed XML (`not-xml`, `unsafe-xml`)."""


class UnreadableField(InputError):
    """A field the service needs is present but cannot be read."""

    def __init__(self, message: str, **where: object) -> None:
        super().__init__("unreadable-field", message, **where)  # type: ignore[arg-type]


class SettingsError(KassavirtaError):
    """A settings, config or assignments file is wrong; names the file and key."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.message = message
        self.path = path
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.path or "<settings>"]
        if self.key:
            parts.append(f"key '{self.key}'")
        return ": ".join([*parts, self.message])


class SettingsWarning(UserWarning):
    """A settings file key the toolkit does not read (a misspelling?): ignored, unless the
    run asked for strict settings, where the warning is raised and the run stops (exit 2)."""


class OutputError(SettingsError):
    """An output path cannot be written (a folder, a FIFO, the input, a full disk); names it.

    A `SettingsError` so every command reports it as one line with exit status 2.
    """
