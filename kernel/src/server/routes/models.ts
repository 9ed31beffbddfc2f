/**
 * Model routes: seed 004's `POST /api/ml/model/revert` and `/restore-backup`, plus list models,
 * list a model's versions and deploy a version (the registry validates, gates and swaps atomically,
 * and audits with the caller as user). Models are shared by the server's users.
 */
import { Type, type FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ModelRegistry } from "../../models/model-registry.js";
import { HttpProblem } from "../problem.js";
import { JsonAnswer, NoQuery, problems, SafeName } from "../schemas.js";
import type { ServerContext } from "../server-context.js";
import { FRAME_IMPORTANCE_MODEL } from "./train.js";

const ModelParams = Type.Object({ model: SafeName }, { additionalProperties: false });
const ModelBody = Type.Object({ modelName: Type.Optional(SafeName) }, { additionalProperties: false });
const RestoreBody = Type.Object({ modelName: Type.Optional(SafeName), version: Type.Optional(SafeName) }, { additionalProperties: false });
const DeployBody = Type.Object({ version: SafeName, force: Type.Optional(Type.Boolean()), threshold: Type.Optional(Type.Number({ minimum: 0 })) }, { additionalProperties: false });

/** Model registry routes. */
export const modelRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (app, { ctx }) => {
  const registry = await ModelRegistry.open(ctx.config.storeRoot);

  async function known(model: string): Promise<void> {
    if (!(await registry.listModels()).includes(model)) throw new HttpProblem(404, "Model Not Found", `Model ${model} does not exist`);
  }

  app.get(
    "/api/ml/models",
    { schema: { summary: "Every model with its active version", tags: ["models"], querystring: NoQuery, response: { 200: Type.Object({ models: Type.Array(JsonAnswer) }), ...problems(401, 403) } } },
    async () => {
      const models = [];
      for (const name of await registry.listModels()) {
        const l = await registry.list(name);
        models.push({ model: name, active: l.active?.version ?? null, hasDefault: l.hasDefault, versions: l.versions.map((v) => v.version) });
      }
      return { models };
    },
  );

  app.get(
    "/api/ml/models/:model",
    { schema: { summary: "A model's default, active pointer and every version with metrics", tags: ["models"], params: ModelParams, querystring: NoQuery, response: { 200: JsonAnswer, ...problems(400, 401, 403, 404) } } },
    async (request) => {
      await known(request.params.model);
      return { ...(await registry.list(request.params.model)) };
    },
  );

  app.post(
    "/api/ml/models/:model/deploy",
    { schema: { summary: "Deploy a version (validated, metric-gated unless force, atomic swap)", tags: ["models"], params: ModelParams, body: DeployBody, response: { 200: JsonAnswer, ...problems(400, 401, 403, 404, 409) } } },
    async (request) => {
      await known(request.params.model);
      const { version, force, threshold } = request.body;
      return { ...(await registry.deploy(request.params.model, version, { user: request.user, force: force ?? false, ...(threshold === undefined ? {} : { gate: { threshold } }) })) };
    },
  );

  app.post(
    "/api/ml/model/revert",
    { schema: { summary: "Revert a model (default frame-importance) to its factory default", tags: ["models"], body: ModelBody, response: { 200: JsonAnswer, ...problems(400, 401, 403, 404) } } },
    async (request) => {
      const model = request.body.modelName ?? FRAME_IMPORTANCE_MODEL;
      await known(model);
      return { ...(await registry.revertToDefault(model, { user: request.user })) };
    },
  );

  app.post(
    "/api/ml/model/restore-backup",
    { schema: { summary: "Restore the previously active version (or a named one)", tags: ["models"], body: RestoreBody, response: { 200: JsonAnswer, ...problems(400, 401, 403, 404) } } },
    async (request) => {
      const model = request.body.modelName ?? FRAME_IMPORTANCE_MODEL;
      await known(model);
      const version = request.body.version;
      return { ...(version === undefined ? await registry.rollback(model, { user: request.user }) : await registry.restore(model, version, { user: request.user })) };
    },
  );
};
