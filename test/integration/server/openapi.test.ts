import assert from "node:assert/strict";
import Ajv from "ajv";
import { api, startTestServer, stopTestServer, type TestServer } from "./server-fixture.js";

/** Every operation the server offers (seed 004's table, its extras, seed 000's two, health). */
const OPERATIONS = [
  "get /healthz",
  "post /api/media/videos/{id}/ensure-segment-annotations/",
  "post /api/media/videos/export-annotated/",
  "post /api/ml/annotations/upload",
  "get /api/ml/annotations/stats",
  "get /api/ml/annotations/advice",
  "delete /api/ml/annotations",
  "post /api/ml/train/frame-importance",
  "post /api/ml/train/multilabel",
  "get /api/ml/train/jobs",
  "get /api/ml/train/{jobId}/status",
  "post /api/ml/train/{jobId}/cancel",
  "get /api/ml/train/{jobId}/analysis",
  "get /api/ml/train/{jobId}/events",
  "get /api/ml/train/preflight",
  "get /api/ml/train/history",
  "get /api/ml/train/statistics",
  "get /api/ml/models",
  "get /api/ml/models/{model}",
  "post /api/ml/models/{model}/deploy",
  "post /api/ml/model/revert",
  "post /api/ml/model/restore-backup",
];

type Json = Record<string, unknown>;

describe("GET /openapi.json", function () {
  this.timeout(60_000);
  let t: TestServer | undefined;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => stopTestServer(t));

  it("is an OpenAPI 3.1 document listing exactly the server's operations, each with valid schemas", async () => {
    const doc = (await api(t as TestServer, "GET", "/openapi.json")).body;
    assert.equal(doc["openapi"], "3.1.0");
    assert.equal(typeof (doc["info"] as Json)["title"], "string");
    assert.deepEqual((doc["components"] as Json)["securitySchemes"], { bearer: { type: "http", scheme: "bearer" } });
    const paths = doc["paths"] as Record<string, Record<string, Json>>;
    const listed = Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    assert.deepEqual([...listed].sort(), [...OPERATIONS].sort());
    // ajv 6 (draft-07) is what the workspace has; every keyword the schemas use exists there too.
    const ajv = new Ajv({ allErrors: true });
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${path}`;
        assert.equal(typeof op["summary"], "string", where);
        const responses = op["responses"] as Record<string, Json>;
        assert.ok(Object.keys(responses).some((code) => code.startsWith("2")), `${where} has a success response`);
        for (const [code, response] of Object.entries(responses)) {
          assert.match(code, /^[1-5]\d\d$/, where);
          const content = response["content"] as Record<string, { schema: Json }>;
          for (const [type, media] of Object.entries(content)) {
            if (!code.startsWith("2")) assert.equal(type, "application/problem+json", `${where} ${code}`);
            ajv.compile(media.schema);
          }
        }
        for (const p of (op["parameters"] as Json[] | undefined) ?? []) {
          assert.ok(["path", "query", "header"].includes(p["in"] as string), where);
          if (p["in"] === "path") assert.ok(path.includes(`{${String(p["name"])}}`), `${where} declares path parameter ${String(p["name"])}`);
          ajv.compile(p["schema"] as Json);
        }
        const body = op["requestBody"] as Json | undefined;
        if (body !== undefined) {
          const schema = (body["content"] as Record<string, { schema: Json }>)["application/json"]?.schema as Json;
          assert.equal(schema["additionalProperties"], false, `${where} refuses unknown fields`);
          ajv.compile(schema);
        }
      }
    }
  });
});
