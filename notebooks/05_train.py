# %% [markdown]
# # 05 train
# Train the Korean + English scene-text recognizer (DTRB's four-stage family: Transformation,
# FeatureExtraction, SequenceModeling, Prediction) on one or more lmdbs mixed by ratio, starting from the
# shipped pretrained recognizer (`models/pretrained/`; `finetune_from=""` trains from scratch).
#
# **Inputs**: `data_lmdb/train/<name>/` (DTRB lmdb layout), `data_lmdb/test/generated/` (validation,
# rendered with fonts held out of training), `data_lmdb/charset.txt`.
#
# **Outputs**: `saved_models/<exp>/best_accuracy.pth`, `best_norm_ED.pth`, `last.pth` (with optimizer,
# scheduler, iteration and RNG state for resuming), `log_train.txt`, `curves.png`, `metrics.json`.

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
train_root: str = "data_lmdb/train"  # folder holding one lmdb per training dataset
select_data: list = ["generated", "aihub", "textocr"]  # training lmdbs to mix (DTRB select_data)
batch_ratio: list = [0.6, 0.3, 0.1]  # share of each batch per selected dataset (DTRB batch_ratio); 0.3 scene crops from 2,000 sample scenes beat 0.15 from 600 (AIHub-format test crops 80.5% -> 84.8%)
skip_missing: bool = True  # skip a selected lmdb that does not exist (with a warning) instead of failing
valid_data: str = "data_lmdb/test/generated"  # validation lmdb (held-out font families): picks best_accuracy.pth
eval_sets: dict = {"validation crops (held-out fonts)": "data_lmdb/test/generated", "AIHub-format scene crops": "data_lmdb/test/aihub", "TextOCR-format crops": "data_lmdb/test/textocr"}  # in-distribution sets scored at the end
ood_sets: dict = {"OOD dev crops (held-out fonts, other renderer)": "data_lmdb/ood/generated"}  # out-of-distribution sets scored at the end (never trained or chosen on)
charset_path: str = "data_lmdb/charset.txt"  # Charset file: its line order defines the class ids
saved_model_dir: str = "saved_models/None-VGG-BiLSTM-CTC-Seed1111"  # checkpoints, log, curves (name says the stages)
transformation: str = "None"  # None | TPS
feature_extraction: str = "VGG"  # VGG | RCNN | ResNet
sequence_modeling: str = "BiLSTM"  # None | BiLSTM
prediction: str = "CTC"  # CTC | Attn
output_channel: int = 128  # feature channels (DTRB: 512)
hidden_size: int = 128  # BiLSTM / attention hidden size (DTRB: 256)
batch_norm: bool = True  # BatchNorm after every convolution (DTRB: False); leaves the all-blank CTC phase sooner
jamo_head: bool = True  # Hangul syllables share weights per jamo: rare syllables learn from common ones (DTRB: False)
img_h: int = 32  # input height
img_w: int = 128  # input width (DTRB: 100; 128 fits the generated phrases, median aspect 3.6)
rgb: bool = False  # 3-channel input instead of grayscale
keep_ratio_pad: bool = False  # keep the aspect ratio and pad on the right (DTRB PAD)
batch_max_length: int = 25  # longest label kept; longer labels are filtered and counted
batch_size: int = 64  # samples per iteration (sum of the per-dataset shares)
num_iter: int = 3000  # optimisation steps: about 8 min on 2 CPU cores (0.15 s each) fine-tuning the shipped recognizer; from scratch it needs 12,000+ (the pretrain profile)
val_interval: int = 500  # validate (and checkpoint) every this many steps
max_val_samples: int = 0  # validation samples used at each interval, 0 for all
optimizer: str = "adam"  # adam | adadelta (DTRB default: adadelta, lr 1.0)
lr: float = 0.0002  # peak learning rate for fine-tuning the shipped recognizer (higher peaks first drop its validation accuracy and end below it); from scratch (finetune_from="") use 0.005, as the smoke and pretrain profiles do
grad_clip: float = 5.0  # gradient-norm clipping
schedule: str = "onecycle"  # onecycle | cosine | constant
amp: str = "auto"  # auto | bf16 | fp16 | off; auto picks bf16/fp16 on CUDA, bf16 on CPUs with native bf16, else fp32
augment: bool = True  # online augmentation (affine, blur, contrast, noise, inversion) of every training batch
augment_p: float = 0.3  # probability of each augmentation
cache_images: bool = True  # decode + resize every training image once up front (fast on few CPU cores)
max_train_samples: int = 0  # cap per training lmdb, 0 for all
sync_bn: bool = False  # torchrun runs: batch-norm statistics over the global batch (all processes)
torchrun_nproc: int = 0  # > 0: launch the training under torchrun with this many processes on this machine
num_workers: int = 0  # DataLoader workers, 0 loads in the main process (enough with cache_images)
num_threads: int = 0  # torch CPU threads, 0 for the default (all cores)
device: str = "auto"  # "auto" picks CUDA when available, else CPU; or "cpu", "cuda", "cuda:0"
seed: int = 1111  # seed for weights, batch order and augmentation
resume: bool = True  # continue from saved_model_dir/last.pth when it exists and matches
overwrite: bool = False  # train into a saved_model_dir that holds another model or charset, deleting it (else the run stops first)
finetune_from: str = "models/pretrained/recognizer.pth"  # checkpoint to start from: the shipped recognizer (a different charset is remapped, with a report); "" trains from scratch
show_samples: int = 12  # validation crops shown with their predictions at the end

