"""Rename AIHub image + label pairs with non-ASCII (Hangul) names to collision-free ASCII names.

Renaming is a convenience (every reader of the project opens Unicode paths); some outside tools
cannot. The seed stripped the Hangul, which turned ``간판_가로형간판_000001.jpg`` and
``간판_돌출간판_000001.jpg`` into one name; here the new stem is ``<prefix>_<first 12 hex digits of
the SHA-1 of the image's NFC path relative to the image folder, without extension>``: distinct paths
give distinct names, and the same file always gets the same name.

Safety:
- the mapping CSV (``old_image,new_image,old_label,new_label``) is written atomically, merged with
  earlier runs, BEFORE any file is touched;
- nothing is ever overwritten: an existing target is reported (``target_exists``) and left alone;
- the label JSON is rewritten with ``images[0].file_name`` = the new image name through a temporary
  file + rename, then the old label is removed; each step is idempotent, so a re-run after a crash
  finishes half-done pairs and a second complete run changes nothing;
- ``undo_renames`` restores every original name (and ``file_name``) from the CSV.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from modules.datasets.common import IMAGE_EXTS
from modules.datasets.files import iter_files
from modules.text.normalize import nfc

FIELDS = ("old_image", "new_image", "old_label", "new_label", "old_file_name")


@dataclass(frozen=True)
class RenameRow:
    """One image (+ label) rename; paths as strings, ``""`` where a pair has no label.
    ``old_file_name``: the label's original ``images[0].file_name``, restored by undo."""

    old_image: str
    new_image: str
    old_label: str
    new_label: str
    old_file_name: str = ""


def ascii_stem(relative_stem: str, prefix: str = "aihub") -> str:
    """``<prefix>_<sha1[:12]>`` of the NFC relative path (POSIX separators, no extension)."""
    key = nfc(relative_stem.replace("\\", "/"))
    return f"{prefix}_{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


def _file_name(label: Path | None) -> str:
    try:
        data = json.loads(label.read_text(encoding="utf-8-sig")) if label is not None else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return ""
    images = data.get("images") if isinstance(data, dict) else None
    if isinstance(images, list) and images and isinstance(images[0], dict):
        return str(images[0].get("file_name", ""))
    return ""


def plan_renames(
    image_dir: str | os.PathLike[str], label_dir: str | os.PathLike[str], prefix: str = "aihub"
) -> list[RenameRow]:
    """Rows for every image whose file name is not ASCII, paired with its label JSON by NFC stem."""
    image_dir, label_dir = Path(image_dir), Path(label_dir)
    labels: dict[str, Path] = {}
    for label in iter_files(label_dir, (".json",)) if label_dir.is_dir() else []:
        labels.setdefault(nfc(label.stem), label)
    rows = []
    for image in iter_files(image_dir, IMAGE_EXTS) if image_dir.is_dir() else []:
        if image.name.isascii():
            continue
        relative = image.relative_to(image_dir).with_suffix("").as_posix()
        stem = ascii_stem(relative, prefix)
        new_image = image.with_name(stem + image.suffix.lower())
        label = labels.get(nfc(image.stem))
        new_label = label.with_name(stem + ".json") if label is not None else None
        rows.append(RenameRow(str(image), str(new_image), str(label or ""), str(new_label or ""), _file_name(label)))
    return rows


def read_map(path: str | os.PathLike[str]) -> list[RenameRow]:
    """Rows of a mapping CSV (empty when the file does not exist)."""
    path = Path(path)
    if not path.exists():
        return []
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        rows = [RenameRow(*(row.get(f) or "" for f in FIELDS)) for row in csv.DictReader(handle)]
    bad = [row for row in rows if not row.old_image or not row.new_image]
    if bad:
        raise ValueError(f"{path}: {len(bad)} rows without old_image / new_image; is this a rename map?")
    return rows


def write_map(path: str | os.PathLike[str], rows: list[RenameRow]) -> None:
    """Write the mapping CSV atomically (UTF-8 with BOM so spreadsheet tools show Hangul)."""
    path = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([row.old_image, row.new_image, row.old_label, row.new_label, row.old_file_name])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8-sig")
    os.replace(tmp, path)


def _move(old: Path, new: Path, counts: Counter) -> None:
    """Rename ``old`` to ``new`` without ever overwriting; idempotent. Counts one ``image: <outcome>``."""
    if old.exists() and new.exists():
        counts["image: target_exists"] += 1
    elif old.exists():
        os.rename(old, new)
        counts["image: renamed"] += 1
    elif new.exists():
        counts["image: already_done"] += 1
    else:
        counts["image: missing"] += 1


