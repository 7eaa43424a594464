# %% [markdown]
# # yolocrnn_demo — end-to-end OCR: detect, crop, recognize, evaluate
# Runs the trained detector + recognizer on sample photos (generated scenes and your own images), draws
# the words with their Korean / English text, and evaluates on a labelled set (AIHub or TextOCR format).
#
# **Inputs**: detector and recognizer checkpoints (default: the latest `run_all.py` run, else the shipped
# pretrained models), `data/test_image/` +
# `data/test_label/` (AIHub-format generated scenes), `data/textocr/TextOCR_0.1_val.json` + images, and any
# photos in `user_image_dir`.
#
# **Outputs**: `results/demo/<image>.json` (one result page per image), `results/demo/<image>.jpg` (drawn),
# `results/demo/words.csv` (every word read), `results/demo/eval.json` (detection, recognition and end-to-end metrics).

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
detector_checkpoint: str = ""  # detector .pt; empty: from the latest run_all.py run (the shipped one when no run trained one)
recognizer_checkpoint: str = ""  # recognizer .pth; empty: from the latest run_all.py run (the shipped one when no run trained one)
compare_shipped: bool = True  # also evaluate the shipped pretrained models on the same sets, side by side
sample_image_dir: str = "data/test_image"  # generated scenes to show
user_image_dir: str = "data/demo_images"  # drop your own photos here (optional; skipped when absent)
num_samples: int = 6  # images of sample_image_dir to run and draw (all of user_image_dir are run)
show_samples: int = 3  # drawn images shown inline
eval_format: str = "aihub"  # labelled evaluation set: "aihub" or "textocr"
eval_label_dir: str = "data/test_label"  # AIHub: folder of per-image label JSON
eval_image_dir: str = "data/test_image"  # AIHub: folder of the images
textocr_json: str = "data/textocr/TextOCR_0.1_val.json"  # TextOCR: annotation JSON
textocr_image_root: str = "data/textocr"  # TextOCR: folder holding train_images/
ood_label_dir: str = "data/ood_label"  # AIHub-format out-of-distribution dev scenes (held-out fonts, re-shot); "" skips
ood_image_dir: str = "data/ood_image"  # their images
ood_eval_json: str = "results/demo/eval_ood.json"  # evaluation report of the OOD dev scenes
eval_limit: int = 0  # evaluate at most this many images (0: all)
ignore_case: bool = False  # end-to-end text match ignores case (Hangul unaffected)
drop_jamo_only: bool = False  # True: words labelled only with jamo (ㅋㅋ) are don't-care, as when 01 ran with drop_jamo_only; False: ordinary words
margin: float = 0.05  # crop margin per side, fraction of the box's shorter side
extra_margins: list = [[0.2, 0.05], [0.05, 0.15], [0.4, 0.05], [0.2, 0.15]]  # more crops per box, [along, across] the text; most confident wins ([] = one crop)
wide_width: int = 256  # crops longer than the recognizer's input are read again at their own aspect, up to this width; most confident wins (0: off)
det_input_size: int = 0  # detector input side, a multiple of 32 (0: the checkpoint's)
det_score_threshold: float = 0.0  # detector score threshold (0: the checkpoint's DetectConfig)
det_scales: list = [0.8, 1.0, 1.25]  # detector runs at these multiples of its input size, boxes fused ([] or [1.0]: once)
det_large_photo_scales: list = [2.0, 3.0]  # ... and at these for photos at least that large (small text in big photos; []: off)
decoder: str = "greedy"  # recognizer decoder: "greedy" or "beam" (CTC only)
min_confidence: float = 0.4  # drop words recognized with a lower confidence (0: keep every detected box)
vertical: str = "tile"  # tall boxes: "tile" (one band per character side by side), "auto" (also as is and rotated), "rotate", "none"
device: str = "auto"  # torch device for both models: "auto" (CUDA when available, else CPU), "cpu", "cuda"
output_dir: str = "results/demo"  # per-image JSON + drawings
eval_json: str = "results/demo/eval.json"  # evaluation report
sample_profile: str = "default"  # size of the embedded sample scenes made when the default inputs are absent ("smoke": tiny)

