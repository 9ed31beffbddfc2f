"""Peer of the `postgres` bench: lx-ai's way to turn an endoreg-db AI dataset into label vectors.

Usage: postgres_lxai.py DATASET_ID LABELSET_ID LABELSET_VERSION   (connection from DEV_DB_* variables)

As lx-ai's db_loader_for_model_input: its loader query with psycopg2, `fetchall()`, one dict per
row ({"frame": {...}, "label": {...}, "value": ...}), then grouping by frame into label vectors and
masks in labelset order (labels by id). Prints {"rows": n, "frames": n, "seconds": s} as JSON.
"""
import json
import os
import sys
import time

import psycopg2


def connect():
    env = os.environ
    password = env.get("DEV_DB_PASSWORD") or env.get("DJANGO_DB_PASSWORD")
    if not password:
        path = env.get("DEV_DB_PASSWORD_FILE") or env.get("DJANGO_DB_PASSWORD_FILE")
        if path:
            with open(path, encoding="utf-8") as f:
                password = f.read().strip()
    return psycopg2.connect(host=env.get("DEV_DB_HOST", "localhost"), port=int(env.get("DEV_DB_PORT", "5432")),
                            dbname=env.get("DEV_DB_NAME", "endoregDbLocal"), user=env.get("DEV_DB_USER", "endoregDbLocal"),
                            password=password, sslmode="disable")


SQL = """
SELECT dai.aidataset_id, f.id, f.relative_path, vf.frame_dir, f.old_examination_id, vf.id, l.id, l.name, a.value, a.annotator
FROM endoreg_db_aidataset_image_annotations dai
JOIN endoreg_db_imageclassificationannotation a ON a.id = dai.imageclassificationannotation_id
JOIN endoreg_db_frame f ON f.id = a.frame_id
JOIN endoreg_db_videofile vf ON vf.id = f.video_id
JOIN endoreg_db_label l ON l.id = a.label_id
WHERE dai.aidataset_id = %s
"""

LABELSET_SQL = """
SELECT l.id, l.name FROM endoreg_db_labelset ls
JOIN endoreg_db_labelset_labels lsl ON lsl.labelset_id = ls.id
JOIN endoreg_db_label l ON l.id = lsl.label_id
WHERE ls.id = %s AND ls.version = %s ORDER BY l.id
"""


def main() -> None:
    dataset_id, labelset_id, version = (int(x) for x in sys.argv[1:4])
    started = time.perf_counter()
    with connect() as conn:
        with conn.cursor() as cur:
            cur.execute(LABELSET_SQL, (labelset_id, version))
            labels = [{"id": r[0], "name": r[1]} for r in cur.fetchall()]
            cur.execute(SQL, (dataset_id,))
            rows = []
            for row in cur.fetchall():
                rows.append({
                    "dataset_id": row[0],
                    "frame": {"id": row[1], "relative_path": row[2], "file_path": row[3], "old_examination_id": row[4], "video_id": row[5]},
                    "label": {"id": row[6], "name": row[7]},
                    "value": row[8],
                    "annotator": row[9],
                })
    index = {l["id"]: i for i, l in enumerate(labels)}
    frames = {}
    for r in rows:
        fid = r["frame"]["id"]
        entry = frames.get(fid)
        if entry is None:
            entry = frames[fid] = {
                "path": os.path.join(r["frame"]["file_path"] or "", r["frame"]["relative_path"]),
                "group": r["frame"]["old_examination_id"],
                "vec": [None] * len(labels),
                "mask": [0] * len(labels),
            }
        j = index.get(r["label"]["id"])
        if j is None:
            continue
        entry["vec"][j] = 1 if r["value"] else (entry["vec"][j] or 0)
        entry["mask"][j] = 1
    image_paths, vectors, masks, groups = [], [], [], []
    for fid in sorted(frames):
        e = frames[fid]
        if not any(v == 1 for v in e["vec"]):
            continue
        image_paths.append(e["path"])
        vectors.append([v or 0 for v in e["vec"]])
        masks.append(e["mask"])
        groups.append(e["group"] if e["group"] is not None else f"no_exam_{fid}")
    seconds = time.perf_counter() - started
    positives = sum(sum(v) for v in vectors)
    print(json.dumps({"rows": len(rows), "frames": len(image_paths), "positives": positives, "seconds": seconds}))


if __name__ == "__main__":
    main()