def _load(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _with_name(data: object, image_name: str) -> object:
    """A copy of label ``data`` with ``images[0].file_name`` set (unchanged when it has none)."""
    copy = json.loads(json.dumps(data))
    images = copy.get("images") if isinstance(copy, dict) else None
    if isinstance(images, list) and images and isinstance(images[0], dict):
        images[0]["file_name"] = image_name
    return copy


def _relabel(old: Path, new: Path, image_name: str, counts: Counter) -> None:
    """Move a label JSON to ``new`` with ``images[0].file_name = image_name``; idempotent. Counts one
    ``label: <outcome>``: ``renamed``, ``updated`` (already moved, ``file_name`` fixed), ``finished`` (a crash
    left both files), ``already_done``, ``unreadable_moved`` (moved as it is), ``target_exists``, ``missing``."""
    source = old if old.exists() else new
    if not source.exists():
        counts["label: missing"] += 1
        return
    data = _load(source)
    if old.exists() and new.exists():
        if data is not None and _with_name(data, image_name) == _load(new):
            os.remove(old)  # a crash came between writing the new label and removing the old one
            counts["label: finished"] += 1
        else:
            counts["label: target_exists"] += 1
        return
    images = data.get("images") if isinstance(data, dict) else None
    if isinstance(images, list) and images and isinstance(images[0], dict):
        if images[0].get("file_name") != image_name or source != new:
            images[0]["file_name"] = image_name
            tmp = new.with_name(f".{new.name}.tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, new)
            counts["label: renamed" if source != new else "label: updated"] += 1
        else:
            counts["label: already_done"] += 1
    elif source != new:  # unreadable JSON: move it as it is, never lose it
        os.replace(source, new)
        counts["label: unreadable_moved"] += 1
        return
    else:
        counts["label: already_done"] += 1
    if old.exists() and new.exists():
        os.remove(old)


def _apply(rows: list[RenameRow], undo: bool) -> Counter:
    counts: Counter = Counter()
    for row in reversed(rows) if undo else rows:
        src_image, dst_image = (row.new_image, row.old_image) if undo else (row.old_image, row.new_image)
        _move(Path(src_image), Path(dst_image), counts)
        if row.old_label:
            src_label, dst_label = (row.new_label, row.old_label) if undo else (row.old_label, row.new_label)
            name = (row.old_file_name or Path(dst_image).name) if undo else Path(dst_image).name
            _relabel(Path(src_label), Path(dst_label), name, counts)
    return counts


def _under(path: str, folder: Path) -> bool:
    try:
        Path(path).relative_to(folder)
    except ValueError:
        return False
    return True


def rename_pairs(
    image_dir: str | os.PathLike[str], label_dir: str | os.PathLike[str], map_csv: str | os.PathLike[str],
    prefix: str = "aihub", dry_run: bool = False,
) -> tuple[list[RenameRow], Counter]:
    """Plan, record (CSV first) and apply the renames; returns the new rows and counts by outcome.

    Counts are one ``image: <outcome>`` per image row and one ``label: <outcome>`` per label file
    (``_move`` / ``_relabel``), so they add up to the rows of ``image_dir``. Rows of earlier runs in
    ``map_csv`` are kept; those of ``image_dir`` are re-applied idempotently (finishing pairs a crash left
    half done), those of other folders sharing the CSV are left to their own call. With ``dry_run`` nothing
    is written: the planned rows are returned with ``image: would_rename`` / ``label: would_rename``.
    """
    planned = plan_renames(image_dir, label_dir, prefix)
    if dry_run:
        return planned, Counter({"image: would_rename": len(planned),
                                 "label: would_rename": sum(bool(r.old_label) for r in planned)})
    earlier = read_map(map_csv)
    known = {row.old_image for row in earlier}
    rows = earlier + [row for row in planned if row.old_image not in known]
    targets = Counter(row.new_image for row in rows)
    clashes = [name for name, n in targets.items() if n > 1]
    if clashes:
        raise ValueError(f"two images would get the same name, nothing renamed: {clashes[:3]}")
    write_map(map_csv, rows)
    folder = Path(image_dir)
    return planned, _apply([row for row in rows if _under(row.old_image, folder)], undo=False)


def _would_restore(new: str, old: str) -> str:
    """The outcome an undo would have for one file: ``would_restore``, ``already_done``, ``target_exists``,
    ``missing``."""
    now, before = Path(new).exists(), Path(old).exists()
    if now and before:
        return "target_exists"
    return "would_restore" if now else "already_done" if before else "missing"


def undo_renames(map_csv: str | os.PathLike[str], dry_run: bool = False) -> Counter:
    """Restore every original name listed in ``map_csv`` (and ``file_name`` inside the labels).

    Counts as ``rename_pairs`` (``image: renamed`` is a restored name). With ``dry_run`` nothing changes and
    the counts say what an undo would do: ``image: would_restore`` / ``label: would_restore``, and
    ``already_done``, ``target_exists``, ``missing`` for the others."""
    rows = read_map(map_csv)
    if dry_run:
        counts: Counter = Counter()
        for row in rows:
            counts[f"image: {_would_restore(row.new_image, row.old_image)}"] += 1
            if row.old_label:
                counts[f"label: {_would_restore(row.new_label, row.old_label)}"] += 1
        return counts
    return _apply(rows, undo=True)


def outcome_summary(counts: Counter) -> str:
    """``counts`` as one line per kind with its total: ``images 30: renamed 28, target_exists 2``."""
    lines = []
    for kind in ("image", "label"):
        mine = {k.split(": ", 1)[1]: n for k, n in sorted(counts.items()) if k.startswith(f"{kind}: ") and n}
        if mine:
            lines.append(f"{kind}s {sum(mine.values())}: " + ", ".join(f"{k} {n}" for k, n in mine.items()))
    return "\n".join(lines) or "nothing to do"
