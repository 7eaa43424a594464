"""One distinct output name per input image, so per-image outputs written into one folder
(``<name>.jpg`` drawings, ``<name>.json`` pages) never overwrite each other."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path


def output_names(paths: Sequence[Path], root: Path | None = None) -> dict[Path, str]:
    """Input path -> file name stem for its outputs, distinct across ``paths``.

    The stem is the path relative to ``root`` (the file name alone when ``root`` is None or does not
    hold it) without its extension, folders joined by ``__`` (``sub/photo.jpg`` -> ``sub__photo``).
    Inputs that would share a stem keep their extension in it (``photo.jpg``, ``photo.png`` ->
    ``photo_jpg``, ``photo_png``); a name still taken after that gets ``-2``, ``-3``... in input order.
    Names are compared case-insensitively, as Windows and macOS file systems compare them.
    """

    def parts(path: Path) -> tuple[str, ...]:
        if root is not None:
            try:
                return path.relative_to(root).parts
            except ValueError:
                pass
        return (path.name,)

    def stem(path: Path, keep_suffix: bool) -> str:
        *folders, name = parts(path)
        base = Path(name).stem if Path(name).suffix else name
        if keep_suffix and Path(name).suffix:
            base += "_" + Path(name).suffix.lstrip(".")
        return "__".join([*folders, base])

    plain = {path: stem(path, keep_suffix=False) for path in paths}
    shared = Counter(name.casefold() for name in plain.values())
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for path in paths:
        name = plain[path] if shared[plain[path].casefold()] == 1 else stem(path, keep_suffix=True)
        unique, count = name, 1
        while unique.casefold() in taken:
            count += 1
            unique = f"{name}-{count}"
        taken.add(unique.casefold())
        names[path] = unique
    return names
