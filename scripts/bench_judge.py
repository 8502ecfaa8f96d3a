"""Duplicate-judge benchmark: milliseconds per candidate pair with the shipped model (issue target: under 1 ms).

Scores the nearmiss-id pairs and the first 2,000 paws-id pairs of the shared evaluation set, plus 40 long
pairs (~2,000 characters a side, glued from paws sentences). Vectors are random unit vectors: the index
already holds them in the product, so embedding is not part of the judge's cost. "cold" clears the per-text
caches before each pass (every text is analysed once in the pass), "warm" scores texts analysed before.
Each figure is the median of a few passes. Prints a short table and, last, one JSON line.
Usage: python -m scripts.bench_judge [--eval DIR] [--passes N]
"""
import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

from search import pair_features, text
from search.judge import DuplicateJudge

DIM = 384


def read_pairs(path: Path, limit: int | None = None) -> list[tuple[str, str]]:
    """(text_a, text_b) of a tab-separated pairs file with a header row."""
    lines = path.read_text(encoding="utf-8").splitlines()[1 : None if limit is None else limit + 1]
    return [(cols[1], cols[2]) for cols in (line.split("\t") for line in lines)]


def long_pairs(pairs: list[tuple[str, str]], count: int = 40) -> list[tuple[str, str]]:
    """Forum-post-sized pairs: sixteen consecutive sentences per side, cut at 2,000 characters."""
    out = []
    for i in range(0, 16 * count, 16):
        block = pairs[i : i + 16]
        out.append((" ".join(a for a, _ in block)[:2000], " ".join(b for _, b in block)[:2000]))
    return out


def clear_text_caches() -> None:
    """Forget every analysed text, so the next pass analyses each text again (the stemmer's word cache stays)."""
    clear = getattr(pair_features, "clear_cache", None)  # absent before the per-text cache existed
    if clear is not None:
        clear()
    text.normalize.cache_clear()


def unit_vectors(count: int, seed: int = 0) -> np.ndarray:
    """Random float32 unit vectors of the e5 size."""
    x = np.random.default_rng(seed).normal(size=(count, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def ms_per_pair(work, count: int, cold: bool, passes: int) -> tuple[float, float]:
    """Median over passes of (wall, CPU) milliseconds per call of work(i) for i < count.

    Cold passes start with empty text caches. Warm calls are each timed right after an untimed call on the
    same pair: the forum scores one new text against a few candidates, while a whole pass of thousands of
    texts would overflow the bounded caches and measure misses.
    """
    walls, cpus = [], []
    for _ in range(passes):
        if cold:
            clear_text_caches()
        wall = cpu = 0.0
        for i in range(count):
            if not cold:
                work(i)
            w, c = time.perf_counter(), time.process_time()
            work(i)
            wall += time.perf_counter() - w
            cpu += time.process_time() - c
        walls.append(wall / count * 1e3)
        cpus.append(cpu / count * 1e3)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=Path(os.environ.get("EVAL_DIR", "/work/shared/eval")))
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    judge = DuplicateJudge.load()
    first_load = (time.perf_counter() - started) * 1e3
    loads = []
    for _ in range(5):
        started = time.perf_counter()
        DuplicateJudge.load()
        loads.append((time.perf_counter() - started) * 1e3)

    pairs_dir = args.eval / "pairs"
    short = read_pairs(pairs_dir / "nearmiss-id.tsv") + read_pairs(pairs_dir / "paws-id.tsv", 2000)
    long = long_pairs(read_pairs(pairs_dir / "paws-id.tsv", 640))
    u, v = unit_vectors(len(short), 0), unit_vectors(len(short), 1)
    lu, lv = unit_vectors(len(long), 2), unit_vectors(len(long), 3)

    out = {"pairs": len(short), "long_pairs": len(long), "passes": args.passes,
           "load_ms": round(first_load, 2), "reload_ms": round(statistics.median(loads), 2)}
    rows = [judge.features(a, b, vec_a=u[i], vec_b=v[i]) for i, (a, b) in enumerate(short)]
    runs = {
        "cold": (lambda i: judge.score(*short[i], vec_a=u[i], vec_b=v[i]), len(short), True),
        "warm": (lambda i: judge.score(*short[i], vec_a=u[i], vec_b=v[i]), len(short), False),
        "cold_features": (lambda i: pair_features.hand_features(*short[i]), len(short), True),
        "warm_features": (lambda i: pair_features.hand_features(*short[i]), len(short), False),
        "tree_row": (lambda i: judge.score_rows(rows[i]), len(short), False),
        "long_cold": (lambda i: judge.score(*long[i], vec_a=lu[i], vec_b=lv[i]), len(long), True),
        "long_warm": (lambda i: judge.score(*long[i], vec_a=lu[i], vec_b=lv[i]), len(long), False),
    }
    for name, (work, count, cold) in runs.items():
        wall, cpu = ms_per_pair(work, count, cold, args.passes)
        out[f"{name}_ms"], out[f"{name}_cpu_ms"] = round(wall, 4), round(cpu, 4)
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]

    print(f"{'judge load (first / again)':<30} {out['load_ms']:.1f} / {out['reload_ms']:.1f} ms")
    print(f"{'pairs':<30} {len(short)} short, {len(long)} long (~2,000 chars a side)")
    print(f"{'ms per pair, wall (cpu)':<30} {'cold':>17} {'warm':>17}")
    for label, cold, warm in [("judge.score, short pairs", "cold", "warm"),
                              ("  hand features only", "cold_features", "warm_features"),
                              ("  score_rows, one ready row", None, "tree_row"),
                              ("judge.score, long pairs", "long_cold", "long_warm")]:
        cells = [f"{out[f'{k}_ms']:8.3f} ({out[f'{k}_cpu_ms']:6.3f})" if k else "" for k in (cold, warm)]
        print(f"{label:<30} {cells[0]:>17} {cells[1]:>17}")
    print(f"{'load average (1/5/15 min)':<30} {out['load_average']}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
