"""Peer of the `split` bench: scikit-learn's group splitters on a legacy lx-ai JSONL file.

Usage: split_sklearn.py INPUT.jsonl OUTPUT.json SEED [SEED ...]

For each seed, two ways to get train/val/test = 0.8/0.1/0.1 without splitting a group:
- gss:   GroupShuffleSplit twice (test 0.1 of the groups, then val 1/9 of the rest), which is what
         lx-ai's "shuffle groups, then assign by ratio" amounts to;
- sgkf:  StratifiedGroupKFold(10, shuffle) stratified on the rarest label; fold 0 is test,
         fold 1 val, the other eight train.
Writes {"read_seconds": s, "methods": {"gss": {"<seed>": {"assign": [...], "seconds": s}}, ...}}
where assign[i] is 0 (train), 1 (val) or 2 (test) for line i.
"""
import json
import sys
import time

import numpy as np
from sklearn.model_selection import GroupShuffleSplit, StratifiedGroupKFold


def main() -> None:
    src, dst, seeds = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
    started = time.perf_counter()
    groups, labels = [], []
    with open(src, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            exam = rec.get("old_examination_id")
            groups.append(str(exam) if exam is not None else f"no_exam_{rec['old_id']}")
            labels.append(rec.get("labels") or [])
    groups = np.array(groups)
    names = sorted({name for row in labels for name in row})
    counts = {name: 0 for name in names}
    for row in labels:
        for name in set(row):
            counts[name] += 1
    rarest = min(names, key=lambda n: (counts[n], n))
    y = np.array([1 if rarest in row else 0 for row in labels])
    x = np.zeros((len(groups), 1))
    read_seconds = time.perf_counter() - started

    out = {"read_seconds": read_seconds, "rarest": rarest, "methods": {"gss": {}, "sgkf": {}}}
    for seed in seeds:
        t0 = time.perf_counter()
        assign = np.zeros(len(groups), dtype=int)
        trval, test = next(GroupShuffleSplit(n_splits=1, test_size=0.1, random_state=seed).split(x, groups=groups))
        tr, va = next(GroupShuffleSplit(n_splits=1, test_size=1 / 9, random_state=seed).split(x[trval], groups=groups[trval]))
        assign[test] = 2
        assign[trval[va]] = 1
        out["methods"]["gss"][str(seed)] = {"assign": assign.tolist(), "seconds": time.perf_counter() - t0}

        t0 = time.perf_counter()
        assign = np.zeros(len(groups), dtype=int)
        folds = list(StratifiedGroupKFold(n_splits=10, shuffle=True, random_state=seed).split(x, y, groups))
        assign[folds[0][1]] = 2
        assign[folds[1][1]] = 1
        out["methods"]["sgkf"][str(seed)] = {"assign": assign.tolist(), "seconds": time.perf_counter() - t0}

    with open(dst, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
