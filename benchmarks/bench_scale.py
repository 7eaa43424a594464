"""How the data chain's time and memory grow with the data: 01 (gt crops) -> 03 (lmdb) -> 04 (charset)
on AIHub-format sets of increasing size, at 1 and more workers.

    .venv/bin/python -m benchmarks.bench_scale                                  # 2,000 and 20,000 scenes
    .venv/bin/python -m benchmarks.bench_scale --scenes 500 --scenes 5000 --workers 1 --workers 2

The largest set is written once with the sample-data generator (``modules.generator``; scene ``i`` does
not depend on the count, so a rerun with more scenes extends it) under ``--root``; each smaller set is
the first scenes of it, hard-linked into its own folder. Every stage runs in a fresh process, so its
peak resident memory (``wait4``'s ``ru_maxrss``: the largest of the stage's process and its workers)
is its own. Streaming stages keep that peak flat as the set grows; time should grow with the boxes.

``--traced`` also traces the stage's Python allocations (``tracemalloc``: the peak of the main process's
Python objects, where per-record lists, dicts and sets live, without the allocator's and the C
libraries' noise), which slows the stages: take times from a run without it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "out" / "bench_scale"
NUMBER = re.compile(r"_(\d{6})$")


def make_sets(root: Path, sizes: list[int], gen_workers: int) -> dict[int, Path]:
    """The largest set generated under ``root/full``, each size as ``root/n<size>`` (hard links)."""
    from modules.generator.sample_datasets import SampleSizes, make_sample_datasets

    full = root / "full"
    make_sample_datasets(full, SampleSizes(max(sizes), 0, 0, 0, 0, 0), workers=gen_workers)
    labels = sorted((full / "train_label").iterdir(), key=lambda p: int(NUMBER.search(p.stem).group(1)))
    images = {p.stem: p for p in (full / "train_image").iterdir()}
    sets = {}
    for size in sizes:
        folder = root / f"n{size}"
        done = folder / ".complete"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            (folder / "train_label").mkdir(parents=True)
            (folder / "train_image").mkdir(parents=True)
            limit = int(NUMBER.search(labels[0].stem).group(1)) + size  # scene numbers start at 1
            stems = [p for p in labels if int(NUMBER.search(p.stem).group(1)) < limit]
            for label in stems:
                os.link(label, folder / "train_label" / label.name)
            for stem, image in images.items():
                if int(NUMBER.search(stem).group(1)) < limit:
                    os.link(image, folder / "train_image" / image.name)
            done.write_text(str(size))
        sets[size] = folder
    return sets


class AnonPeak:
    """Samples this process's anonymous resident memory (``RssAnon``: heap, not the file pages an lmdb
    maps) every 20 ms in a thread; ``peak_mib`` is the largest seen."""

    def __init__(self) -> None:
        import threading

        self.peak, self._stop = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _read(self) -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return float(line.split()[1]) / 1024
        return 0.0

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._read())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak, self._read())


def stage(name: str, data: Path, work: Path, workers: int, traced: bool = False) -> dict:
    """Run one stage in this process and return its figures (called in a child process)."""
    if traced:
        import tracemalloc

        tracemalloc.start()
    anon = AnonPeak()
    start = time.perf_counter()
    if name == "01":
        from modules.datasets.aihub import iter_aihub_outdoor
        from modules.gtdata import GtDataConfig, make_gtdata

        shutil.rmtree(work / "crops", ignore_errors=True)
        report = make_gtdata(iter_aihub_outdoor(data / "train_label", data / "train_image"), work / "crops", "train",
                             work / "crops" / "gt.txt", GtDataConfig(workers=workers, progress=False))
        result = {"images": report.images, "boxes": report.boxes, "records": report.kept}
    elif name == "03":
        from modules.lmdbio import GtSource, LmdbConfig, create_lmdb

        report = create_lmdb([GtSource(str(work / "crops" / "gt.txt"), str(work / "crops"))], work / "lmdb",
                             LmdbConfig(workers=workers, force=True, progress=False))
        result = {"records": report.written}
    else:
        from modules.lmdbio import iter_lmdb_labels
        from modules.text.charset_stats import build_charset, char_frequencies

        frequencies, n_labels = char_frequencies(label for _, label in iter_lmdb_labels(work / "lmdb"))
        result = {"records": n_labels, "charset": len(build_charset(frequencies))}
    result["seconds"] = time.perf_counter() - start
    result["peak_mib"] = peak_memory_mib()
    result["anon_mib"] = anon.stop()
    if traced:
        result["traced_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    return result


def peak_memory_mib() -> float:
    """Peak resident memory of this process (``VmHWM``: of its own address space, unlike ``ru_maxrss``
    which keeps the parent's size from before ``exec``) or of the largest worker it has reaped."""
    import resource

    own = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            own = float(line.split()[1])
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def run_stage(name: str, data: Path, work: Path, workers: int, traced: bool) -> dict:
    """``stage`` in a fresh Python process."""
    cmd = [sys.executable, "-m", "benchmarks.bench_scale", "--stage", name, "--data", str(data), "--work", str(work),
           "--stage-workers", str(workers), *(["--traced"] if traced else [])]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    if done.returncode:
        raise SystemExit(f"stage {name} failed ({done.returncode}): {' '.join(cmd)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenes", type=int, action="append", help="set sizes in scenes (repeatable; default 2000, 20000)")
    parser.add_argument("--workers", type=int, action="append", help="workers of 01 and 03 (repeatable; default 1, 2)")
    parser.add_argument("--gen-workers", type=int, default=0, help="processes writing the scenes (0: every core)")
    parser.add_argument("--root", type=Path, default=ROOT, help="where the sets and outputs go (kept for reruns)")
    parser.add_argument("--traced", action="store_true", help="also report the peak of traced Python allocations "
                        "(slower: times not comparable)")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stage-workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(stage(args.stage, args.data, args.work, args.stage_workers, args.traced)))
        return
    sizes = sorted(set(args.scenes or [2_000, 20_000]))
    settings = sorted(set(args.workers or [1, 2]))
    tic = time.perf_counter()
    sets = make_sets(args.root, sizes, args.gen_workers)
    print(f"sets ready in {time.perf_counter() - tic:.0f} s; {os.cpu_count()} CPU cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    rows = []
    header = (f"{'scenes':>7} {'boxes':>8} {'stage':>5} {'workers':>7} {'seconds':>8} {'boxes/s':>8} {'records':>8} "
              f"{'peak MiB':>9} {'heap MiB':>9}" + (f" {'traced MiB':>10}" if args.traced else ""))
    print(header)
    for size in sizes:
        for workers in settings:
            work = args.root / f"work_n{size}_w{workers}"
            boxes = 0
            for name in ("01", "03", "04"):
                if name == "04" and workers != settings[0]:
                    continue  # single process: once per size
                r = run_stage(name, sets[size], work, workers, args.traced)
                boxes = r.get("boxes", boxes)
                row = {"scenes": size, "boxes": boxes, "stage": name, "workers": workers if name != "04" else 1, **r}
                rows.append(row)
                print(f"{size:>7,} {boxes:>8,} {name:>5} {row['workers']:>7} {r['seconds']:>8.1f} "
                      f"{boxes / r['seconds']:>8.0f} {r['records']:>8,} {r['peak_mib']:>9.0f} {r['anon_mib']:>9.0f}"
                      + (f" {r['traced_mib']:>10.1f}" if args.traced else ""), flush=True)
            shutil.rmtree(work, ignore_errors=True)
    for small, large in zip(sizes, sizes[1:]):
        print(f"\ngrowth from {small:,} to {large:,} scenes (time ratio / boxes ratio; peak memory ratio):")
        for name in ("01", "03", "04"):
            for workers in settings if name != "04" else [1]:
                a = next((r for r in rows if r["scenes"] == small and r["stage"] == name and r["workers"] == workers), None)
                b = next((r for r in rows if r["scenes"] == large and r["stage"] == name and r["workers"] == workers), None)
                if a and b:
                    added = max(1, b["records"] - a["records"])
                    per_record = (b["anon_mib"] - a["anon_mib"]) * 2**20 / added
                    print(f"  {name} workers={workers}: time x{b['seconds'] / a['seconds']:.2f} for boxes "
                          f"x{b['boxes'] / a['boxes']:.2f}; peak memory x{b['peak_mib'] / a['peak_mib']:.2f} "
                          f"({a['peak_mib']:.0f} -> {b['peak_mib']:.0f} MiB); main-process heap "
                          f"{a['anon_mib']:.0f} -> {b['anon_mib']:.0f} MiB, {per_record:+.0f} bytes per added record"
                          + (f"; traced {a['traced_mib']:.1f} -> {b['traced_mib']:.1f} MiB, "
                             f"{(b['traced_mib'] - a['traced_mib']) * 2**20 / added:+.0f} bytes per added record"
                             if args.traced else ""))


if __name__ == "__main__":
    main()
