# %% [markdown]
# # yolo_preprocess
# Convert the AIHub (outdoor per-image JSON and text-in-the-wild) and TextOCR labels into YOLO annotation lines, and cluster anchors for text boxes.
#
# **Inputs**: `data/train_label/` + `data/train_image/`, `data/dev_label/` + `data/dev_image/` (validation: AIHub-format dev scenes, kept apart from the test scenes the demo scores), `data/textinthewild/textinthewild_data_info.json`, `data/textocr/TextOCR_0.1_{train,val}.json` + `data/textocr/train_images/`
#
# **Outputs**: `data/yolo/train.txt`, `data/yolo/val.txt` (`<image> x1,y1,x2,y2,class ...`, class 0 text, 1 don't-care), `data/yolo/anchors.json`, `data/yolo/anchors.png`, `data/yolo/problems.csv` (every skipped or flagged record), `data/yolo/counts.csv`
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
aihub_train_label: str = "data/train_label"  # AIHub outdoor label JSON folder (training)
aihub_train_image: str = "data/train_image"  # AIHub outdoor image folder (training)
aihub_val_label: str = "data/dev_label"  # AIHub-format labels for validation / checkpoint choice: the held-out-font dev scenes, not the test scenes the demo scores
aihub_val_image: str = "data/dev_image"  # their images
textinthewild_json: str = "data/textinthewild/textinthewild_data_info.json"  # text-in-the-wild JSON ("" to skip)
textinthewild_root: str = "data/textinthewild"  # folder holding Book/, Goods/, Signboard/, Traffic_Sign/
textocr_train_json: str = "data/textocr/TextOCR_0.1_train.json"  # TextOCR training JSON ("" to skip)
textocr_val_json: str = "data/textocr/TextOCR_0.1_val.json"  # TextOCR validation JSON ("" to skip)
textocr_image_root: str = "data/textocr"  # TextOCR image root (holds train_images/)
out_dir: str = "data/yolo"  # where train.txt, val.txt, anchors.json and anchors.png go
anchor_seed: int = 0  # k-means seed
vertical_anchors: int = 2  # of the 9 anchors, how many are clustered on vertical boxes alone (0: plain k-means)
plot_input_size: int = 416  # input side used to show anchors in pixels
sample_profile: str = "default"  # size of the embedded sample data made when the default inputs are absent ("smoke": tiny)
show_samples: int = 6  # sample images drawn with their boxes

# %%
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from modules.datasets.aihub import iter_aihub_outdoor
from modules.datasets.textinthewild import iter_textinthewild
from modules.datasets.textocr import iter_textocr
from modules.detector.annotations import write_yolo_file
from modules.detector.preprocess import (cluster_anchors, convert_streams, draw_record, plot_anchors, save_json,
                                         training_shapes)
from modules.generator.sample_datasets import ensure_sample_inputs
from modules.viz import show_grid

ensure_sample_inputs([aihub_train_label, aihub_train_image, aihub_val_label, aihub_val_image, textinthewild_json,
                      textinthewild_root, textocr_train_json, textocr_val_json, textocr_image_root],
                     profile=sample_profile)

# %% [markdown]
# ## 1. Convert the labels
# Illegible words (AIHub `xxx`, text-in-the-wild `ignored`, TextOCR `.`) stay as don't-care boxes (class 1), not background. Boxes are clamped to the image; invalid ones are dropped and counted by reason.

# %%
train_reasons, val_reasons = Counter(), Counter()
train_problems, val_problems = [], []
train_streams = [iter_aihub_outdoor(aihub_train_label, aihub_train_image)]
if textinthewild_json:
    train_streams.append(iter_textinthewild(textinthewild_json, textinthewild_root))
if textocr_train_json:
    train_streams.append(iter_textocr(textocr_train_json, textocr_image_root))
val_streams = [iter_aihub_outdoor(aihub_val_label, aihub_val_image)]
if textocr_val_json:
    val_streams.append(iter_textocr(textocr_val_json, textocr_image_root))
