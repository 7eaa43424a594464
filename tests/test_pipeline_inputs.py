from pathlib import Path

import pytest

from modules.pipeline.inputs import require_inputs


def test_missing_inputs_name_the_notebooks_to_run_first(tmp_path: Path) -> None:
    there = tmp_path / "charset.txt"
    there.write_text("x", encoding="utf-8")
    require_inputs({str(there): "04_extract_charset", "": "03_create_lmdb"})  # all present (or optional)
    with pytest.raises(FileNotFoundError) as error:
        require_inputs({str(there): "04_extract_charset", str(tmp_path / "lmdb"): "03_create_lmdb",
                        str(tmp_path / "yolo" / "train.txt"): "yolo_preprocess", str(tmp_path / "v"): "03_create_lmdb"})
    message = str(error.value)
    assert f"{tmp_path / 'lmdb'} (written by 03_create_lmdb)" in message and "charset.txt" not in message
    assert "Run 03_create_lmdb, then yolo_preprocess first" in message and "python run_all.py" in message
