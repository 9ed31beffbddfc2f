/** `GET /healthz` (no token needed) and `GET /openapi.json` (the document built from the route schemas). */
import { Type, type FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { toolVersion } from "../../version.js";
import type { ServerContext } from "../server-context.js";

/** Health and API description routes. */
export const systemRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = (app, { ctx }) => {
  app.get(
    "/healthz",
    {
      schema: {
        summary: "Liveness: answers 200 while the server runs (no token needed)",
        tags: ["system"],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal("ok"), version: Type.String(), queue: Type.String(), advancedMode: Type.Boolean() }) },
      },
    },
    () => Promise.resolve({ status: "ok" as const, version: toolVersion(), queue: ctx.queue.backend, advancedMode: ctx.config.advancedMode }),
  );
  app.get("/openapi.json", { schema: { hide: true } }, () => Promise.resolve(app.swagger()));
  return Promise.resolve();
};
