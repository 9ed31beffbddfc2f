import assert from "node:assert/strict";
import { cliCandidates, locateCli, missingCliMessage } from "../../../extension/src/cli/cli-locate.js";

describe("locateCli()", () => {
  it("prefers the configured path, relative to the first workspace folder", () => {
    const result = locateCli({ configured: "tools/trainset.js", folders: ["/ws"], exists: () => true });
    assert.deepEqual(result, { found: true, script: "/ws/tools/trainset.js" });
  });

  it("falls back to TRAINSET_CLI, then node_modules/trainset, then a source checkout", () => {
    assert.deepEqual(cliCandidates({ configured: "", folders: ["/ws"], env: "/opt/t.js" }), ["/opt/t.js", "/ws/node_modules/trainset/bin/trainset.js", "/ws/kernel/bin/trainset.js"]);
    const result = locateCli({ configured: "", folders: ["/ws"], exists: (p) => p === "/ws/kernel/bin/trainset.js" });
    assert.deepEqual(result, { found: true, script: "/ws/kernel/bin/trainset.js" });
  });

  it("reports where it looked when nothing is there, with the fix", () => {
    const result = locateCli({ configured: "", folders: ["/ws"], exists: () => false });
    assert.equal(result.found, false);
    assert.match(missingCliMessage(result.found ? [] : result.tried), /looked in \/ws\/node_modules\/trainset\/bin\/trainset\.js.*trainset\.cliPath/);
  });
});
