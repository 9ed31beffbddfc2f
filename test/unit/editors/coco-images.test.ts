import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { locateImage } from "../../../extension/src/editors/coco/coco-images.js";
import { useTempDir } from "../../support/tmp.js";

describe("locateImage()", () => {
  const dir = useTempDir();

  it("finds an image by file_name, under images/, and never outside the dataset folder", async () => {
    const root = join(dir(), "dataset");
    await mkdir(join(root, "images"), { recursive: true });
    await writeFile(join(root, "images", "a.png"), "x");
    await writeFile(join(dir(), "secret.png"), "x");
    assert.equal(locateImage(root, "a.png"), join(root, "images", "a.png"));
    assert.equal(locateImage(root, "sub/a.png"), join(root, "images", "a.png"));
    assert.equal(locateImage(root, "../secret.png"), null);
    assert.equal(locateImage(root, join(dir(), "secret.png")), null);
  });
});
