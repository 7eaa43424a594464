"""Every ``docs/FORMATS.md §n`` cited in the code and docs is a numbered section of docs/FORMATS.md, and no
citation still names the old, absent ``FORMATS §n``."""

from __future__ import annotations

import re
from pathlib import Path

CITATION = re.compile(r"docs/FORMATS\.md §(\d+)")
BARE = re.compile(r"(?<![\w/])FORMATS(?:\.md)?(?: §| section )\d")
HEADING = re.compile(r"^## (\d+)\. ", re.MULTILINE)


def _cited_files(root: Path) -> list[Path]:
    files = [p for folder in ("modules", "tests", "tools") for p in (root / folder).rglob("*.py")]
    return files + sorted(root.glob("*.md")) + [root / "textimagegenerator" / "README.md"]


def test_every_formats_citation_has_a_section(repo_root: Path) -> None:
    doc = (repo_root / "docs" / "FORMATS.md").read_text(encoding="utf-8")
    sections = {int(n) for n in HEADING.findall(doc)}
    cited: dict[int, list[str]] = {}
    bare = []
    for path in _cited_files(repo_root):
        text = path.read_text(encoding="utf-8")
        for number in CITATION.findall(text):
            cited.setdefault(int(number), []).append(str(path.relative_to(repo_root)))
        bare += [f"{path.relative_to(repo_root)}: {m.group(0)}" for m in BARE.finditer(text)]
    assert len(cited) >= 7, f"expected citations of sections 1-7 in the code, found {sorted(cited)}"
    missing = {n: where for n, where in cited.items() if n not in sections}
    assert not missing, f"citations of sections docs/FORMATS.md does not have: {missing}"
    assert not bare, f"citations without the docs/ path: {bare}"
    inside = {int(n) for n in re.findall(r"§(\d+)", doc)}
    assert inside <= sections, f"docs/FORMATS.md refers to its own missing sections {inside - sections}"
