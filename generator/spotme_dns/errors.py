"""Errors that end a command with exit code 2: bad input, reported with where it was found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """Where in an input a problem was found."""

    path: str
    """File name as the user gave it (or `<stdin>`)."""
    line: int | None = None
    """1-based line, when known."""
    column: int | None = None
    """1-based column, when known."""

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input."""

    location: Location
    message: str
    code: str = "invalid"
    """Stable kebab-case id of the kind of problem."""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class InputError(Exception):
    """Bad input of any kind: carries every problem found, raised once."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...] | str, *, path: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(Location(path or "input"), problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SpecError(InputError):
    """The YAML spec is invalid."""
