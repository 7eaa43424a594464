"""Image files in folders, and the OCR of a list of them into a results folder.

The command line (``python -m modules.ocr``) and the demo notebook (``yolocrnn_demo``) list their
inputs here, so both read the same files from a folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from modules.imageio import ImageReadError, read_image, write_image
from modules.ocr.api import OCR
from modules.ocr.draw import draw_page
from modules.ocr.output_names import output_names
from modules.ocr.result import Page

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"})  # compared lower-case


def list_images(folder: str | Path) -> list[Path]:
    """The image files (by suffix, any case) directly in ``folder``, hidden ones left out, sorted; ``[]``
    when the folder does not exist."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES)


def list_inputs(target: Path, recursive: bool = False) -> list[Path]:
    """A file as given, or every non-hidden file of a folder (sorted). Non-image files are kept so that
    they are reported as skipped rather than silently ignored."""
    if target.is_file():
        return [target]
    if not target.is_dir():
        raise FileNotFoundError(f"{target}: no such file or folder")
    files = target.rglob("*") if recursive else target.iterdir()
    return sorted(p for p in files if p.is_file() and not p.name.startswith("."))


def skipped_folders(target: Path, recursive: bool = False) -> list[Path]:
    """The non-hidden sub-folders of ``target`` that are not read (all of them without ``recursive``)."""
    if recursive or not target.is_dir():
        return []
    return sorted(p for p in target.iterdir() if p.is_dir() and not p.name.startswith("."))


def ocr_files(ocr: OCR, paths: Sequence[Path], out_dir: str | Path,
              log: Callable[[str], None] = print) -> tuple[list[Page], list[np.ndarray]]:
    """Read every file of ``paths`` with ``ocr``; for each, write ``<name>.json`` (the page) and ``<name>.jpg``
    (the image with its boxes and text drawn) into ``out_dir``, ``<name>`` distinct per file
    (``modules.ocr.output_names``). A file that is not a readable image is reported through ``log`` and
    skipped. Returns the pages (``source`` = the file's path) and the drawings (``(H, W, 3) uint8`` RGB),
    in input order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = output_names(list(paths))  # photo.jpg and photo.png get distinct result files
    pages: list[Page] = []
    drawn: list[np.ndarray] = []
    for path in paths:
        try:
            image = read_image(path)
        except ImageReadError as error:
            log(f"skipped: {error}")
            continue
        page = replace(ocr(image), source=str(path))
        page.save(out / f"{names[path]}.json")
        picture = draw_page(image, page)
        write_image(out / f"{names[path]}.jpg", picture)
        pages.append(page)
        drawn.append(picture)
    return pages, drawn
