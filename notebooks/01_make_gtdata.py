# %% [markdown]
# # 01 make gtdata
# Cut every legible word of the AIHub outdoor photos (and the text-in-the-wild set) into a crop and write the recognition ground truth, skipping and counting dirty records.
#
# **Inputs**: `data/train_label/`, `data/train_image/`, `data/test_label/`, `data/test_image/` (AIHub per-image JSON, searched recursively), `data/textinthewild/textinthewild_data_info.json` + its image folders
#
# **Outputs**: `data/train/`, `data/test/` (crops), `data/gt_train.txt`, `data/gt_test.txt` (paths relative to `data/`), `data/gt_problems.csv` (every skipped or flagged record), `data/gt_counts.csv`
#
# Run on its own in a fresh clone, it first makes the embedded sample data when its default inputs are absent.

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
train_label_dir: str = "data/train_label"  # AIHub training labels (JSON per image, any depth)
train_image_dir: str = "data/train_image"  # AIHub training images (any depth, .jpg/.JPG/.JPEG/.png)
test_label_dir: str = "data/test_label"  # AIHub validation labels
test_image_dir: str = "data/test_image"  # AIHub validation images
textinthewild_json: str = "data/textinthewild/textinthewild_data_info.json"  # "" to leave the set out
textinthewild_root: str = "data/textinthewild"  # folder holding Book/, Goods/, Signboard/, Traffic_Sign/
textinthewild_test_fraction: float = 0.1  # share of text-in-the-wild images held out for gt_test (stable hash split)
data_root: str = "data"  # gt paths are relative to this folder
train_crop_dir: str = "train"  # crop folder for training words, under data_root
test_crop_dir: str = "test"  # crop folder for validation words, under data_root
train_gt: str = "data/gt_train.txt"  # training ground truth (written atomically)
test_gt: str = "data/gt_test.txt"  # validation ground truth
vertical: str = "tile"  # vertical (세로) words: "tile" (one band per character, side by side, as the OCR reads vertical boxes), "rotate" (90° counter-clockwise) or "skip"
min_side: int = 4  # crops with a shorter side (pixels) are skipped as too small
jitter_copies: int = 2  # extra training crops per word cut from randomly shifted boxes, as a detector's are (0: none; never for test)
workers: int = 0  # worker processes (0: every core)
max_images: int = 0  # cap on images per split for quick runs (0: all)
drop_jamo_only: bool = False  # True: skip labels made only of jamo (ㅋㅋ, ㅎㅎ); by default they are kept and flagged
problems_csv: str = "data/gt_problems.csv"  # every skipped or flagged record of both splits (file, annotation, reason, detail)
counts_csv: str = "data/gt_counts.csv"  # the counts table of both splits
sample_profile: str = "default"  # size of the embedded sample data made when the default inputs are absent ("smoke": tiny)
show_samples: int = 24  # crops shown in the sample grid

# %% [markdown]
# ## 1. A look at the labels
# The readers pair each JSON with its image by name (Unicode names work as they are), clamp boxes to the image, and report every skipped record with its file and a reason. When the default inputs (the embedded sample data) are absent, they are made first, as `run_all.py` does. A preview of the first images (the full counts come with step 2):

# %%
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt

from modules.datasets import collect
from modules.generator.sample_datasets import ensure_sample_inputs
from modules.gtdata.sources import SceneSources
from modules.imageio import read_image
from modules.viz import draw_boxes

ensure_sample_inputs([train_label_dir, train_image_dir, test_label_dir, test_image_dir, textinthewild_json,
                      textinthewild_root], profile=sample_profile)
# Each split reads its AIHub folders, then its share of text-in-the-wild (a stable hash split of the images).
sources = SceneSources(train_label_dir, train_image_dir, test_label_dir, test_image_dir,
                       textinthewild_json=textinthewild_json, textinthewild_root=textinthewild_root,
                       test_fraction=textinthewild_test_fraction)