# %% [markdown]
# ## 1. Charset, device, precision and output folder
# The model's stages and sizes come from the parameters. A `saved_model_dir` holding another model or
# charset stops the run here, before anything is loaded or written (set `overwrite=True` to replace it);
# the same model in the same folder resumes.

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt
import torch

from modules.device import resolve_device
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.output_guard import check_saved_model_dir
from modules.recognizer.train import amp_dtype
from modules.pipeline.inputs import require_finetune_source, require_inputs
from modules.text.charset import Charset

require_inputs({charset_path: "04_extract_charset", train_root: "03_create_lmdb", valid_data: "03_create_lmdb"})
require_finetune_source(finetune_from)
torch.manual_seed(seed)
if num_threads > 0:
    torch.set_num_threads(num_threads)
charset = Charset.read(charset_path)
dev = resolve_device(device)
pre = Preprocess(img_h=img_h, img_w=img_w, rgb=rgb, keep_ratio_pad=keep_ratio_pad)
config = ModelConfig(
    num_class=len(charset) + (1 if prediction == "CTC" else 2), transformation=transformation,
    feature_extraction=feature_extraction, sequence_modeling=sequence_modeling, prediction=prediction,
    input_channel=pre.channels, output_channel=output_channel, hidden_size=hidden_size, batch_norm=batch_norm,
    img_h=img_h, img_w=img_w, batch_max_length=batch_max_length, jamo_head=jamo_head,
)
out_dir = Path(saved_model_dir)
folder_state = check_saved_model_dir(out_dir, config, charset, pre, overwrite=overwrite, finetune_from=finetune_from)
print(f"charset: {len(charset)} characters ({sum('가' <= c <= '힣' for c in charset.chars)} Hangul syllables)")
print(f"device: {dev}, threads: {torch.get_num_threads()}, autocast: {amp_dtype(dev, amp) or 'off (fp32)'}")
print(f"output folder {out_dir}: " + {"new": "new", "same": "holds this model (resumed or retrained)",
                                      "replaced": "held another model, deleted (overwrite=True)"}[folder_state])

# %% [markdown]
# ## 2. Training and validation data
# Labels longer than `batch_max_length` or with characters outside the charset are left out and
# counted (never rewritten). Each batch mixes the selected datasets by `batch_ratio`.

