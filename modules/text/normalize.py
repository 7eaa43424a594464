"""Label normalisation shared by every reader and writer.

Labels are NFC-normalised when read (macOS and some tools produce NFD jamo sequences). A gt file
line is ``path<TAB>label<LF>``, so a label may not hold a tab or a line break: ``clean_label``
replaces each run of control characters and line breaks (``\r\n`` included) with one space and says
that it did, so callers can count it.
"""

from __future__ import annotations

import re
import unicodedata

# Control characters (C0, DEL, C1: tabs and every character str.splitlines() breaks on among them) and
# the Unicode line / paragraph separators: none may stay inside a gt-file label. A run becomes one space.
_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C (precomposed Hangul syllables)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def clean_label(text: str) -> tuple[str, bool]:
    """NFC-normalise ``text`` and replace each run of control characters / line breaks with one space
    (``"a\r\nb"`` -> ``"a b"``).

    Returns ``(label, altered)`` where ``altered`` is True when such a run was replaced.
    Leading and trailing spaces are kept (the reference format keeps them).
    """
    text = nfc(text)
    if not _BREAKING.search(text):
        return text, False
    return _BREAKING.sub(" ", text), True


def is_hangul_syllable(ch: str) -> bool:
    """True for the 11,172 precomposed syllables U+AC00..U+D7A3."""
    return "\uac00" <= ch <= "\ud7a3"


def is_jamo_only(text: str) -> bool:
    """True when ``text`` is non-empty and made only of Hangul jamo (U+1100..U+11FF, U+3130..U+318F)."""
    stripped = text.strip()
    return bool(stripped) and all(
        "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f" or ch.isspace() for ch in stripped
    )