train_records = convert_streams(train_streams, train_reasons, train_problems)
val_records = convert_streams(val_streams, val_reasons, val_problems)
print("train:", len(train_records), "images")
print("val:  ", len(val_records), "images")
for name, records, reasons, labels in (("training", train_records, train_reasons, aihub_train_label),
                                       ("validation", val_records, val_reasons, aihub_val_label)):
    if not records:
        raise RuntimeError(f"no usable {name} image (AIHub labels {labels}, text-in-the-wild / TextOCR as set): "
                           f"{dict(reasons) or 'the inputs are empty or missing'}")

# %% [markdown]
# ## 2. Counts and every problem
# Boxes and images by outcome (`reader: ...` a record the reader skipped, `flagged: ...` a kept record with a note, `skipped: ...` an image left out here); every reader problem is a row of the problems table (file, annotation, reason, detail), saved as CSV.

# %%
import pandas as pd
from IPython.display import display

from modules.data.problems import problems_by_reason, problems_frame, write_problems_csv

out = Path(out_dir)
out.mkdir(parents=True, exist_ok=True)
counts = pd.DataFrame({"train": train_reasons, "val": val_reasons}).fillna(0).astype(int).sort_index()
counts.to_csv(out / "counts.csv", encoding="utf-8-sig")
display(counts)
problems = problems_frame({"train": train_problems, "val": val_problems})
write_problems_csv(problems, out / "problems.csv")
display(problems_by_reason(problems))
display(problems.head(20))
print(f"{len(problems)} problem rows in {out / 'problems.csv'}")

# %% [markdown]
# ## 3. Write the annotation files

# %%
out = Path(out_dir)
n_train = write_yolo_file(out / "train.txt", train_records)
n_val = write_yolo_file(out / "val.txt", val_records)
print(f"wrote {n_train} lines to {out / 'train.txt'} and {n_val} to {out / 'val.txt'}")
print((out / "train.txt").read_text(encoding="utf-8").splitlines()[0][:200])

# %% [markdown]
# ## 4. Anchors for text (k-means, IoU distance)
# Text boxes are wide and flat; the COCO anchors of YOLOv3 are not. Shapes are fractions of the longer image side, so the anchors hold for any letterbox input size.
#
# Plain k-means would spend all 9 anchors on the wide boxes that dominate the data: a vertical word then matches one anchor at one scale, gets a few training positives where a horizontal word gets dozens, and is never found. `vertical_anchors` of them are clustered on the vertical boxes alone.

# %%
shapes = training_shapes(train_records)
anchor_info = cluster_anchors(shapes, seed=anchor_seed, vertical=vertical_anchors)
save_json(out / "anchors.json", anchor_info)
print(f"{anchor_info['boxes']} text boxes; mean best IoU: text anchors {anchor_info['mean_best_iou']:.3f}, "
      f"COCO anchors {anchor_info['coco_mean_best_iou']:.3f}")
print("anchors (px at", plot_input_size, "):", [[round(w * plot_input_size, 1), round(h * plot_input_size, 1)]
                                                for w, h in anchor_info["anchors"]])
fig = plot_anchors(shapes, np.array(anchor_info["anchors"]), plot_input_size, save_to=str(out / "anchors.png"))
plt.show()

# %% [markdown]
# ## 5. Sample images with their boxes (green: text, red: don't-care)

# %%
rng = np.random.default_rng(0)
picks = rng.choice(len(train_records), size=min(show_samples, len(train_records)), replace=False)
fig = show_grid([draw_record(train_records[i]) for i in picks], [Path(train_records[i].image_path).name for i in picks],
                columns=3, cell_size=(5.0, 4.0))
plt.show()

# %%
for path in ("train.txt", "val.txt", "anchors.json", "anchors.png", "problems.csv", "counts.csv"):
    assert (out / path).exists(), f"missing {out / path}"
assert n_train > 0 and n_val > 0, "no training or validation images"
print("yolo_preprocess outputs are in", out)
