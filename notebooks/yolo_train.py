# %% [markdown]
# # yolo_train
# Train the YOLOv3-MobileNet text detector on the YOLO annotations, starting from the shipped pretrained detector (`finetune_from=""`: from scratch), validating precision / recall / H-mean (IoU >= 0.5, don't-care aware) every epoch.
#
# **Inputs**: `data/yolo/train.txt`, `data/yolo/val.txt`, `data/yolo/anchors.json`
#
# **Outputs**: `saved_models/yolo/<exp_name>/best.pt`, `last.pt`, `metrics.json`, `curves.png`, `history.json`

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
train_file: str = "data/yolo/train.txt"  # YOLO annotation lines for training
val_file: str = "data/yolo/val.txt"  # YOLO annotation lines for validation (held-out fonts / backgrounds)
anchors_file: str = "data/yolo/anchors.json"  # k-means text anchors from yolo_preprocess
out_root: str = "saved_models/yolo"  # checkpoints go to <out_root>/<exp_name>/
exp_name: str = "default"  # experiment name
width_mult: float = 0.25  # MobileNet v1 width multiplier
head_width: int = 32  # channels of the finest YOLO head branch (x2, x4 for the coarser ones)
input_size: int = 512  # letterbox side at inference and validation (multiple of 32)
train_size: int = 320  # side of the training crops, taken at the input_size scale (multiple of 32)
scale_range: list = [0.5, 1.3]  # random zoom of the training crops around the input_size scale
cache_side: int = 960  # images are kept in memory with their longer side at most this
epochs: int = 3  # training epochs; the schedule counts steps, not time, where they fit in time_limit_min (about 5 min on 2 cores); fine-tuning the shipped detector, its validation H-mean is flat from epoch 1
vertical_repeat: int = 3  # images holding 2+ vertical words are shown this many times per epoch (1: once)
sync_bn: bool = False  # torchrun runs: batch-norm statistics over the global batch (all processes)
torchrun_nproc: int = 0  # > 0: launch the training under torchrun with this many processes on this machine
batch_size: int = 4  # images per step; small batches give more optimisation steps in a CPU-sized time budget
lr: float = 0.003  # peak AdamW learning rate (linear warm-up, cosine decay)
weight_decay: float = 0.0005  # AdamW weight decay
warmup_steps: int = 60  # warm-up steps
box_weight: float = 0.15  # weight of the box (1 - GIoU) loss against objectness (1.0)
ema_decay: float = 0.995  # validate and save an exponential moving average of the weights with this decay (0: off)
time_limit_min: float = 7.0  # cap for slow machines: past it the LR schedule follows time and still ends annealed (0: none)
num_threads: int = 0  # torch CPU threads (0: torch's default)
device: str = "auto"  # "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N"; CUDA trains with mixed precision
score_threshold: float = 0.4  # detection score threshold for validation; saved in the checkpoint (DetectConfig)
nms_iou: float = 0.3  # NMS IoU threshold for validation; saved in the checkpoint (DetectConfig; text lines seldom overlap)
backbone_weights: str | None = None  # optional user MobileNet v1 backbone state_dict (.pt) of the same width
finetune_from: str = "models/pretrained/detector.pt"  # detector to start from: the shipped one (same architecture; its anchors are kept); "" trains from scratch
resume: bool = False  # continue from <out_root>/<exp_name>/last.pt when it exists
overwrite: bool = False  # train into an <out_root>/<exp_name> that holds another detector, deleting it (else the run stops first)
seed: int = 0  # random seed
show_examples: int = 6  # validation images drawn with their detections
val_epoch_limit: int = 100  # validate on this many images after each epoch (0: all); the final check uses all

# %%
import json
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import matplotlib.pyplot as plt
import torch

from modules.detector import Detector, DetectorConfig, LossConfig, TrainConfig
from modules.detector.annotations import read_yolo_file
from modules.detector.augment import AugmentConfig
from modules.detector.dataset import load_samples, repeat_vertical
from modules.detector.detect import TTA_SCALES
from modules.detector.mobilenet import load_backbone_weights
from modules.detector.model import YoloDetector
from modules.model_size import count_parameters
from modules.detector.preprocess import load_anchors, save_json
from modules.detector.targets import DONTCARE
from modules.detector.train import evaluate, fit
from modules.viz import draw_boxes, show_grid

