/**
 * Plumbing shared by the single-head tasks (frame importance, preference): a fresh run folder,
 * embeddings through the cache, a group split into train/val/test.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { splitByGroup } from "../split/group-split.js";
import { TrainsetError } from "../util/errors.js";
import type { RunControl } from "../util/run-control.js";
import { loadBackbone, type BackboneSpec } from "./backbone.js";
import { embedImages, type EmbedImagesResult } from "./embeddings-cache.js";
import type { Preprocessing } from "./preprocess.js";

/**
 * The run folder for `runId` (default `<timestamp>-<task>-s<seed>`); throws CONFLICT when it exists.
 * @example const { runId, runDir } = await claimRunDir("runs", undefined, "importance", 42);
 */
export async function claimRunDir(runsDir: string, runId: string | undefined, task: string, seed: number): Promise<{ runId: string; runDir: string }> {
  const id = runId ?? `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-${task}-s${seed}`;
  const runDir = resolve(runsDir, id);
  if (await stat(runDir).then(() => true, () => false))
    throw new TrainsetError("CONFLICT", `Cannot start run "${id}": the folder "${runDir}" already exists`, { file: runDir });
  return { runId: id, runDir };
}

/** Embeddings plus what produced them. */
export interface TaskEmbeddings extends EmbedImagesResult {
  backboneName: string;
  preprocessing: Preprocessing;
}

/**
 * Loads the backbone, embeds `images` (through the cache when `cacheDir` is set) and frees it.
 * @example const emb = await embedForTask(paths, { kind: "builtin" }, ".trainset/embeddings", control);
 */
export async function embedForTask(images: readonly string[], spec: BackboneSpec, cacheDir: string | undefined, control: RunControl): Promise<TaskEmbeddings> {
  const backbone = await loadBackbone(spec);
  try {
    const emb = await embedImages(images, backbone, {
      ...(cacheDir === undefined ? {} : { cacheDir }),
      ...(control.signal === undefined ? {} : { signal: control.signal }),
      ...(control.onProgress === undefined ? {} : { onProgress: control.onProgress }),
    });
    return { ...emb, backboneName: backbone.name, preprocessing: backbone.preprocessing };
  } finally {
    await backbone.dispose();
  }
}

/**
 * Row indices of train, val and test; rows of one group stay together (seeded, random groups).
 * @example const [train, val, test] = splitRowsByGroup(groups, 0.2, 0.1, 42);
 */
export function splitRowsByGroup(groups: readonly string[], valSplit: number, testSplit: number, seed: number): [number[], number[], number[]] {
  const split = splitByGroup(
    groups.map((group) => ({ group, labels: [] })),
    {
      ratios: [
        { name: "train", ratio: 1 - valSplit - testSplit },
        { name: "val", ratio: valSplit },
        { name: "test", ratio: testSplit },
      ],
      seed,
      mode: "random-groups",
    },
  );
  const rows: [number[], number[], number[]] = [[], [], []];
  split.assignments.forEach((a, i) => rows[a as 0 | 1 | 2]?.push(i));
  return rows;
}

/** The `meta.json` fields every single-head task run (frame importance, preference) shares. */
export interface TaskRunMetaBase {
  run_id: string;
  status: "running" | "completed" | "cancelled";
  config: Record<string, unknown>;
  backend: { tfjs: string; package: string; backbone: string };
  epochs_run?: number;
}
