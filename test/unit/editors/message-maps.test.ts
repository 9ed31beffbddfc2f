import assert from "node:assert/strict";
import { COCO_TO_HOST, COCO_TO_WEBVIEW, type CocoToHost, type CocoToWebview } from "../../../webviews/src/protocol/coco.js";
import { JSONL_TO_HOST, JSONL_TO_WEBVIEW, PAIRS_TO_HOST, PAIRS_TO_WEBVIEW, type JsonlToHost, type JsonlToWebview, type PairsToHost, type PairsToWebview } from "../../../webviews/src/protocol/jsonl.js";

/** Every key of map M (the object literal must name them all, or the file does not typecheck). */
function keysOf<M>(keys: { [K in keyof M]: true }): string[] {
  return Object.keys(keys).sort();
}

describe("editor message maps", () => {
  it("list every message type of each map", () => {
    assert.deepEqual([...COCO_TO_HOST].sort(), keysOf<CocoToHost>({ ready: true, query: true, getImage: true, edit: true, undo: true, redo: true }));
    assert.deepEqual([...COCO_TO_WEBVIEW].sort(), keysOf<CocoToWebview>({ preview: true, init: true, page: true, image: true, changed: true, error: true }));
    assert.deepEqual([...JSONL_TO_HOST].sort(), keysOf<JsonlToHost>({ ready: true, query: true, review: true, openAnnotations: true, undo: true, redo: true }));
    assert.deepEqual([...JSONL_TO_WEBVIEW].sort(), keysOf<JsonlToWebview>({ init: true, progress: true, page: true, changed: true, error: true }));
    assert.deepEqual([...PAIRS_TO_HOST].sort(), keysOf<PairsToHost>({ ready: true, getGroup: true, flip: true, mark: true, undo: true, redo: true }));
    assert.deepEqual([...PAIRS_TO_WEBVIEW].sort(), keysOf<PairsToWebview>({ group: true, changed: true, error: true }));
  });
});
