/** Asserts that an answer is RFC 9457 problem details with the given status. */
import assert from "node:assert/strict";
import type { ApiAnswer } from "./server-fixture.js";

/** Checks status, media type, the four members and that correlationId matches the header. */
export function assertProblem(answer: ApiAnswer, status: number, title?: string, detail?: RegExp): void {
  assert.equal(answer.status, status, answer.text);
  assert.match(answer.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(answer.body["status"], status);
  assert.equal(typeof answer.body["title"], "string");
  assert.equal(typeof answer.body["detail"], "string");
  assert.ok((answer.body["detail"] as string).length > 0);
  assert.equal(answer.body["correlationId"], answer.headers.get("x-correlation-id"));
  if (title !== undefined) assert.equal(answer.body["title"], title);
  if (detail !== undefined) assert.match(answer.body["detail"] as string, detail);
}
