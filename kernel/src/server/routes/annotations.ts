/**
 * Seed 004's annotation routes: upload (the whole batch validated by schema and path guard before
 * anything is stored), stats, advice, and clear; always the token's user's own store.
 */
import { Type, type FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { annotationStats, clearAnnotations, storeAnnotations } from "../../service/annotation-store.js";
import { AnnotationBatch, AnnotationStats, JsonAnswer, NoQuery, problems } from "../schemas.js";
import type { ServerContext } from "../server-context.js";
import { labelingAdvice } from "../service-bridge.js";

/** Paths checked at once while guarding a batch. */
const GUARD_CONCURRENCY = 32;

/** Annotation routes. */
export const annotationRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = (app, { ctx }) => {
  app.post(
    "/api/ml/annotations/upload",
    {
      config: { problemTitle: "Invalid Annotation Data" },
      schema: {
        summary: "Upload rated frames for the caller (validated whole before anything is stored)",
        tags: ["annotations"],
        body: AnnotationBatch,
        response: { 200: Type.Object({ userId: Type.String(), stored: Type.Integer(), message: Type.String() }), ...problems(400, 401, 403, 413) },
      },
    },
    async (request) => {
      const items = request.body.annotations;
      for (let i = 0; i < items.length; i += GUARD_CONCURRENCY) {
        await Promise.all(items.slice(i, i + GUARD_CONCURRENCY).map((item, j) => ctx.guard.resolve(item.framePath, `annotations[${i + j}].framePath`)));
      }
      const result = await storeAnnotations(ctx.config.storeRoot, request.user, items);
      request.log.info({ user: request.user, stored: result.stored }, `Successfully uploaded ${result.stored} annotations for user ${request.user}`);
      return { userId: result.userId, stored: result.stored, message: `Successfully uploaded ${result.stored} annotations` };
    },
  );

  app.get(
    "/api/ml/annotations/stats",
    { schema: { summary: "Count, average rating, oldest and newest annotation of the caller", tags: ["annotations"], querystring: NoQuery, response: { 200: AnnotationStats, ...problems(400, 401, 403) } } },
    async (request) => {
      const s = await annotationStats(ctx.config.storeRoot, request.user);
      return { userId: s.userId, totalAnnotations: s.totalAnnotations, averageRating: s.averageRating, oldestAnnotation: s.oldestAnnotation ?? null, newestAnnotation: s.newestAnnotation ?? null };
    },
  );

  app.get(
    "/api/ml/annotations/advice",
    { schema: { summary: "Labeling advice: rating distribution, warnings, recommendations, focus areas", tags: ["annotations"], querystring: NoQuery, response: { 200: JsonAnswer, ...problems(400, 401, 403) } } },
    async (request) => labelingAdvice(ctx, request.user),
  );

  app.delete(
    "/api/ml/annotations",
    { schema: { summary: "Remove all of the caller's annotations", tags: ["annotations"], querystring: NoQuery, response: { 200: Type.Object({ userId: Type.String(), removed: Type.Boolean() }), ...problems(401, 403) } } },
    async (request) => clearAnnotations(ctx.config.storeRoot, request.user),
  );
  return Promise.resolve();
};