# %% [markdown]
# ## 1. Load the models
# Paths left empty come from the latest `run_all.py` run (`runs/*/summary.json`), or, before any run
# trained them, from the shipped pretrained models; the cell prints which. Opened alone in a fresh clone,
# the notebook first makes the sample scenes it reads.

# %%
from pathlib import Path

from modules.generator.sample_datasets import ensure_sample_inputs

ensure_sample_inputs([sample_image_dir, eval_label_dir, eval_image_dir, ood_label_dir, ood_image_dir],
                     profile=sample_profile)

import matplotlib.pyplot as plt

from modules.ocr import OCR, OCRConfig
from modules.viz import hangul_font

from modules.ocr.latest_run import find_latest_checkpoints

latest = find_latest_checkpoints("runs")
given = {"detector": detector_checkpoint, "recognizer": recognizer_checkpoint}
# each model: the path given, else the latest run's, else the shipped one (a run may have trained only one)
paths = {kind: given[kind] or (str(latest[kind].path) if latest[kind] is not None else "") for kind in given}
missing = [kind for kind, path in paths.items() if not path]
if missing:
    print(f"no run_all.py run recorded a {' or a '.join(missing)} yet: the shipped one stands in")
config = OCRConfig(margin=margin, extra_margins=extra_margins, wide_width=wide_width, decoder=decoder,
                   min_confidence=min_confidence, vertical=vertical)
options = {"input_size": det_input_size or None, "score_threshold": det_score_threshold or None,
           "tta_scales": tuple(det_scales) if len(det_scales) > 1 else (),
           "large_photo_scales": tuple(det_large_photo_scales)}
ocr = OCR.from_checkpoints(detector=paths["detector"] or None, recognizer=paths["recognizer"] or None,
                           device=device, config=config, models="shipped",
                           detector_options={k: v for k, v in options.items() if v is not None})

# %% [markdown]
# ## 2. Run on sample photos
# Generated scenes first, then every image in `user_image_dir`. Unreadable files are reported and skipped.

# %%
from modules.ocr.files import list_images, list_inputs, ocr_files, skipped_folders

samples = list_images(sample_image_dir)[:num_samples]
user = list_inputs(Path(user_image_dir)) if Path(user_image_dir).is_dir() else []  # non-images too: reported
for folder in skipped_folders(Path(user_image_dir)):
    print(f"skipped {folder}: sub-folder (only the images directly in {user_image_dir} are read)")
out = Path(output_dir)
pages, drawn = ocr_files(ocr, samples + user, out)  # <name>.json and <name>.jpg per image in out
print(f"{len(pages)} image(s) read from {len(samples)} sample(s) and {len(user)} user file(s); results in {out}/")

# %% [markdown]
# ## 3. Drawn results
# Boxes with the recognized text and its confidence, in the shipped Hangul font.

# %%
for picture, page in list(zip(drawn, pages))[:show_samples]:
    fig, ax = plt.subplots(figsize=(10, 10 * picture.shape[0] / picture.shape[1]))
    ax.imshow(picture)
    ax.set_title(Path(page.source).name, fontproperties=hangul_font(11))
    ax.axis("off")
    plt.show()

# %% [markdown]
# ## 4. Results table
# Every word in reading order (lines top to bottom, words left to right), also saved as `words.csv` in `output_dir`.

# %%
import pandas as pd
from IPython.display import display

words = pd.DataFrame([{"image": Path(p.source).name, "word": i, "text": w.text, "confidence": round(w.confidence, 3),
                       "x1": round(w.xyxy[0]), "y1": round(w.xyxy[1]), "x2": round(w.xyxy[2]), "y2": round(w.xyxy[3])}
                      for p in pages for i, w in enumerate(p.words)],
                     columns=["image", "word", "text", "confidence", "x1", "y1", "x2", "y2"])
words.to_csv(out / "words.csv", index=False, encoding="utf-8-sig")
display(words.head(60))
print(f"{len(words)} words in {out / 'words.csv'}")
if pages:
    print("\nmerged lines of", Path(pages[0].source).name, ":\n" + pages[0].text)

# %% [markdown]
# ## 5. Evaluate on the labelled set
# Detection precision / recall / H-mean, recognition accuracy and normalized edit distance on the
# ground-truth crops, and end-to-end word precision / recall / F (box IoU >= 0.5 and the same text).

