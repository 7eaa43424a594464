# %% [markdown]
# # 00 remove hangul filenames
# Optionally rename AIHub image + label pairs with Hangul names to collision-free ASCII names (`aihub_<12 hex>`), for outside tools that cannot open Unicode paths. Every reader of this project opens Hangul paths as they are, so this step is a convenience: by default it only shows the plan (dry run).
#
# **Inputs**: `data/train_image/`, `data/train_label/`, `data/test_image/`, `data/test_label/`
#
# **Outputs**: renamed files (labels' `images[0].file_name` updated) and `data/rename_map.csv` (old -> new, written before any file is touched; `undo` restores every original name)

# %%
# Bootstrap: find the repository root (clone it first in Colab) and install missing packages.
# Safe to re-run; never reinstalls torch (Colab's CUDA build stays) and never stops the kernel.
import os
import subprocess
import sys
from pathlib import Path

REPO_URL = os.environ.get("KOCR_REPO_URL", "")  # in Colab: set to your copy's git URL
CLONE_DIR = Path(os.environ.get("KOCR_DIR", "/content/kocr"))  # in Colab: "/content/drive/MyDrive/kocr" keeps the clone and its data on Google Drive
IN_COLAB = "google.colab" in sys.modules
root = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "modules" / "__init__.py").is_file()), None)
if root is None and IN_COLAB and REPO_URL:
    if str(CLONE_DIR).startswith("/content/drive/"):
        from google.colab import drive
        drive.mount("/content/drive")
    if not (CLONE_DIR / "modules").exists():
        subprocess.run(["git", "clone", "--depth", "1", REPO_URL, str(CLONE_DIR)], check=True)
    root = CLONE_DIR
if root is None:
    raise RuntimeError("Open this notebook inside the repository, or set KOCR_REPO_URL in Colab.")
os.chdir(root)
if IN_COLAB:  # only what the notebooks import: the lines above the '# ----' marker, torch left out
    lines = (root / "requirements.txt").read_text().split("# ----")[0].splitlines()
    wanted = [l.split("#")[0].strip() for l in lines]
    wanted = [w for w in wanted if w and not w.startswith("torch")]
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *wanted], check=False)
print("repository root:", root)

# %% tags=["parameters"]
train_image_dir: str = "data/train_image"  # AIHub training images (any depth)
train_label_dir: str = "data/train_label"  # AIHub training labels (JSON per image)
test_image_dir: str = "data/test_image"  # AIHub validation images ("" to leave out)
test_label_dir: str = "data/test_label"  # AIHub validation labels
map_csv: str = "data/rename_map.csv"  # old -> new mapping, merged over runs
prefix: str = "aihub"  # new names are <prefix>_<12 hex digits of the SHA-1 of the old relative path>
dry_run: bool = True  # True: only show what would be renamed (writes nothing)
undo: bool = False  # True: restore every original name recorded in map_csv
show_rows: int = 10  # planned renames shown
sample_profile: str = "default"  # size of the embedded sample data made when the default inputs are absent ("smoke": tiny)

# %% [markdown]
# ## 1. The plan
# Images whose names are not ASCII are paired with their label JSON by name; the new name is derived from the old path, so `간판_가로형간판_000001` and `간판_돌출간판_000001` never collide.

# %%
from collections import Counter
from pathlib import Path

from modules.generator.sample_datasets import ensure_sample_inputs
from modules.renaming import outcome_summary, plan_renames, read_map, rename_pairs, undo_renames

ensure_sample_inputs([train_image_dir, train_label_dir, test_image_dir, test_label_dir], profile=sample_profile)
folders = [(image_dir, label_dir) for image_dir, label_dir in ((train_image_dir, train_label_dir), (test_image_dir, test_label_dir)) if image_dir]
plans = {image_dir: plan_renames(image_dir, label_dir, prefix) for image_dir, label_dir in folders}
for image_dir, rows in plans.items():
    print(f"{image_dir}: {len(rows)} images to rename, {sum(bool(r.old_label) for r in rows)} with a label")
    for row in rows[:show_rows]:
        print(f"    {Path(row.old_image).name} -> {Path(row.new_image).name}")

# %% [markdown]
# ## 2. Rename (or undo)
# The mapping CSV is written atomically before the first rename; nothing is ever overwritten; a second run changes nothing. The outcome is counted once per image and once per label file (`already_done` on a second run); an undo dry run counts the names it would restore.

# %%
totals = Counter()
if undo:
    totals = undo_renames(map_csv, dry_run=dry_run)
elif not dry_run:
    for image_dir, label_dir in folders:
        _rows, counts = rename_pairs(image_dir, label_dir, map_csv, prefix=prefix)
        totals.update(counts)
if undo and dry_run:
    print(f"undo dry run: would restore {totals['image: would_restore']} image names and "
          f"{totals['label: would_restore']} label names; nothing changed\n{outcome_summary(totals)}")
elif dry_run:
    print(f"dry run: nothing renamed; {sum(len(rows) for rows in plans.values())} images would be renamed")
else:
    print(("undo" if undo else "rename") + " outcome:\n" + outcome_summary(totals))

# %% [markdown]
# ## 3. Check the outputs

# %%
if dry_run:
    assert all(isinstance(rows, list) for rows in plans.values()), "the plan was not computed"
else:
    assert Path(map_csv).exists(), f"{map_csv} was not written"
    rows = read_map(map_csv)
    side = (lambda r: r.old_image) if undo else (lambda r: r.new_image)
    missing = [side(r) for r in rows if not Path(side(r)).exists()]
    assert not missing, f"{len(missing)} files missing after the run, e.g. {missing[:3]}"
    print(f"{map_csv}: {len(rows)} rows, every {'original' if undo else 'new'} name present")