# %%
from modules.recognizer.lmdb_dataset import LmdbDataset
from modules.recognizer.augment import Augmenter
from modules.recognizer.data import eval_batches, open_train_data

train = open_train_data(
    train_root, select_data, batch_ratio, batch_size, pre, charset, batch_max_length,
    augment=Augmenter(p=augment_p) if augment else None, cache=cache_images, seed=seed,
    skip_missing=skip_missing, max_samples=max_train_samples or None,
)
print(train.summary())
valid = LmdbDataset(valid_data, pre, charset, batch_max_length, cache=True, max_samples=max_val_samples or None)
print(valid.report)

# %%
from modules.viz import hangul_font

images, labels = next(train.batches(0))
fig, axes = plt.subplots(4, 4, figsize=(12, 4))
for ax, image, label in zip(axes.flat, images, labels):
    ax.imshow(image.permute(1, 2, 0).squeeze(), cmap="gray")
    ax.set_title(label, fontproperties=hangul_font(11))
    ax.axis("off")
fig.suptitle("a training batch" + (" (after augmentation)" if augment else ""))
plt.show()

# %% [markdown]
# ## 3. Model
# Stages and sizes come from the parameters (section 1); the checkpoint folder name says which stages it holds.
# With `finetune_from`, weights are copied, and rows of the output layer are remapped by character, so
# a checkpoint trained with another charset keeps what it learned for the shared characters.
# With `jamo_head`, each Hangul syllable's output is its own row plus the rows of its initial, medial and
# final jamo, which every syllable shares: a syllable seen a few times in training is read much better.

# %%
from modules.recognizer.checkpoint import load_checkpoint, remap_for_charset
from modules.model_size import count_parameters
from modules.recognizer.model import build_model
from modules.recognizer.train import OptimConfig, Trainer

model = build_model(config, charset).to(dev)
if finetune_from:
    report = remap_for_charset(load_checkpoint(finetune_from), model, charset)
    print(f"fine-tuning from {finetune_from}: {report['shared_chars']} shared characters kept, "
          f"{report['new_chars']} new initialised, {report['dropped_chars']} dropped; remapped {report['remapped']}")
optim = OptimConfig(optimizer=optimizer, lr=lr, grad_clip=grad_clip, schedule=schedule, num_iter=num_iter)
trainer = Trainer(model, charset, pre, optim, amp=amp)
print(f"{config.stages}: {count_parameters(model) / 1e6:.2f} M parameters, {config.num_class} classes")

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

dist_params = {name: globals()[name] for name in declared_parameters("notebooks/05_train.ipynb")}
dist_config = Path(saved_model_dir) / "torchrun_params.json"
dist_config.parent.mkdir(parents=True, exist_ok=True)
dist_config.write_text(json.dumps(dist_params, ensure_ascii=False, indent=1), encoding="utf-8")
print("one machine, N GPUs:  ", shlex.join(torchrun_command("modules.pipeline.train_recognizer", str(dist_config), nproc_per_node=8)))
print("M machines (each runs):", shlex.join(torchrun_command("modules.pipeline.train_recognizer", str(dist_config), nproc_per_node=8, nnodes=2,
                                                              rdzv_endpoint="HOST:29400")))
if torchrun_nproc > 0:
    subprocess.run(torchrun_command("modules.pipeline.train_recognizer", str(dist_config), nproc_per_node=torchrun_nproc,
                                    launcher=(sys.executable, "-m", "torch.distributed.run")), check=True)

# %% [markdown]
# ## 4. Train
# Every `val_interval` steps: loss, word accuracy, ICDAR 2019 normalized edit distance and a few
# ground truth / prediction / confidence rows, also written to `log_train.txt`.
#
# **CTC runs start with an all-blank phase**: for the first few hundred to thousand steps the model
# predicts nothing (accuracy 0) while the loss falls; then characters appear. This is normal.

# %%
from modules.recognizer.fit import fit, plot_curves
from modules.recognizer.resume import resume_or_restart