# %%
import json

from modules.imageio import write_bytes_atomic
from modules.ocr.evaluate import evaluate_ocr, labelled_records

test_set = (eval_format, eval_label_dir, eval_image_dir, textocr_json, textocr_image_root)
report = evaluate_ocr(ocr, labelled_records(*test_set), limit=eval_limit or None, ignore_case=ignore_case, drop_jamo_only=drop_jamo_only)
report["dataset"] = {"format": eval_format, "labels": eval_label_dir if eval_format == "aihub" else textocr_json}
report["models"] = ocr.sources
write_bytes_atomic(eval_json, json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"))
print(f"{report['images']} images evaluated; skipped: {report['skipped'] or 'none'}; "
      f"jamo-only labels: {report['jamo_only_words']} ({'dont-care' if drop_jamo_only else 'ordinary words'})")
for part in ("detection", "end_to_end"):
    r = report[part]
    print(f"{part:12s} precision {r['precision']:.3f}  recall {r['recall']:.3f}  H/F {r['hmean']:.3f}")
rec = report["recognition"]
print(f"recognition  accuracy {rec['word_accuracy']:.3f}  norm_ED {rec['norm_ED']:.3f}  on {rec['samples']} gt crops")

# %% [markdown]
# ## 6. In and out of distribution
# The same evaluation on the out-of-distribution dev scenes: held-out font families, photographed
# differently from every training scene (perspective tilt, uneven light, glare, blur, low resolution,
# grain). The gap between the two rows is how much the models still depend on how their data was drawn.

# %%
import pandas as pd

reports = {"in-distribution (test scenes)": report}
if ood_label_dir and Path(ood_label_dir).is_dir():
    ood_report = evaluate_ocr(ocr, labelled_records("aihub", ood_label_dir, ood_image_dir), limit=eval_limit or None,
                              ignore_case=ignore_case)
    ood_report["dataset"] = {"format": "aihub", "labels": ood_label_dir}
    ood_report["models"] = ocr.sources
    write_bytes_atomic(ood_eval_json, json.dumps(ood_report, ensure_ascii=False, indent=1).encode("utf-8"))
    reports["out-of-distribution (OOD dev scenes)"] = ood_report
else:
    print(f"{ood_label_dir or 'no OOD folder'}: absent, OOD evaluation skipped")
from modules.ocr.evaluate import summary_row

summary = pd.DataFrame([summary_row(name, r) for name, r in reports.items()])
summary.to_csv(Path(output_dir) / "eval_summary.csv", index=False)
summary

# %% [markdown]
# ## 7. The run's models beside the shipped ones
# The same sets read by the shipped pretrained models (`models/pretrained/`, see its model card), with the
# same settings. The default run fine-tunes from them: it should read better than they do, out of
# distribution above all; where it does not, the table shows it.

# %%
rows = [{"models": "this run", **summary_row(name, r)} for name, r in reports.items()]
ocr_shipped = None
if compare_shipped and len(missing) < len(paths):  # at least one model is not the shipped one
    try:
        ocr_shipped = OCR.from_checkpoints(device=device, config=config, models="shipped",
                                           detector_options={k: v for k, v in options.items() if v is not None})
    except FileNotFoundError as error:
        print(f"no comparison: {error}")
if ocr_shipped is not None:
    sets = {"in-distribution (test scenes)": (test_set, drop_jamo_only),
            "out-of-distribution (OOD dev scenes)": (("aihub", ood_label_dir, ood_image_dir), False)}
    for name, (where, drop) in sets.items():
        if name in reports:
            r = evaluate_ocr(ocr_shipped, labelled_records(*where), limit=eval_limit or None, ignore_case=ignore_case,
                             drop_jamo_only=drop)
            rows.append({"models": "shipped", **summary_row(name, r)})
compare = pd.DataFrame(rows)
compare.to_csv(Path(output_dir) / "eval_compare.csv", index=False)
compare

# %%
assert Path(eval_json).exists(), f"{eval_json} was not written"
assert any(Path(output_dir).glob("*.json")), f"no result JSON in {output_dir}"
assert (Path(output_dir) / "words.csv").exists(), f"{output_dir}/words.csv was not written"
print("outputs ok:", eval_json, output_dir)
