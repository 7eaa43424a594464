"""Charsets: the ordered list of characters a recognizer can output.

A charset is a versioned UTF-8 text file whose line order defines the class ids; it travels inside
every checkpoint, so a model never loads with a different one silently.

File format (version 1)::

    #kocr-charset v1
    가
    각
    \\s
    ...

The first line is the header. Every following line holds exactly one character, with three escapes:
``\\s`` is a space, ``\\\\`` a backslash and ``\\uXXXX`` (or ``\\UXXXXXXXX``) any code point, used for
invisible characters. ``#`` on a line after the header is the character ``#``. Blank lines are errors.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from modules.text.normalize import nfc

HEADER = "#kocr-charset v1"


class CharsetError(ValueError):
    """A charset file or list is malformed; the message names the file and line."""


def _escape(ch: str) -> str:
    if ch == " ":
        return "\\s"
    if ch == "\\":
        return "\\\\"
    if not ch.isprintable():
        return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
    return ch


def _unescape(token: str, where: str) -> str:
    if token == "\\s":
        return " "
    if token == "\\\\":
        return "\\"
    if token.startswith(("\\u", "\\U")):
        try:
            return chr(int(token[2:], 16))
        except ValueError as error:
            raise CharsetError(f"{where}: bad escape {token!r}") from error
    if len(token) != 1:
        raise CharsetError(f"{where}: expected one character, got {token!r}")
    return token


@dataclass(frozen=True)
class Charset:
    """An ordered, duplicate-free tuple of single characters (NFC)."""

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for ch in self.chars:
            if len(ch) != 1:
                raise CharsetError(f"charset entries must be single characters, got {ch!r}")
            if ch in seen:
                raise CharsetError(f"duplicate character {ch!r} (U+{ord(ch):04X}) in charset")
            seen.add(ch)

    @classmethod
    def from_chars(cls, chars: Iterable[str]) -> "Charset":
        """Build from an iterable of characters, keeping the first occurrence of each (NFC)."""
        ordered: dict[str, None] = {}
        for ch in chars:
            for c in nfc(ch):
                ordered.setdefault(c, None)
        return cls(tuple(ordered))

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> "Charset":
        """Read a charset file (format in the module docstring)."""
        path = Path(path)
        lines = path.read_text(encoding="utf-8").split("\n")
        if not lines or lines[0].strip() != HEADER:
            raise CharsetError(f"{path}: first line must be {HEADER!r}")
        if lines and lines[-1] == "":
            lines = lines[:-1]
        chars = []
        for number, line in enumerate(lines[1:], start=2):
            line = line.rstrip("\r")
            if line == "":
                raise CharsetError(f"{path}:{number}: blank line (write a space as \\s)")
            chars.append(_unescape(line, f"{path}:{number}"))
        return cls(tuple(chars))

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the charset file atomically."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(HEADER + "\n" + "".join(_escape(c) + "\n" for c in self.chars), encoding="utf-8")
        os.replace(tmp, path)

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, ch: object) -> bool:
        return ch in self.index

    @cached_property
    def index(self) -> dict[str, int]:
        """Character -> position in the charset (0-based)."""
        return {c: i for i, c in enumerate(self.chars)}

    def missing(self, label: str) -> set[str]:
        """Characters of ``label`` that are not in the charset."""
        return {c for c in label if c not in self.index}

    def covers(self, label: str) -> bool:
        """True when every character of ``label`` is in the charset."""
        return all(c in self.index for c in label)

    def union(self, *others: Iterable[str]) -> "Charset":
        """This charset followed by the new characters of ``others`` in their order."""
        return Charset.from_chars([*self.chars, *(c for other in others for c in other)])


def ksx1001_hangul() -> tuple[str, ...]:
    """The 2,350 Hangul syllables of KS X 1001, found by decoding every EUC-KR code point.

    (Encoding with ``str.encode('euc-kr')`` is wrong: CPython writes missing syllables as 8-byte jamo
    sequences without error.)
    """
    out = []
    for lead in range(0xB0, 0xC9):
        for trail in range(0xA1, 0xFF):
            try:
                out.append(bytes([lead, trail]).decode("euc-kr"))
            except UnicodeDecodeError:
                continue
    return tuple(out)


def all_hangul() -> tuple[str, ...]:
    """All 11,172 precomposed Hangul syllables U+AC00..U+D7A3."""
    return tuple(chr(c) for c in range(0xAC00, 0xD7A4))


def printable_ascii() -> tuple[str, ...]:
    """The 95 printable ASCII characters, space included."""
    return tuple(chr(c) for c in range(0x20, 0x7F))