# %% [markdown]
# ## 1. Device and output folder
# The architecture comes from the parameters; fine-tuning (`finetune_from`, by default the shipped detector)
# keeps the checkpoint's anchors, which its head learned to predict from. An output folder holding another detector stops the run
# here, before any image is decoded (set `overwrite=True` to replace it); the same detector resumes.

# %%
from modules.detector.output_guard import check_detector_dir
from modules.device import resolve_device
from modules.pipeline.inputs import require_finetune_source, require_inputs

require_inputs({train_file: "yolo_preprocess", val_file: "yolo_preprocess", anchors_file: "yolo_preprocess"})
require_finetune_source(finetune_from)
dev = resolve_device(device)
config = DetectorConfig(width_mult=width_mult, head_width=head_width, input_size=input_size,
                        anchors=load_anchors(anchors_file))
start_weights = None
if finetune_from:
    from modules.detector.finetune import finetune_config

    config, start_weights = finetune_config(finetune_from, config)
    print(f"fine-tuning from {finetune_from}: its anchors replace {anchors_file}'s")
out_dir = Path(out_root) / exp_name
folder_state = check_detector_dir(out_dir, config, overwrite=overwrite)
print(f"device: {dev}; output folder {out_dir}: " + {"new": "new", "same": "holds this detector",
                                                     "replaced": "held another detector, deleted (overwrite=True)"}[folder_state])

# %% [markdown]
# ## 2. Data
# Images are decoded once and kept in memory (re-decoding JPEGs every epoch would cost more than the model on 2 CPU cores).

# %%
problems = Counter()
train_records = read_yolo_file(train_file, problems)
val_records = read_yolo_file(val_file, problems)
train_samples = load_samples(train_records, cache_side, problems, desc="train images")
val_samples = load_samples(val_records, cache_side, problems, desc="val images")
print(f"train {len(train_samples)} images, val {len(val_samples)} images; problems: {dict(problems) or 'none'}")
assert train_samples and val_samples, "no training or validation images"
train_images = len(train_samples)
train_samples = repeat_vertical(train_samples, vertical_repeat)
print(f"{(len(train_samples) - train_images) // max(vertical_repeat - 1, 1)} images with vertical words, "
      f"shown {vertical_repeat}x per epoch: {len(train_samples)} samples per epoch")

# %% [markdown]
# ## 3. Model: MobileNet v1 + YOLOv3 three-scale head

# %%
torch.manual_seed(seed)
model = YoloDetector(config).to(dev)
if start_weights is not None:
    model.load_state_dict(start_weights)
if backbone_weights:
    missing = load_backbone_weights(model.backbone, backbone_weights)
    print(f"loaded backbone weights from {backbone_weights}; missing keys: {missing or 'none'}")
print(f"{count_parameters(model) / 1e6:.2f} M parameters; anchors (px at {input_size}):",
      [[round(w), round(h)] for w, h in config.anchors_px])

# %% [markdown]
# ## Many GPUs or machines: torchrun
# The same training runs under `torchrun` (DistributedDataParallel; NCCL on GPUs, Gloo on CPUs) from a JSON of
# this notebook's parameters. `batch_size` is the global batch (N processes take `batch_size / N` each, and
# the log states both); only rank 0 validates and writes; a `last` checkpoint resumes on any number of
# processes. `sync_bn` synchronises batch-norm statistics over the global batch. With `torchrun_nproc` > 0
# this cell launches it on this machine; with `resume` true the next cells then continue from its `last` checkpoint.

# %%
import shlex
import subprocess
import sys

from modules.distributed import torchrun_command
from modules.pipeline.parameters import declared_parameters

dist_params = {name: globals()[name] for name in declared_parameters("notebooks/yolo_train.ipynb")}
dist_config = Path(out_root + '/' + exp_name) / "torchrun_params.json"
dist_config.parent.mkdir(parents=True, exist_ok=True)
dist_config.write_text(json.dumps(dist_params, ensure_ascii=False, indent=1), encoding="utf-8")
print("one machine, N GPUs:  ", shlex.join(torchrun_command("modules.pipeline.train_detector", str(dist_config), nproc_per_node=8)))
print("M machines (each runs):", shlex.join(torchrun_command("modules.pipeline.train_detector", str(dist_config), nproc_per_node=8, nnodes=2,
                                                              rdzv_endpoint="HOST:29400")))
