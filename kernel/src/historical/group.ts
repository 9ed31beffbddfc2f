/**
 * Groups RAW images into generation groups. A group is one timestamp in one folder: the same
 * timestamp in two RAW subfolders is two different generations (seed 003, edge case 4).
 */
import type { ScannedImage } from "./scan.js";

/** How RAW images form groups: per timestamp and folder (default), or per timestamp only. */
export type GroupingMode = "folder" | "timestamp";

/** One generation group: every stage generated for one timestamp. */
export interface RawGroup {
  timestamp: string;
  /** The RAW subfolder ("" at the root; always "" in `timestamp` mode). */
  dir: string;
  /** Members sorted by stage, then path. */
  members: ScannedImage[];
  /** The group's highest stage. */
  maxStage: number;
}

/** Groups plus the timestamp index that makes matching FINAL files linear. */
export interface GroupIndex {
  /** Sorted by timestamp, then folder. */
  groups: RawGroup[];
  byTimestamp: Map<string, RawGroup[]>;
}

/** Orders images by stage, then by path, so losers and neg_stages come out in a stable order. */
export function compareByStage(a: ScannedImage, b: ScannedImage): number {
  return a.stage - b.stage || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);
}

/** Insertion sort by stage: groups hold a handful of images, where Array#sort's setup dominates. */
function sortSmall(members: ScannedImage[]): void {
  for (let i = 1; i < members.length; i++) {
    const item = members[i] as ScannedImage;
    let j = i - 1;
    while (j >= 0 && compareByStage(members[j] as ScannedImage, item) > 0) {
      members[j + 1] = members[j] as ScannedImage;
      j--;
    }
    members[j + 1] = item;
  }
}

/**
 * Groups scanned RAW images in one pass (a hash map, no pairwise comparison).
 * @example groupRawImages(scan.images).groups.length
 */
export function groupRawImages(images: readonly ScannedImage[], mode: GroupingMode = "folder"): GroupIndex {
  // Timestamp → the groups with it (almost always one), so no composite key string per image.
  const byTimestamp = new Map<string, RawGroup[]>();
  const groups: RawGroup[] = [];
  for (const image of images) {
    const dir = mode === "folder" ? image.dir : "";
    const timestamp = image.timestamp;
    let list = byTimestamp.get(timestamp);
    let group: RawGroup | undefined;
    if (list === undefined) {
      list = [];
      byTimestamp.set(timestamp, list);
    } else {
      for (const candidate of list) if (candidate.dir === dir) group = candidate;
    }
    if (group === undefined) {
      group = { timestamp, dir, members: [], maxStage: -Infinity };
      list.push(group);
      groups.push(group);
    }
    group.members.push(image);
    if (image.stage > group.maxStage) group.maxStage = image.stage;
  }
  const byDir = (a: RawGroup, b: RawGroup): number => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0);
  groups.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : byDir(a, b)));
  for (const group of groups) if (group.members.length > 1) sortSmall(group.members);
  for (const list of byTimestamp.values()) if (list.length > 1) list.sort(byDir);
  return { groups, byTimestamp };
}
