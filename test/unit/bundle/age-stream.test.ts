import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { BundleError, StreamOpener, StreamSealer, STREAM_SEALED_CHUNK } from "trainset";

function sealAll(key: Buffer, plain: Buffer, pieces = 3): Buffer {
  const s = new StreamSealer(key);
  const out: Buffer[] = [];
  const step = Math.max(1, Math.ceil(plain.length / pieces));
  for (let i = 0; i < plain.length; i += step) out.push(...s.push(plain.subarray(i, i + step)));
  out.push(...s.end());
  return Buffer.concat(out);
}

function openAll(key: Buffer, sealed: Buffer): Buffer {
  const o = new StreamOpener(key);
  return Buffer.concat([...o.push(sealed), o.end()]);
}

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof BundleError ? error.reason : "other";
  }
  return undefined;
}

describe("StreamSealer / StreamOpener", () => {
  const key = randomBytes(32);

  for (const size of [0, 1, 65535, 65536, 65537, 3 * 65536, 200_001]) {
    it(`round-trips ${size} bytes fed in pieces`, () => {
      const plain = randomBytes(size);
      const sealed = sealAll(key, plain);
      assert.equal(sealed.length, size + 16 * Math.max(1, Math.ceil(size / 65536)));
      assert.ok(openAll(key, sealed).equals(plain));
    });
  }

  it("reports a flipped byte in a middle chunk as tampered", () => {
    const sealed = sealAll(key, randomBytes(4 * 65536));
    sealed.writeUInt8((sealed.readUInt8(STREAM_SEALED_CHUNK + 10) ^ 1), STREAM_SEALED_CHUNK + 10);
    assert.equal(reasonOf(() => openAll(key, sealed)), "tampered");
  });

  it("reports a stream cut at a chunk boundary as truncated", () => {
    const sealed = sealAll(key, randomBytes(4 * 65536));
    assert.equal(reasonOf(() => openAll(key, sealed.subarray(0, 2 * STREAM_SEALED_CHUNK))), "truncated");
  });

  it("reports a stream cut inside a chunk as truncated", () => {
    const sealed = sealAll(key, randomBytes(4 * 65536));
    assert.equal(reasonOf(() => openAll(key, sealed.subarray(0, 2 * STREAM_SEALED_CHUNK + 1000))), "truncated");
  });

  it("refuses a payload sealed under another key", () => {
    const sealed = sealAll(key, randomBytes(1000));
    assert.notEqual(reasonOf(() => openAll(randomBytes(32), sealed)), undefined);
  });
});
