# %% [markdown]
# # 04 extract charset
# Count every character of the lmdb labels, look at the distribution and the rare ones, and write the versioned charset file that `05_train` reads (optionally united with printable ASCII, the 2,350 KS X 1001 syllables or all 11,172 syllables).
#
# **Inputs**: `data_lmdb/train/<name>/`, `data_lmdb/test/<name>/`
#
# **Outputs**: `data_lmdb/charset.txt` (`modules.text.charset.Charset` file: one character a line, line order = class ids, `\s` = space), `data_lmdb/charset_stats.json`, `data_lmdb/charset_coverage.csv` (labels per lmdb: covered, dropped, altered)

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
lmdb_root: str = "data_lmdb"  # every <lmdb_root>/<split>/<name> lmdb is read
splits: list = ["train", "test"]  # which splits contribute characters
charset_path: str = "data_lmdb/charset.txt"  # charset file written for 05_train
stats_path: str = "data_lmdb/charset_stats.json"  # frequencies, classes and coverage
min_count: int = 1  # characters seen fewer times are left out (before the unions below)
add_ascii: bool = True  # add the 95 printable ASCII characters
add_ksx1001: bool = True  # add the 2,350 KS X 1001 Hangul syllables
add_all_hangul: bool = False  # add all 11,172 Hangul syllables
rare_max_count: int = 2  # characters seen at most this often are listed as rare
show_top: int = 40  # most frequent characters shown in the bar plot

# %% [markdown]
# ## 1. Collect the labels
# Labels are read straight from the lmdbs (no image decoding).

# %%
from pathlib import Path

from modules.lmdbio import iter_lmdb_labels

labels_of = {}
for split in splits:
    for folder in sorted((Path(lmdb_root) / split).glob("*")):
        if (folder / "data.mdb").exists():
            labels_of[f"{split}/{folder.name}"] = [label for _, label in iter_lmdb_labels(folder)]
for name, labels in labels_of.items():
    print(f"{name}: {len(labels)} labels")
all_labels = [label for labels in labels_of.values() for label in labels]
if not all_labels:
    raise RuntimeError(f"no lmdb labels under {lmdb_root}/{{{','.join(splits)}}}/: run 03_create_lmdb first "
                       "(nothing was written)")

# %% [markdown]
# ## 2. Character frequencies

# %%
import matplotlib.pyplot as plt
import numpy as np

from modules.text.charset_stats import char_class, char_frequencies, rare_chars
from modules.viz import hangul_font

frequencies, n_labels = char_frequencies(all_labels)
by_class = {}
for ch, n in frequencies.items():
    by_class[char_class(ch)] = by_class.get(char_class(ch), 0) + n
print(f"{n_labels} labels, {len(frequencies)} distinct characters; occurrences by class: {by_class}")
top = frequencies.most_common(show_top)
fig, axes = plt.subplots(1, 2, figsize=(14, 3.5))
axes[0].bar(range(len(top)), [n for _, n in top])
axes[0].set_xticks(range(len(top)), ["sp" if c == " " else c for c, _ in top], fontproperties=hangul_font(8))
axes[0].set_title(f"{show_top} most frequent characters")
axes[1].loglog(np.arange(1, len(frequencies) + 1), sorted(frequencies.values(), reverse=True))
axes[1].set(xlabel="rank", ylabel="count", title="rank / frequency")
plt.show()
rare = rare_chars(frequencies, rare_max_count)
print(f"{len(rare)} rare characters (seen <= {rare_max_count} times):", " ".join(f"{c!r}:{n}" for c, n in rare[:200]))

# %% [markdown]
# ## 3. Build and write the charset
# Seen characters first (most frequent first: stable class ids for the common ones), then the requested unions. The file is versioned (`#kocr-charset v1`); it is written with its stats at the end of step 4, both only once everything succeeded (temporary files, then renamed), so a failed run never leaves a charset behind.

# %%
from modules.text.charset import Charset
from modules.text.charset_stats import build_charset, charset_coverage, save_charset_outputs

charset = build_charset(frequencies, min_count=min_count, add_ascii=add_ascii, add_ksx1001=add_ksx1001,
                        add_all_hangul=add_all_hangul)
print(f"charset: {len(charset)} characters")

# %% [markdown]
# ## 4. Labels this charset drops or alters
# A label with a character outside the charset cannot be trained on (it is filtered when read); NFC normalisation and tab cleaning alter a label without dropping it.

# %%
import pandas as pd
from IPython.display import display

coverages = {name: charset_coverage(labels, charset) for name, labels in labels_of.items()}
table = pd.DataFrame([{"dataset": name, "labels": c.labels, "covered": c.covered, "dropped": c.dropped,
                       "altered": c.altered, "missing characters": "".join(c.missing_chars)[:40]}
                      for name, c in coverages.items()]).set_index("dataset")
display(table)
for name, coverage in coverages.items():
    if coverage.dropped:
        print(f"{name}: missing characters", dict(coverage.missing_chars.most_common(20)), "e.g.", coverage.examples[:5])
options = {"splits": splits, "min_count": min_count, "add_ascii": add_ascii, "add_ksx1001": add_ksx1001,
           "add_all_hangul": add_all_hangul}
save_charset_outputs(charset_path, stats_path, charset, frequencies, n_labels, charset_coverage(all_labels, charset),
                     options)
table.to_csv(Path(stats_path).with_name("charset_coverage.csv"), encoding="utf-8-sig")
print(f"wrote {charset_path} ({len(charset)} characters), {stats_path} and {Path(stats_path).with_name('charset_coverage.csv')}")

# %% [markdown]
# ## 5. Check the outputs

# %%
assert Path(charset_path).exists(), f"{charset_path} was not written"
assert Path(stats_path).exists(), f"{stats_path} was not written"
assert Charset.read(charset_path) == charset, "the charset file does not read back"
assert labels_of and len(charset) > 0, "no lmdb labels found"
print(f"{charset_path}: {len(charset)} characters; {stats_path}")