images, problems, reasons = collect(sources.records("train", max_images=50))
words = Counter("illegible" if w.text is None else "vertical" if w.vertical else "legible" for a in images for w in a.words)
print(f"first {len(images)} training images: {dict(words)}; problems met: {dict(reasons) or 'none'}")
for problem in problems[:5]:
    print("   ", problem)
if not images:
    raise RuntimeError(f"no usable training image in {train_label_dir} / {train_image_dir}"
                       + (f" or {textinthewild_json}" if textinthewild_json else "")
                       + f": {dict(reasons) or 'the folders are empty or missing'}")
example = max(images, key=lambda a: len(a.words))
boxes = [w.xyxy for w in example.words]
plt.figure(figsize=(10, 6))
plt.imshow(draw_boxes(read_image(example.image_path), boxes, ["xxx" if w.text is None else w.text for w in example.words]))
plt.axis("off")
plt.show()

# %% [markdown]
# ## 2. Cut the crops and write the gt files
# A process pool over images; each finished image is journaled, so an interrupted run resumes and a re-run never duplicates lines. Labels are NFC; tabs and line breaks inside labels become spaces.
#
# Training words are also cut `jitter_copies` times from boxes whose edges are moved at random (by about 0.2 of the text height along the text, 0.12 across it): the end-to-end OCR reads crops cut from the detector's boxes, which are never exact, and a recognizer that only saw exact boxes misreads many of them. The shifts are seeded by the image path, so a re-run writes the same crops.

# %%
from dataclasses import replace

from modules.gtdata import GtDataConfig, make_gtdata

config = GtDataConfig(vertical=vertical, min_side=min_side, workers=workers, drop_jamo_only=drop_jamo_only)
reports = {}
for split, crop_dir, gt in (("train", train_crop_dir, train_gt), ("test", test_crop_dir, test_gt)):
    split_config = replace(config, jitter_copies=jitter_copies if split == "train" else 0)
    reports[split] = make_gtdata(sources.records(split, max_images), data_root, crop_dir, gt, split_config)

# %% [markdown]
# ## 3. Counts and every problem
# Skipped records are counted by reason; kept records that something is noted about (`flagged (kept)`: a jamo-only label, an image file shared by two text-in-the-wild ids, a label whose line breaks became a space) are counted apart. Every one of them is a row of the problems table (file, annotation, reason, detail), saved as CSV beside the gt files.

# %%
from IPython.display import display

from modules.data.problems import problems_by_reason
from modules.gtdata.report import save_reports

counts, problems = save_reports(reports, counts_csv, problems_csv)
display(counts)
display(problems_by_reason(problems))
display(problems.head(20))
print(f"{len(problems)} problem rows in {problems_csv}")

# %% [markdown]
# ## 4. Sample crops

# %%
from modules.data.gtfile import read_gt
from modules.gtdata.report import sample_entries
from modules.imageio import read_image
from modules.viz import show_grid

entries, _ = read_gt(train_gt)
picked = sample_entries(entries, show_samples)
if picked:
    figure = show_grid([read_image(Path(data_root) / e.path) for e in picked], [e.label for e in picked], columns=6)
lengths = Counter(min(len(e.label), 20) for e in entries)
print("label length histogram (20 = 20+):", dict(sorted(lengths.items())))

# %% [markdown]
# ## 5. Check the outputs

# %%
for split, gt in (("train", train_gt), ("test", test_gt)):
    assert Path(gt).exists(), f"{gt} was not written"
    entries, bad = read_gt(gt)
    assert not bad, f"{gt}: malformed lines {bad[:3]}"
    assert len(entries) == reports[split].kept, f"{gt}: {len(entries)} lines, {reports[split].kept} crops"
    assert len({e.path for e in entries}) == len(entries), f"{gt}: duplicated crop paths"
    assert all((Path(data_root) / e.path).exists() for e in entries), f"{gt}: a crop is missing"
    print(f"{gt}: {len(entries)} crops")
assert reports["train"].kept > 0, "no training crops were written"
assert Path(problems_csv).exists() and Path(counts_csv).exists(), f"{problems_csv} / {counts_csv} were not written"
