"""Validation of encoded image bytes before they go into an lmdb.

Two modes:

- ``structure`` (default): checks the file without decoding pixels. JPEG: the checks libjpeg makes
  before decoding (segment chain, quantisation and Huffman tables, frame and scan headers) and the
  EOI marker at the end (a truncated copy, the common failure on Colab / Drive, has none; OpenCV
  decodes it with a warning and a grey bottom). PNG: every chunk's length and CRC-32, IHDR first,
  IDAT present, IEND last. Other formats are decoded. On randomly damaged JPEGs this refuses about
  95% of what a full OpenCV decode refuses (plus the truncated ones it accepts), at a fraction of
  the cost; libjpeg decodes corrupt entropy-coded data with a warning anyway.
- ``decode``: the same checks, then a full OpenCV grayscale decode (the reference tool's test).

Both return ``((width, height), "")`` or ``(None, reason)``.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

import cv2
import numpy as np

VALIDATE_MODES = ("structure", "decode")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def _huffman_ok(body: bytes) -> tuple[bool, int]:
    """Check one DHT table (class/id byte, 16 counts, symbols) as libjpeg does; returns (ok, size)."""
    if len(body) < 17:
        return False, 0
    tc, th = body[0] >> 4, body[0] & 0x0F
    counts = body[1:17]
    total = sum(counts)
    if tc > 1 or th > 3 or total > 256 or len(body) < 17 + total:
        return False, 0
    code = 0
    for bits, count in enumerate(counts, start=1):
        code += count
        if code > (1 << bits) or (code == (1 << bits) and count):  # the all-ones code is reserved
            return False, 0
        code <<= 1
    if tc == 0 and any(symbol > 15 for symbol in body[17 : 17 + total]):
        return False, 0
    return True, 17 + total


@lru_cache(maxsize=256)
def _tables(marker: int, body: bytes) -> tuple[frozenset[int], frozenset[int]] | None:
    """DQT / DHT segment: ``(quantisation ids, Huffman ids as class * 4 + id)`` or None if invalid.

    Cached: files from one encoder repeat the same table segments, so each is checked once.
    """
    quant, huffman = set(), set()
    pos = 0
    while pos < len(body):
        if marker == 0xDB:
            precision, table = body[pos] >> 4, body[pos] & 0x0F
            size = 1 + 64 * (2 if precision else 1)
            if precision > 1 or table > 3 or pos + size > len(body):
                return None
            quant.add(table)
        else:
            ok, size = _huffman_ok(body[pos:])
            if not ok:
                return None
            huffman.add((body[pos] >> 4) * 4 + (body[pos] & 0x0F))
        pos += size
    return frozenset(quant), frozenset(huffman)


def _frame(body: bytes, quant: set[int]) -> tuple[tuple[int, int], set[int]] | None:
    """SOF: ``((width, height), component ids)`` or None when malformed."""
    if len(body) < 6:
        return None
    height, width = struct.unpack(">HH", body[1:5])
    count = body[5]
    if body[0] not in (8, 12, 16) or not 1 <= count <= 4 or len(body) != 6 + 3 * count:
        return None
    ids = set()
    for i in range(count):
        cid, sampling, table = body[6 + 3 * i : 9 + 3 * i]
        if not (1 <= sampling >> 4 <= 4 and 1 <= sampling & 0x0F <= 4) or table not in quant:
            return None
        ids.add(cid)
    return (width, height), ids


def jpeg_structure(data: bytes) -> tuple[tuple[int, int] | None, str]:
    """``((width, height), "")`` when the JPEG's headers are valid (the checks libjpeg makes before
    decoding: tables, frame, scan) and the file ends with EOI; else ``(None, reason)``.

    Crops from one encoder share their headers except the frame size, so a header (everything up
    to the first scan) that passed is remembered without its size bytes: a later file whose header
    hops the same way to the same bytes passes without the full walk. Failures always re-walk."""
    if data[-2:] != b"\xff\xd9" and data.rfind(b"\xff\xd9", max(0, len(data) - 1024)) < 0:
        return None, "jpeg_truncated"
    pos, end, sof = 2, len(data), -1
    while pos + 4 <= end and data[pos] == 0xFF:  # hop marker to marker, as _jpeg_headers does
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        stop = pos + 2 + ((data[pos + 2] << 8) | data[pos + 3])
        if marker in _SOF and sof < 0:
            sof = pos
        elif marker == 0xDA:
            if sof < 0 or stop > end:
                break
            template = data[:sof + 5] + data[sof + 9 : stop]
            if template not in _PASSED:
                size, reason = _jpeg_headers(data[:stop])
                if size is None:
                    return size, reason
                if len(_PASSED) >= 4096:
                    _PASSED.clear()
                _PASSED.add(template)
            height, width = struct.unpack(">HH", data[sof + 5 : sof + 9])
            return ((width, height), "") if width and height else (None, "empty_image")
        pos = stop
    return _jpeg_headers(data)


_PASSED: set[bytes] = set()  # header templates that passed _jpeg_headers (bounded; see jpeg_structure)


def _jpeg_headers(data: bytes) -> tuple[tuple[int, int] | None, str]:
    """Walk the segments from SOI to the first scan (see ``jpeg_structure``)."""
    pos, end = 2, len(data)
    frame: tuple[tuple[int, int], set[int]] | None = None
    quant: set[int] = set()
    huffman = {0, 1, 4, 5}  # libjpeg-turbo substitutes the standard tables for DC/AC 0 and 1
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return None, "jpeg_corrupt"
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        if marker in (0xD8, 0xD9):
            return None, "jpeg_corrupt"
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if length < 2 or pos + 2 + length > end:
            return None, "jpeg_corrupt"
        body = data[pos + 4 : pos + 2 + length]
        if marker in (0xDB, 0xC4):
            tables = _tables(marker, body)
            if tables is None:
                return None, "jpeg_corrupt"
            quant |= tables[0]
            huffman |= tables[1]
        elif marker in _SOF:
            frame = _frame(body, quant)
            if frame is None:
                return None, "jpeg_corrupt"
        elif marker == 0xDA:  # start of scan: entropy-coded data follows up to EOI
            count = body[0] if body else 0
            if frame is None or not 1 <= count <= 4 or len(body) != 4 + 2 * count:
                return None, "jpeg_corrupt"
            for i in range(count):
                component, tables = body[1 + 2 * i], body[2 + 2 * i]
                if component not in frame[1] or (tables >> 4) not in huffman or 4 + (tables & 0x0F) not in huffman:
                    return None, "jpeg_corrupt"
            size = frame[0]
            return (None, "empty_image") if 0 in size else (size, "")
        pos += 2 + length
    return None, "jpeg_corrupt"


def png_structure(data: bytes) -> tuple[tuple[int, int] | None, str]:
    """``((width, height), "")`` when every PNG chunk is complete with a correct CRC."""
    pos, end = 8, len(data)
    size, has_idat, first = None, False, True
    while pos + 12 <= end:
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        stop = pos + 8 + length
        if stop + 4 > end:
            return None, "png_truncated"
        if zlib.crc32(data[pos + 4 : stop]) != struct.unpack(">I", data[stop : stop + 4])[0]:
            return None, "png_corrupt"
        if first:
            if kind != b"IHDR" or length < 8:
                return None, "png_corrupt"
            size = struct.unpack(">II", data[pos + 8 : pos + 16])
            first = False
        has_idat = has_idat or kind == b"IDAT"
        if kind == b"IEND":
            if not has_idat or size is None:
                return None, "png_corrupt"
            return (size, "") if 0 not in size else (None, "empty_image")
        pos = stop + 4
    return None, "png_truncated"


def check_image(data: bytes, validate: str = "structure") -> tuple[tuple[int, int] | None, str]:
    """Validate encoded image bytes (see the module docstring for the modes)."""
    if validate not in VALIDATE_MODES:
        raise ValueError(f"validate must be one of {VALIDATE_MODES}, got {validate!r}")
    if not data:
        return None, "empty_file"
    if data[:2] == b"\xff\xd8":
        size, reason = jpeg_structure(data)
    elif data[:8] == PNG_SIGNATURE:
        size, reason = png_structure(data)
    else:
        size, reason = None, ""
    if reason:
        return None, reason
    if size is not None and validate == "structure":
        return size, ""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None or image.size == 0:
        return None, "undecodable"
    return size or (int(image.shape[1]), int(image.shape[0])), ""
