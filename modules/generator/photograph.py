"""A drawn scene photographed: the whole image tilted in perspective (the camera not facing the wall), lit
unevenly, given a glare, blurred or shaken, shrunk and enlarged again (a cheap sensor) and grained; every
word and character quad moves with the perspective.

Two settings: ``TRAIN_PHOTO`` re-shoots a share of the training scenes (``sample_datasets.P_RESHOOT``: the
detector trained on them finds more words in the OOD dev scenes, docs/experiments.md, 2026-12-05);
``OOD_PHOTO`` re-shoots the AIHub-format OOD dev scenes (``data/ood_*``, held-out font families) with
ranges that reach past the training ones (more tilt, light, blur, lower resolution, more grain), so those
scenes still measure what the models make of photos taken worse than any they trained on. Never train on
``OOD_PHOTO``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from modules.generator import effects
from modules.generator.scene import Quad, Scene, SceneWord

STEPS = ("tilt", "uneven light", "glare", "blur", "low resolution", "noise")  # a re-shoot's steps, in order


@dataclass(frozen=True)
class PhotoConfig:
    """The ranges of a re-shoot (``(low, high)`` draws are uniform)."""

    max_tilt: float  # each corner moves inward by up to this share of the side
    light: tuple[float, float]  # strength of the uneven light (effects.uneven_light)
    p_glare: float
    p_gaussian: float  # a Gaussian blur, else a motion blur
    blur_sigma: tuple[float, float]  # pixels
    motion_length: tuple[int, int]  # pixels, the high end excluded
    motion_angle: float  # +- degrees
    p_lowres: float
    lowres: tuple[float, float]  # down-scale factor before enlarging again
    noise: tuple[float, float]  # grain sigma, grey levels
    glare_scale: float = 1.0  # the glare drawn at this share of the image size (effects.glare; < 1: cheaper)


OOD_PHOTO = PhotoConfig(max_tilt=0.12, light=(0.2, 0.5), p_glare=0.4, p_gaussian=0.5, blur_sigma=(0.6, 1.4),
                        motion_length=(3, 7), motion_angle=30.0, p_lowres=0.5, lowres=(0.45, 0.75), noise=(3.0, 9.0))
TRAIN_PHOTO = PhotoConfig(max_tilt=0.08, light=(0.1, 0.35), p_glare=0.3, p_gaussian=0.5, blur_sigma=(0.3, 1.0),
                          motion_length=(2, 5), motion_angle=20.0, p_lowres=0.5, lowres=(0.6, 0.9), noise=(1.0, 6.0),
                          glare_scale=0.25)


def _move(quad: Quad, matrix: np.ndarray) -> Quad:
    pts = cv2.perspectiveTransform(np.array(quad, np.float64).reshape(-1, 1, 2), matrix).reshape(-1, 2)
    return tuple((round(float(x), 1), round(float(y), 1)) for x, y in pts)


def photograph(rng: np.random.Generator, scene: Scene, config: PhotoConfig, steps: Iterable[str] = STEPS) -> Scene:
    """``scene`` re-shot with ``config``'s ranges: perspective tilt (quads moved with it), uneven light,
    glare, blur or motion blur, low resolution and noise. Same image size; ``(H, W, 3) uint8 RGB``.

    ``steps``: the steps of ``STEPS`` to apply. A step left out draws its random numbers all the same and
    its result is thrown away, so every other step does exactly what it does in the full re-shoot (how
    ``tools.ood_scene_factors`` weighs one step at a time). Raises ``ValueError`` for an unknown step."""
    chosen = frozenset(steps)
    unknown = sorted(chosen - set(STEPS))
    if unknown:
        raise ValueError(f"unknown re-shoot steps {unknown}; known: {', '.join(STEPS)}")

    def step(name: str, before: np.ndarray, after: np.ndarray) -> np.ndarray:
        return after if name in chosen else before

    image = scene.image
    h, w = image.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(0, config.max_tilt, (4, 2)) * np.float32([w, h])
    dst = (src + jitter * np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst) if "tilt" in chosen else np.eye(3)
    if "tilt" in chosen:  # BORDER_REPLICATE: no mirrored, unlabelled text
        image = cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    image = step("uneven light", image, effects.uneven_light(rng, image, rng.uniform(*config.light)))
    if rng.random() < config.p_glare:
        image = step("glare", image, effects.glare(rng, image, config.glare_scale))
    if rng.random() < config.p_gaussian:
        image = step("blur", image, effects.gaussian_blur(image, rng.uniform(*config.blur_sigma)))
    else:
        length = int(rng.integers(*config.motion_length))
        image = step("blur", image, effects.motion_blur(image, length, rng.uniform(-config.motion_angle, config.motion_angle)))
    if rng.random() < config.p_lowres:
        image = step("low resolution", image, effects.resample(image, rng.uniform(*config.lowres)))
    image = step("noise", image, effects.gaussian_noise(rng, image, rng.uniform(*config.noise)))
    words = tuple(SceneWord(word.text, _move(word.quad, matrix), tuple(_move(q, matrix) for q in word.char_quads),
                            word.vertical, word.illegible) for word in scene.words)
    return Scene(image, words)