history = resume_or_restart(trainer, out_dir, resume)  # resume: go on from last.pth; else a new log and metrics
history = fit(
    trainer, train.batches(trainer.iteration, num_workers), lambda: eval_batches(valid), num_iter, val_interval,
    out_dir, history=history,
)

# %% [markdown]
# ## 5. Curves

# %%
fig = plot_curves(history, out_dir / "curves.png")
plt.show()
best = max(history["val"], key=lambda r: r["accuracy"])
print(f"best word accuracy {100 * best['accuracy']:.2f}% (norm ED {best['norm_ed']:.4f}) at iteration {best['iteration']}")

# %% [markdown]
# ## 6. The best checkpoint on validation crops
# Loaded back with the public inference API, the way users and the demo will load it.

# %%
from modules.recognizer import Recognizer

rec = Recognizer.from_checkpoint(out_dir / "best_accuracy.pth", device=dev)
crops = [valid[i][0].transpose(1, 2, 0).squeeze() for i in range(min(show_samples, len(valid)))]
results = rec.recognize(crops)
fig, axes = plt.subplots((len(crops) + 3) // 4, 4, figsize=(12, 1.1 * ((len(crops) + 3) // 4)), squeeze=False)
for ax, crop, (text, conf), i in zip(axes.flat, crops, results, range(len(crops))):
    ax.imshow(crop, cmap="gray")
    ok = text == valid.labels[i]
    ax.set_title(f"{text} ({conf:.2f})", color="green" if ok else "red", fontproperties=hangul_font(10))
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 7. In and out of distribution
# The best checkpoint reads each labelled set through the public API. In-distribution sets come from the
# project's own generator (held-out font families, the training renderer); the out-of-distribution dev
# set uses held-out families **and** renderer settings the training never used. The gap between the two
# is how far the model still reads only what it was drawn. Nothing was trained or chosen on these sets
# except the validation crops, which pick `best_accuracy.pth`.

# %%
import pandas as pd

from modules.recognizer.evaluate import CropSet, eval_sets_report, evaluate_sets

sets = [CropSet(name, path, ood=False) for name, path in eval_sets.items()]
sets += [CropSet(name, path, ood=True) for name, path in ood_sets.items()]
set_results = evaluate_sets(rec, sets)
table = pd.DataFrame([r.row() for r in set_results])
table.to_csv(out_dir / "eval_sets.csv", index=False)
report = eval_sets_report(out_dir / "best_accuracy.pth", rec, set_results)  # figures + every setting they depend on
(out_dir / "eval_sets.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
table

# %% [markdown]
# What the model misreads out of distribution: the first misread crops of each OOD set as stored, with
# the label -> the reading (confidence). Looking at them says more about the gap than the figure does.

# %%
from modules.recognizer.evaluate import misreads

for crop_set in [s for s in sets if s.ood and (Path(s.lmdb_dir) / "data.mdb").exists()]:
    wrong = misreads(rec, crop_set, count=show_samples)
    if not wrong:
        print(f"{crop_set.name}: no misread crop among the first ones")
        continue
    rows = (len(wrong) + 2) // 3
    fig, axes = plt.subplots(rows, 3, figsize=(12, 1.3 * rows), squeeze=False)
    for ax, (crop, label, text, conf) in zip(axes.flat, wrong):
        ax.imshow(crop)
        ax.set_title(f"{label} -> {text} ({conf:.2f})", color="red", fontproperties=hangul_font(9))
    for ax in axes.flat:
        ax.axis("off")
    fig.suptitle(f"{crop_set.name}: misread crops")
    plt.show()

# %% [markdown]
# ## 8. Outputs

# %%
for name in ("best_accuracy.pth", "best_norm_ED.pth", "last.pth", "log_train.txt", "metrics.json", "curves.png",
             "eval_sets.json", "eval_sets.csv"):
    assert (out_dir / name).exists(), f"missing {out_dir / name}"
print(json.dumps({k: history[k] for k in ("best_accuracy", "best_norm_ed")}))