if torchrun_nproc > 0:
    subprocess.run(torchrun_command("modules.pipeline.train_detector", str(dist_config), nproc_per_node=torchrun_nproc,
                                    launcher=(sys.executable, "-m", "torch.distributed.run")), check=True)

# %% [markdown]
# ## 4. Train (progress bar per epoch, validation each epoch, best and last checkpoints)
# The learning rate warms up, then follows a cosine over the `epochs`' steps, not time, on a machine fast enough to finish them within `time_limit_min`; on a slower one `time_limit_min` takes over (the cosine then follows the larger of step progress and time used, and still ends annealed within it). With `ema_decay` the moving average of the weights is what is validated and saved: it smooths the last steps' noise.

# %%
train_config = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay,
                           warmup_steps=warmup_steps, train_size=train_size, seed=seed, num_threads=num_threads,
                           time_limit_min=time_limit_min, ema_decay=ema_decay)
started = time.monotonic()
epoch_val = val_samples[:val_epoch_limit] if val_epoch_limit else val_samples
loss_config = LossConfig(box_weight=box_weight)
augment_config = AugmentConfig(scale=tuple(scale_range))
history = fit(model, train_samples, epoch_val, train_config, loss_config, out_dir, augment_config, resume=resume,
              score_threshold=score_threshold, nms_iou=nms_iou)
train_minutes = (time.monotonic() - started) / 60
print(f"training took {train_minutes:.1f} min")

# %% [markdown]
# ## 5. Loss and validation curves

# %%
from modules.detector.report import plot_history, training_summary

fig = plot_history(history, out_dir / "curves.png")
plt.show()

# %% [markdown]
# ## 6. Best checkpoint on the validation scenes (held-out fonts and backgrounds)
# Measured at the training input size, and at three sizes with the boxes fused, as the end-to-end OCR runs it.

# %%
detector = Detector.from_checkpoint(out_dir / "best.pt", device=dev, score_threshold=score_threshold,
                                    iou_threshold=nms_iou)
metrics = evaluate(detector, val_samples)
# The end-to-end OCR runs the detector at three input sizes and fuses the boxes (modules.detector.fusion):
# the same checkpoint measured that way too.
multi = Detector.from_checkpoint(out_dir / "best.pt", device=dev, score_threshold=score_threshold,
                                 iou_threshold=nms_iou, tta_scales=TTA_SCALES)
multi_metrics = evaluate(multi, val_samples)
summary = training_summary(history, metrics, multi_metrics, multi.tta_sizes, config, val_images=len(val_samples),
                           train_images=train_images, train_minutes=train_minutes,
                           settings={"detect": detector.detect_config.to_dict(), "train": asdict(train_config),
                                     "loss": asdict(loss_config), "augment": asdict(augment_config)},
                           multi_detect=multi.detect_config.to_dict())
save_json(out_dir / "metrics.json", summary)
print(json.dumps({k: v for k, v in summary.items() if k not in ("config", "detect", "train", "loss", "augment")}, indent=1))

# %%
results = detector.detect([s.image for s in val_samples[:show_examples]])
drawn = []
for sample, (boxes, scores) in zip(val_samples[:show_examples], results):
    image = draw_boxes(sample.image, sample.boxes[sample.classes != DONTCARE], color=(0, 200, 0), width=2)
    drawn.append(draw_boxes(image, boxes, [f"{s:.2f}" for s in scores], color=(230, 0, 0), width=2, font_size=12))
fig = show_grid(drawn, [Path(s.path).name for s in val_samples[:show_examples]], columns=3, cell_size=(5.0, 4.0))
plt.show()  # green: ground truth, red: detections with scores

# %%
for name in ("best.pt", "last.pt", "metrics.json", "curves.png", "history.json"):
    assert (out_dir / name).exists(), f"missing {out_dir / name}"
print(f"H-mean {summary['hmean']:.3f} (P {summary['precision']:.3f}, R {summary['recall']:.3f}) at {input_size}; "
      f"{multi_metrics['hmean']:.3f} (P {multi_metrics['precision']:.3f}, R {multi_metrics['recall']:.3f}) "
      f"at {'/'.join(map(str, multi.tta_sizes))} fused; outputs in {out_dir}")
