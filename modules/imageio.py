"""Unicode-safe image reading and atomic writing.

OpenCV's ``imread``/``imwrite`` cannot open paths with Hangul on Windows, so every reader in the
project goes through bytes + ``cv2.imdecode`` instead. Arrays are ``(H, W, 3) uint8 RGB`` or
``(H, W) uint8`` grayscale.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np


class ImageReadError(ValueError):
    """An image file is missing, empty or cannot be decoded; the message names the file."""


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _may_be_transparent(data: bytes) -> bool:
    """True for a PNG with an alpha channel or a transparent colour (``tRNS`` before the pixel data) and
    for any WebP; other images are decoded as before (OpenCV applies JPEG EXIF orientation then)."""
    if data.startswith(PNG_SIGNATURE) and len(data) > 25:
        if data[25] in (4, 6):  # IHDR colour type: grey + alpha, RGB + alpha
            return True
        pixels = data.find(b"IDAT")
        return b"tRNS" in data[: pixels if pixels > 0 else len(data)]
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def composite_on_white(image: np.ndarray) -> np.ndarray:
    """``(H, W, 4)`` RGBA (or BGRA: the channel order is kept) uint8 -> ``(H, W, 3)`` uint8 over a white
    background, so transparent pixels read as paper, not as the black their colour channels often hold."""
    alpha = image[:, :, 3:4].astype(np.float32) / 255.0
    over = image[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
    return np.clip(np.rint(over), 0, 255).astype(np.uint8)


def _decode_transparent(data: bytes, gray: bool) -> np.ndarray | None:
    """Decode keeping the alpha channel and composite it on white; None when the image has no alpha."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.ndim != 3 or image.shape[2] != 4:
        return None
    if image.dtype == np.uint16:
        image = np.rint(image.astype(np.float32) / 257.0).astype(np.uint8)
    rgb = cv2.cvtColor(composite_on_white(image), cv2.COLOR_BGR2RGB)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if gray else rgb


def decode_image(data: bytes, gray: bool = False, source: str = "<bytes>") -> np.ndarray:
    """Decode encoded image bytes (JPEG, PNG, ...) to ``(H, W, 3)`` RGB or ``(H, W)`` uint8.

    Transparent PNG / WebP pixels are composited on white (``composite_on_white``)."""
    if not data:
        raise ImageReadError(f"{source}: empty file")
    if _may_be_transparent(data):
        image = _decode_transparent(data, gray)
        if image is not None:
            return image
    flag = cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flag)
    if image is None or image.size == 0:
        raise ImageReadError(f"{source}: not a decodable image")
    return image if gray else cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def read_image(path: str | os.PathLike[str], gray: bool = False) -> np.ndarray:
    """Read an image from a (possibly Unicode) path; raises ``ImageReadError`` naming the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImageReadError(f"{path}: cannot read ({error.strerror or error})") from error
    return decode_image(data, gray=gray, source=str(path))


def encode_image(image: np.ndarray, ext: str = ".jpg", quality: int = 95) -> bytes:
    """Encode an RGB ``(H, W, 3)`` or gray ``(H, W)`` uint8 array to bytes of the format ``ext``."""
    array = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)] if ext.lower() in (".jpg", ".jpeg") else []
    ok, buffer = cv2.imencode(ext, array, params)
    if not ok:
        raise ValueError(f"cannot encode image as {ext}")
    return buffer.tobytes()


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file + rename, so a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_image(path: str | os.PathLike[str], image: np.ndarray, quality: int = 95) -> None:
    """Encode ``image`` (RGB or gray uint8) by the path's extension and write it atomically."""
    path = Path(path)
    write_bytes_atomic(path, encode_image(image, ext=path.suffix or ".jpg", quality=quality))
