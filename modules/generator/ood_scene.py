"""The out-of-distribution scene renderer: a scene as ``render_scene`` draws it, then photographed
differently from anything the training scenes show.

The whole image is tilted in perspective (the camera not facing the wall), lit unevenly, given a
glare, blurred or shaken, shrunk and enlarged again (a cheap sensor) and grained; every word and
character quad moves with the perspective. Used only for the AIHub-format OOD dev scenes
(``data/ood_*``, held-out font families), never for training.
"""

from __future__ import annotations

import cv2
import numpy as np

from modules.generator import effects
from modules.generator.scene import Quad, Scene, SceneWord

MAX_TILT = 0.12  # each corner moves inward by up to this share of the side


def _move(quad: Quad, matrix: np.ndarray) -> Quad:
    pts = cv2.perspectiveTransform(np.array(quad, np.float64).reshape(-1, 1, 2), matrix).reshape(-1, 2)
    return tuple((round(float(x), 1), round(float(y), 1)) for x, y in pts)


def photograph(rng: np.random.Generator, scene: Scene) -> Scene:
    """``scene`` re-shot: perspective tilt (quads moved with it), uneven light, glare, blur or motion
    blur, low resolution and noise. Same image size; ``(H, W, 3) uint8 RGB``."""
    image = scene.image
    h, w = image.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(0, MAX_TILT, (4, 2)) * np.float32([w, h])
    dst = (src + jitter * np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    image = cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)  # no mirrored, unlabelled text
    image = effects.uneven_light(rng, image, rng.uniform(0.2, 0.5))
    if rng.random() < 0.4:
        image = effects.glare(rng, image)
    if rng.random() < 0.5:
        image = effects.gaussian_blur(image, rng.uniform(0.6, 1.4))
    else:
        image = effects.motion_blur(image, int(rng.integers(3, 7)), rng.uniform(-30, 30))
    if rng.random() < 0.5:
        image = effects.resample(image, rng.uniform(0.45, 0.75))
    image = effects.gaussian_noise(rng, image, rng.uniform(3.0, 9.0))
    words = tuple(SceneWord(word.text, _move(word.quad, matrix), tuple(_move(q, matrix) for q in word.char_quads),
                            word.vertical, word.illegible) for word in scene.words)
    return Scene(image, words)
