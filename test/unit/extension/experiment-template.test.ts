import assert from "node:assert/strict";
import { TRAINSET_NOTEBOOK_METADATA, experimentCells } from "../../../extension/src/notebook/experiment-template.js";

describe("experimentCells()", () => {
  it("wires the dataset path into the first code cell as a JSON string", () => {
    const cells = experimentCells('/ws/my "data"/dataset.json', "coco", "my data/dataset.json");
    assert.equal(cells[0]?.kind, "markdown");
    assert.match(cells[1]?.source ?? "", /const DATASET = "\/ws\/my \\"data\\"\/dataset\.json";/);
    assert.ok(cells.some((c) => c.source.includes("display.vegaLite(")));
  });

  it("uses a placeholder path when no dataset is selected", () => {
    assert.match(experimentCells(undefined, undefined, undefined)[1]?.source ?? "", /"path\/to\/dataset"/);
  });

  it("names the trainset kernel spec in the metadata", () => {
    assert.equal(TRAINSET_NOTEBOOK_METADATA.kernelspec.name, "trainset");
  });
});
