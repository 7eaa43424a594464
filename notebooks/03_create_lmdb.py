# %% [markdown]
# # 03 create lmdb
# Pack the word crops of each dataset (AIHub, generated, TextOCR) into lmdb datasets in the deep-text-recognition-benchmark layout, validating every image on the way.
#
# **Inputs**: `data/gt_train.txt`, `data/gt_test.txt` (+ `data/` crops), `textimagegenerator/data/gt_{train,test}.txt` (+ crops), `data/gt_textocr_{train,test}.txt`
#
# **Outputs**: `data_lmdb/train/<name>/`, `data_lmdb/test/<name>/` for `aihub`, `generated`, `textocr`, and `data_lmdb/ood/generated/` (the out-of-distribution dev crops) (keys `image-%09d`, `label-%09d`, `num-samples`; plus `kocr_manifest.json` and `skipped.txt`), `data_lmdb/lmdb_counts.csv` (samples written and skipped per lmdb)

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
aihub_train_gt: str = "data/gt_train.txt"  # 01's training gt ("" leaves the dataset out)
aihub_test_gt: str = "data/gt_test.txt"  # 01's validation gt
aihub_root: str = "data"  # folder the AIHub gt paths are relative to
generated_train_gt: str = "textimagegenerator/data/gt_train.txt"  # 02's training gt ("" leaves it out)
generated_test_gt: str = "textimagegenerator/data/gt_test.txt"  # 02's test gt
generated_ood_gt: str = "textimagegenerator/data/gt_ood.txt"  # 02's out-of-distribution dev gt -> <lmdb_root>/ood/generated
generated_root: str = "textimagegenerator/data"  # folder the generated gt paths are relative to
textocr_train_gt: str = "data/gt_textocr_train.txt"  # crnn_preprocess's training gt ("" leaves it out)
textocr_test_gt: str = "data/gt_textocr_test.txt"  # crnn_preprocess's validation gt
textocr_root: str = "data"  # folder the TextOCR gt paths are relative to
lmdb_root: str = "data_lmdb"  # lmdbs go to <lmdb_root>/train/<name>, <lmdb_root>/test/<name> and <lmdb_root>/ood/<name>
skip_missing: bool = True  # a gt file that does not exist leaves its dataset out (False: stop with an error)
validate: str = "structure"  # "structure" (headers, tables, end marker, PNG CRCs) | "decode" (full OpenCV decode too)
workers: int = 0  # reading processes (0: one per core; more helps on Google Drive)
force: bool = False  # rebuild datasets even when their inputs did not change

# %% [markdown]
# ## 1. The datasets
# Each gt line is `<path relative to the root>\t<label>`. Paths that leave the root (absolute, `../`) are refused.

# %%
from pathlib import Path

from modules.lmdbio import GtSource, LmdbConfig, create_lmdb

datasets = {
    "aihub": (aihub_root, {"train": aihub_train_gt, "test": aihub_test_gt}),
    "generated": (generated_root, {"train": generated_train_gt, "test": generated_test_gt, "ood": generated_ood_gt}),
    "textocr": (textocr_root, {"train": textocr_train_gt, "test": textocr_test_gt}),
}
jobs = []
for name, (root, gts) in datasets.items():
    for split, gt in gts.items():
        if not gt:
            continue
        if not Path(gt).exists():
            assert skip_missing, f"{gt} does not exist (run the step that writes it, or set skip_missing)"
            print(f"left out {split}/{name}: {gt} does not exist")
            continue
        jobs.append((split, name, GtSource(gt, root)))
        print(f"{split}/{name}: {gt} (root {root})")
if not any(split == "train" for split, _, _ in jobs):
    raise RuntimeError("no training gt file found: run 01_make_gtdata first (and crnn_preprocess, "
                       "02_generate_text_images for the other datasets); nothing was written")

# %% [markdown]
# ## 2. Write the lmdbs
# Written to `<out>.tmp-<pid>` and renamed when complete; the map grows as needed (no 1 TiB map). A dataset whose inputs did not change since the last run is left as it is.

# %%
config = LmdbConfig(validate=validate, workers=workers, force=force)
reports = {}
for split, name, source in jobs:
    out = Path(lmdb_root) / split / name
    report = create_lmdb([source], out, config)
    reports[(split, name)] = report
    state = "up to date" if report.up_to_date else f"{report.seconds:.1f} s"
    print(f"{out}: {report.written} samples, skipped {dict(report.skipped) or 'none'} ({state})")
    for shown, reason in report.skipped_items[:5]:
        print(f"    skipped {shown}: {reason}")

import pandas as pd
from IPython.display import display

counts = pd.DataFrame([{"split": split, "dataset": name, "written": r.written, "skipped": sum(r.skipped.values()),
                        **{f"skipped: {k}": v for k, v in sorted(r.skipped.items())}}
                       for (split, name), r in reports.items()]).fillna(0).set_index(["split", "dataset"])
counts = counts.astype(int)
counts.to_csv(Path(lmdb_root) / "lmdb_counts.csv", encoding="utf-8-sig")
display(counts)

# %% [markdown]
# ## 3. Label lengths and image sizes

# %%
import matplotlib.pyplot as plt

from modules.lmdbio import read_manifest

fig, axes = plt.subplots(1, 2, figsize=(12, 3.5))
for (split, name), report in reports.items():
    lengths = sorted(report.label_lengths.items())
    axes[0].plot([k for k, _ in lengths], [v for _, v in lengths], marker="o", label=f"{split}/{name}")
    sizes = read_manifest(Path(lmdb_root) / split / name).get("image_sizes", {})
    if sizes:
        print(f"{split}/{name}: " + ", ".join(
            f"{key} {v['min']:.1f} / {v['median']:.1f} / {v['max']:.1f}" for key, v in sizes.items()) + " (min / median / max)")
    if len(report.sizes):  # aspect ratios counted per 0.01 while writing (constant memory)
        aspects = report.sizes.aspects
        axes[1].hist(list(aspects), weights=list(aspects.values()), bins=30, histtype="step", label=f"{split}/{name}")
axes[0].set(xlabel="label length (characters)", ylabel="samples", title="label lengths")
axes[1].set(xlabel="width / height", ylabel="crops", title="aspect ratios (datasets written in this run)")
for ax in axes:
    ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 4. Check the outputs

# %%
import lmdb

for (split, name), report in reports.items():
    out = Path(lmdb_root) / split / name
    assert (out / "data.mdb").exists(), f"{out} was not written"
    env = lmdb.open(str(out), readonly=True, lock=False)
    with env.begin() as txn:
        count = int(txn.get(b"num-samples"))
        assert count == report.written and txn.get(b"image-%09d" % count) is not None, f"{out}: incomplete"
    env.close()
    print(f"{out}: {count} samples")
assert ("train", "aihub") in reports and reports[("train", "aihub")].written > 0, "no AIHub training lmdb"
