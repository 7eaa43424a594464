"""Font list (``fonts.json``) and character coverage, so no glyph is ever drawn as an empty box.

Each font's character map is read with fontTools; a text is rendered with a font only when the
font maps every non-space character of it. A font file that cannot be read is reported and skipped.
The ``train`` / ``test`` split is by design family, so held-out fonts are designs, not weights, the
models never saw. The UnFonts and Baekmuk families are reserved for independent evaluation: a font
of theirs is refused wherever it is listed (``reserved_reason``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

SPLITS = ("train", "test")
# UnFonts (fonts-unfonts-core / -extra: UnBatang, UnDotum, UnGraphic, ...) and Baekmuk: never rendered.
RESERVED = re.compile(r"baekmuk|unfonts|\bUn ?(Batang|Dotum|Graphic|Gungseo|Pilgia?|Pen|Penheulim|Taza|Shinmun|"
                      r"Yetgul|Jamo\w*|Vada|Guseul|Bom)\b", re.IGNORECASE)


def licence_name(package: str) -> str:
    """The file in ``fonts/licenses`` with the licence of a font ``package`` as ``fonts.json`` names it: a
    Debian package's copyright file, or ``npm-<scope>-<name>.txt`` for ``npm:@scope/name@version``."""
    if package.startswith("npm:"):
        return "npm-" + package[4:].rpartition("@")[0].lstrip("@").replace("/", "-") + ".txt"
    return f"{package}.txt"


def _code_points(text: str) -> set[int]:
    """The code points of the non-space characters of ``text``."""
    return {ord(ch) for ch in text if not ch.isspace()}


@dataclass(frozen=True)
class FontInfo:
    """One usable font: its path, style, split (``train`` / ``test``), mapped code points, design
    family and script (``ko`` fonts have Hangul, ``latin`` fonts only Latin)."""

    path: str
    style: str
    split: str
    codepoints: frozenset[int]
    family: str = ""
    script: str = "ko"

    @property
    def name(self) -> str:
        return Path(self.path).stem

    def covers(self, text: str) -> bool:
        """True when the font has a glyph for every non-space character of ``text``."""
        return self.codepoints.issuperset(_code_points(text))

    def missing(self, text: str) -> set[str]:
        """Characters of ``text`` the font lacks."""
        return {ch for ch in text if not ch.isspace() and ord(ch) not in self.codepoints}


@dataclass(frozen=True)
class FontProblem:
    """A font that was skipped, with the reason."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _font_names(font: TTFont) -> list[str]:
    """The family, full and typographic family names in the font's name table."""
    return [str(record) for record in font["name"].names if record.nameID in (1, 4, 16)] if "name" in font else []


def read_codepoints(path: str | os.PathLike[str]) -> frozenset[int]:
    """Code points mapped by the font's best cmap; raises ``ValueError`` for an unreadable file or a
    font of a reserved family (by its internal names)."""
    try:
        with TTFont(str(path), lazy=True, fontNumber=0) as font:
            cmap = font.getBestCmap()
            names = _font_names(font)
    except (OSError, TTLibError, AssertionError, KeyError, ValueError, IndexError, TypeError, UnicodeError) as error:
        raise ValueError(f"cannot read font ({type(error).__name__}: {error})") from error
    reason = reserved_reason(*names)
    if reason:
        raise ValueError(reason)
    if not cmap:
        raise ValueError("font has no usable character map")
    return frozenset(cmap)


def reserved_reason(*names: str) -> str:
    """Why a font named by any of ``names`` (file, family, package, internal names) may not be used:
    ``""`` when it may."""
    for name in names:
        if name and RESERVED.search(name.replace("_", " ").replace("-", " ")):
            return f"reserved for independent evaluation ({name!r}: UnFonts / Baekmuk are never used)"
    return ""


def load_fonts(
    fonts_dir: str | os.PathLike[str] = "textimagegenerator/fonts",
    split: str | None = None,
    required: str = "",
) -> tuple[list[FontInfo], list[FontProblem]]:
    """Read ``fonts_dir/fonts.json`` and every listed font's coverage.

    ``split`` keeps only the fonts of that split (``train`` / ``test``); ``None`` keeps all.
    ``required``: characters every kept font must cover (e.g. the printable ASCII); a font lacking
    some of them is reported and skipped. Returns ``(fonts, problems)``; problems are never raised.
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown font split {split!r}; valid: {', '.join(SPLITS)}")
    fonts_dir = Path(fonts_dir)
    listing = fonts_dir / "fonts.json"
    try:
        entries = json.loads(listing.read_text(encoding="utf-8"))["fonts"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{listing}: cannot read the font list ({error})") from error
    fonts: list[FontInfo] = []
    problems: list[FontProblem] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            problems.append(FontProblem(str(listing), f"malformed entry {entry!r}"))
            continue
        entry_split = entry.get("split", "train")
        if entry_split not in SPLITS:
            problems.append(FontProblem(entry["file"], f"unknown split {entry_split!r}"))
            continue
        if split is not None and entry_split != split:
            continue
        path = fonts_dir / entry["file"]
        family = str(entry.get("family", "")) or path.stem
        reason = reserved_reason(path.stem, family, str(entry.get("package", "")))
        if reason:
            problems.append(FontProblem(str(path), reason))
            continue
        try:
            codepoints = read_codepoints(path)
        except ValueError as error:
            problems.append(FontProblem(str(path), str(error)))
            continue
        info = FontInfo(str(path), str(entry.get("style", "unknown")), entry_split, codepoints, family,
                        str(entry.get("script", "ko")))
        lacking = info.missing(required)
        if lacking:
            shown = "".join(sorted(lacking))[:20]
            problems.append(FontProblem(str(path), f"lacks {len(lacking)} required characters ({shown!r})"))
            continue
        fonts.append(info)
    return fonts, problems


def fonts_covering(text: str, fonts: Sequence[FontInfo]) -> list[FontInfo]:
    """The fonts of ``fonts`` that have every character of ``text``."""
    wanted = _code_points(text)
    return [font for font in fonts if font.codepoints.issuperset(wanted)]
