"""Stage 1, Transformation: None | TPS (thin-plate-spline rectification, Shi et al. 2016 / DTRB).

Input and output: ``(B, C, H, W)`` float images normalised to [-1, 1]; TPS resamples the input onto a
rectified ``(B, C, img_h, img_w)`` grid with ``F.grid_sample``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class NoTransformation(nn.Module):
    """Identity: ``(B, C, H, W) -> (B, C, H, W)``."""

    def __init__(self, input_channel: int, img_h: int, img_w: int, num_fiducial: int = 20) -> None:
        super().__init__()

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return images


def _fiducials(num_fiducial: int) -> np.ndarray:
    """``(F, 2)`` control points on the top and bottom edges of the [-1, 1] square."""
    xs = np.linspace(-1.0, 1.0, num_fiducial // 2)
    top = np.stack([xs, -np.ones_like(xs)], axis=1)
    bottom = np.stack([xs, np.ones_like(xs)], axis=1)
    return np.concatenate([top, bottom], axis=0)


class LocalizationNetwork(nn.Module):
    """Predicts the ``(B, F, 2)`` fiducial points C' of the input image."""

    def __init__(self, num_fiducial: int, input_channel: int) -> None:
        super().__init__()
        self.num_fiducial = num_fiducial

        def block(cin: int, cout: int) -> list[nn.Module]:
            return [nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True)]

        self.conv = nn.Sequential(
            *block(input_channel, 64), nn.MaxPool2d(2, 2),  # 64 x H/2 x W/2
            *block(64, 128), nn.MaxPool2d(2, 2),  # 128 x H/4 x W/4
            *block(128, 256), nn.MaxPool2d(2, 2),  # 256 x H/8 x W/8
            *block(256, 512), nn.AdaptiveAvgPool2d(1),  # 512 x 1 x 1
        )
        self.fc1 = nn.Sequential(nn.Linear(512, 256), nn.ReLU(True))
        self.fc2 = nn.Linear(256, num_fiducial * 2)
        # Start from the identity transform: zero weights, bias = points slightly inside the borders
        # (DTRB's initialisation), so early training sees unwarped images.
        nn.init.zeros_(self.fc2.weight)
        xs = np.linspace(-1.0, 1.0, num_fiducial // 2)
        top = np.stack([xs, np.linspace(0.0, -1.0, num_fiducial // 2)], axis=1)
        bottom = np.stack([xs, np.linspace(1.0, 0.0, num_fiducial // 2)], axis=1)
        with torch.no_grad():
            self.fc2.bias.copy_(torch.from_numpy(np.concatenate([top, bottom])).float().view(-1))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = self.conv(images).flatten(1)  # (B, 512)
        return self.fc2(self.fc1(features)).view(images.size(0), self.num_fiducial, 2)


class GridGenerator(nn.Module):
    """Maps predicted fiducials C' to a sampling grid ``(B, img_h, img_w, 2)`` for ``grid_sample``."""

    def __init__(self, num_fiducial: int, img_h: int, img_w: int) -> None:
        super().__init__()
        self.img_h, self.img_w = img_h, img_w
        c = _fiducials(num_fiducial)
        # Fixed matrices derived from the config: not saved (persistent=False), rebuilt on load.
        self.register_buffer("inv_delta_c", torch.from_numpy(self._inv_delta_c(c)).float(), persistent=False)
        self.register_buffer("p_hat", torch.from_numpy(self._p_hat(c, img_h, img_w)).float(), persistent=False)

    @staticmethod
    def _inv_delta_c(c: np.ndarray) -> np.ndarray:
        """``(F+3, F+3)`` inverse of the TPS system matrix."""
        f = c.shape[0]
        r = np.linalg.norm(c[:, None, :] - c[None, :, :], axis=2)
        np.fill_diagonal(r, 1.0)
        hat_c = (r**2) * np.log(r)
        delta_c = np.concatenate(
            [
                np.concatenate([np.ones((f, 1)), c, hat_c], axis=1),
                np.concatenate([np.zeros((2, 3)), c.T], axis=1),
                np.concatenate([np.zeros((1, 3)), np.ones((1, f))], axis=1),
            ],
            axis=0,
        )
        return np.linalg.inv(delta_c)

    @staticmethod
    def _p_hat(c: np.ndarray, img_h: int, img_w: int, eps: float = 1e-6) -> np.ndarray:
        """``(img_h * img_w, F+3)`` TPS basis evaluated at every output pixel centre."""
        gx = (np.arange(-img_w, img_w, 2) + 1.0) / img_w
        gy = (np.arange(-img_h, img_h, 2) + 1.0) / img_h
        p = np.stack(np.meshgrid(gx, gy), axis=2).reshape(-1, 2)  # (n, 2), row-major over (h, w)
        dist = np.linalg.norm(p[:, None, :] - c[None, :, :], axis=2)  # (n, F)
        rbf = np.square(dist) * np.log(dist + eps)
        return np.concatenate([np.ones((p.shape[0], 1)), p, rbf], axis=1)

    def forward(self, c_prime: torch.Tensor) -> torch.Tensor:
        b = c_prime.size(0)
        c_prime = c_prime.float()
        padded = torch.cat([c_prime, c_prime.new_zeros(b, 3, 2)], dim=1)  # (B, F+3, 2)
        t = torch.matmul(self.inv_delta_c, padded)  # (B, F+3, 2)
        p_prime = torch.matmul(self.p_hat, t)  # (B, n, 2)
        return p_prime.view(b, self.img_h, self.img_w, 2)


class TPS(nn.Module):
    """TPS spatial transformer: ``(B, C, H, W) -> (B, C, img_h, img_w)``."""

    def __init__(self, input_channel: int, img_h: int, img_w: int, num_fiducial: int = 20) -> None:
        super().__init__()
        self.localization = LocalizationNetwork(num_fiducial, input_channel)
        self.grid = GridGenerator(num_fiducial, img_h, img_w)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        grid = self.grid(self.localization(images))
        return F.grid_sample(images, grid.to(images.dtype), padding_mode="border", align_corners=True)


TRANSFORMATIONS: dict[str, type[nn.Module]] = {"None": NoTransformation, "TPS": TPS}
