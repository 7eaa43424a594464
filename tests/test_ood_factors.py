"""tools/ood_factors: every renderer setting sits in one group, and each variant changes only its group."""

from __future__ import annotations

from dataclasses import fields

import pytest

from modules.generator.render_crop import OOD_CROP_CONFIG, CropConfig
from tools.ood_factors import GROUPS, variant_configs


def test_each_variant_is_the_training_renderer_with_one_group_of_ood_settings() -> None:
    variants = variant_configs()
    assert variants["training renderer"] == CropConfig() and variants["OOD renderer"] == OOD_CROP_CONFIG
    names = [name for group in GROUPS.values() for name in group]
    assert len(names) == len(set(names))  # no setting in two groups
    for group, members in GROUPS.items():
        config = variants[f"+ {group}"]
        for f in fields(CropConfig):
            expected = getattr(OOD_CROP_CONFIG if f.name in members else CropConfig(), f.name)
            assert getattr(config, f.name) == expected, (group, f.name)
    # every group changes something, else its row would measure nothing
    assert all(variants[f"+ {group}"] != CropConfig() for group in GROUPS)


def test_a_setting_in_no_group_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(GROUPS, "JPEG quality", ())
    with pytest.raises(ValueError, match="jpeg_quality"):
        variant_configs()
