# %% [markdown]
# # crnn_preprocess
# Cut TextOCR words into crops (each quadrilateral warped upright; the bbox where the polygon is invalid), keeping the full Unicode text, and write the same gt format as 01 so 03 can merge them.
#
# **Inputs**: `data/textocr/TextOCR_0.1_train.json`, `data/textocr/TextOCR_0.1_val.json`, images in `data/textocr/train_images/`
#
# **Outputs**: `data/textocr_crops/train/`, `data/textocr_crops/test/`, `data/gt_textocr_train.txt`, `data/gt_textocr_test.txt` (paths relative to `data/`), `data/gt_textocr_problems.csv` (every skipped or flagged record), `data/gt_textocr_counts.csv`
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
train_json: str = "data/textocr/TextOCR_0.1_train.json"  # TextOCR training annotations
val_json: str = "data/textocr/TextOCR_0.1_val.json"  # TextOCR validation annotations (become the test crops)
image_root: str = "data/textocr"  # folder holding train_images/ (file_name says train/<id>.jpg)
data_root: str = "data"  # gt paths are relative to this folder
train_crop_dir: str = "textocr_crops/train"  # crop folder for training words, under data_root
test_crop_dir: str = "textocr_crops/test"  # crop folder for validation words, under data_root
train_gt: str = "data/gt_textocr_train.txt"  # training ground truth
test_gt: str = "data/gt_textocr_test.txt"  # validation ground truth
rectify: bool = True  # warp each word's quadrilateral upright (False: crop the axis-aligned bbox)
min_side: int = 4  # crops with a shorter side (pixels) are skipped as too small
workers: int = 0  # worker processes (0: every core)
max_images: int = 0  # cap on images per split for quick runs (0: all)
drop_jamo_only: bool = False  # True: skip labels made only of jamo (ㅋㅋ, ㅎㅎ); by default they are kept and flagged
problems_csv: str = "data/gt_textocr_problems.csv"  # every skipped or flagged record of both splits (file, annotation, reason, detail)
counts_csv: str = "data/gt_textocr_counts.csv"  # the counts table of both splits
sample_profile: str = "default"  # size of the embedded sample data made when the default inputs are absent ("smoke": tiny)
show_samples: int = 24  # crops shown in the sample grid

# %% [markdown]
# ## 1. A look at the annotations
# Images are looked up as `file_name`, then `train_images/<name>`, then `<name>` under `image_root`. `.` marks an illegible word; polygons that are not a proper quadrilateral fall back to the bbox. A preview of the first images (the full counts come with step 2):

# %%
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt

from modules.datasets import collect
from modules.datasets.textocr import iter_textocr
from modules.generator.sample_datasets import ensure_sample_inputs
from modules.geometry.quads import quad_from_xyxy
from modules.gtdata.select import first_images
from modules.imageio import read_image
from modules.viz import draw_boxes

ensure_sample_inputs([train_json, val_json, image_root], profile=sample_profile)
jsons = {"train": train_json, "test": val_json}
images, problems, reasons = collect(first_images(iter_textocr(train_json, image_root), 50))
words = Counter("illegible" if w.text is None else "quad" if w.quad else "bbox only" for a in images for w in a.words)
scripts = Counter("non-ASCII" if not w.text.isascii() else "ASCII" for a in images for w in a.words if w.text)
print(f"first {len(images)} training images: {dict(words)}, {dict(scripts)}; problems met: {dict(reasons) or 'none'}")
for problem in problems[:5]:
    print("   ", problem)
if not images:
    raise RuntimeError(f"no usable training image in {train_json} (images under {image_root}): "
                       f"{dict(reasons) or 'the JSON lists no image'}")
example = max(images, key=lambda a: len(a.words))
shapes = [w.quad if w.quad else quad_from_xyxy(*w.xyxy) for w in example.words]
plt.figure(figsize=(10, 6))
plt.imshow(draw_boxes(read_image(example.image_path), shapes, ["." if w.text is None else w.text for w in example.words]))
plt.axis("off")
plt.show()

# %% [markdown]
# ## 2. Cut the crops and write the gt files
# Same writer as 01: parallel, journaled (resumable, no duplicate lines on re-runs), NFC labels.

# %%
from modules.gtdata import GtDataConfig, make_gtdata

config = GtDataConfig(rectify=rectify, min_side=min_side, workers=workers, drop_jamo_only=drop_jamo_only)
reports = {}
for split, crop_dir, gt in (("train", train_crop_dir, train_gt), ("test", test_crop_dir, test_gt)):
    reports[split] = make_gtdata(first_images(iter_textocr(jsons[split], image_root), max_images), data_root, crop_dir, gt, config)

# %% [markdown]
# ## 3. Counts and every problem
# Skipped records by reason; kept records with a note (`flagged (kept)`: a polygon that fell back to its bbox, a label whose line breaks became a space) apart. Every one is a row of the problems table (file, annotation, reason, detail), saved as CSV beside the gt files.

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

# %% [markdown]
# ## 5. Check the outputs

# %%
for split, gt in (("train", train_gt), ("test", test_gt)):
    assert Path(gt).exists(), f"{gt} was not written"
    entries, bad = read_gt(gt)
    assert not bad and len(entries) == reports[split].kept, f"{gt}: {len(entries)} lines, {reports[split].kept} crops"
    assert all((Path(data_root) / e.path).exists() for e in entries), f"{gt}: a crop is missing"
    print(f"{gt}: {len(entries)} crops")
assert reports["train"].kept > 0, "no training crops were written"
assert Path(problems_csv).exists() and Path(counts_csv).exists(), f"{problems_csv} / {counts_csv} were not written"
