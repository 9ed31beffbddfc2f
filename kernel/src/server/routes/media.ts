/**
 * Seed 000's endpoints over the video library named in the server config:
 * `POST /api/media/videos/{id}/ensure-segment-annotations/` and `POST /api/media/videos/export-annotated/`
 * (snake_case payloads, the library's counters as answers). ffmpeg runs as a child process, so an
 * export never blocks the event loop; library writes are serialised.
 */
import { join } from "node:path";
import { Type, type FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { ensureSegmentAnnotations } from "../../export/ensure-segment-annotations.js";
import { exportAnnotated } from "../../export/export-annotated.js";
import type { ExportAnnotatedPayload } from "../../export/export-payload.js";
import { FileVideoSource } from "../../export/video-source.js";
import { HttpProblem } from "../problem.js";
import { problems } from "../schemas.js";
import { serialize, type ServerContext } from "../server-context.js";

const Id = Type.Integer({ minimum: 0 });

const EnsureBody = Type.Object(
  {
    dry_run: Type.Optional(Type.Boolean({ description: "count what would be created, write nothing" })),
    use_export_flags: Type.Optional(Type.Boolean({ description: "only segments marked for export (default true)" })),
    segment_ids: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 100_000 })),
    validated_only: Type.Optional(Type.Boolean({ description: "only validated segments (default true)" })),
  },
  { additionalProperties: false },
);

const EnsureResult = Type.Object({
  video_id: Type.Integer(),
  dry_run: Type.Boolean(),
  total_segments: Type.Integer(),
  segments_processed: Type.Integer(),
  skipped_no_label: Type.Integer(),
  skipped_no_frames: Type.Integer(),
  annotations_needed: Type.Integer(),
  annotations_created: Type.Integer(),
});

const ExportBody = Type.Object(
  {
    video_id: Id,
    segment_ids: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 100_000 })),
    use_export_flags: Type.Optional(Type.Boolean()),
    output_dir: Type.String({ minLength: 1, maxLength: 4096, description: "must resolve inside the server's roots" }),
    output_path: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    output_format: Type.Optional(Type.Union([Type.Literal("csv"), Type.Literal("json")])),
    export_videos: Type.Optional(Type.Boolean()),
    export_frames: Type.Optional(Type.Boolean()),
    transcode_frames: Type.Optional(Type.Boolean()),
    transcode_fps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    transcode_quality: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
    transcode_ext: Type.Optional(Type.Union([Type.Literal("jpg"), Type.Literal("jpeg"), Type.Literal("png")])),
    use_frame_pk_paths: Type.Optional(Type.Boolean()),
    only_true: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const ExportResult = Type.Object({
  video_id: Type.Integer(),
  output_dir: Type.String(),
  table_path: Type.String(),
  rows: Type.Integer(),
  frames: Type.Integer(),
  frames_extracted: Type.Integer(),
  frames_skipped: Type.Integer(),
  video_path: Type.Union([Type.String(), Type.Null()]),
});

function librarySource(ctx: ServerContext): Promise<FileVideoSource> {
  if (ctx.config.library === undefined) throw new HttpProblem(503, "Video Library Not Configured", "This server has no video library; start it with --library FILE or set library in the server settings");
  return FileVideoSource.open(ctx.config.library);
}

/** An AbortSignal that fires when the client goes away before the answer is sent. */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on("close", () => {
    if (!reply.raw.writableFinished) controller.abort(new Error("client disconnected"));
  });
  return controller.signal;
}

/** Seed 000's media routes. */
export const mediaRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = (app, { ctx }) => {
  app.post(
    "/api/media/videos/:id/ensure-segment-annotations/",
    {
      schema: {
        summary: "Create the missing frame annotations of a video's segments (idempotent; dry_run counts only)",
        tags: ["media"],
        params: Type.Object({ id: Id }, { additionalProperties: false }),
        body: EnsureBody,
        response: { 200: EnsureResult, ...problems(400, 401, 404, 413, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const videoId = request.params.id;
      const signal = clientGone(reply);
      const result = await serialize(ctx.libraryLock, async () =>
        ensureSegmentAnnotations(await librarySource(ctx), videoId, {
          dryRun: body.dry_run ?? false,
          ...(body.segment_ids === undefined ? { useExportFlags: body.use_export_flags ?? true } : { segmentIds: body.segment_ids }),
          validatedOnly: body.validated_only ?? true,
          annotator: request.user,
          signal,
        }),
      );
      request.log.info({ user: request.user, videoId, ...result }, "ensure-segment-annotations done");
      return { video_id: videoId, dry_run: body.dry_run ?? false, ...result };
    },
  );

  app.post(
    "/api/media/videos/export-annotated/",
    {
      schema: {
        summary: "Export a video's frame annotations (CSV/JSON) and optional frames/videos into output_dir",
        tags: ["media"],
        body: ExportBody,
        response: { 200: ExportResult, ...problems(400, 401, 404, 413, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const outputDir = await ctx.guard.resolve(body.output_dir, "output_dir");
      if (body.output_path !== undefined) await ctx.guard.resolve(join(outputDir, body.output_path), "output_path");
      const signal = clientGone(reply);
      const result = await serialize(ctx.libraryLock, async () => exportAnnotated(await librarySource(ctx), { ...body, output_dir: outputDir } as ExportAnnotatedPayload, { signal }));
      request.log.info({ user: request.user, videoId: body.video_id, rows: result.rows, frames: result.frames }, "export-annotated done");
      return {
        video_id: body.video_id,
        output_dir: result.outputDir,
        table_path: result.tablePath,
        rows: result.rows,
        frames: result.frames,
        frames_extracted: result.framesExtracted,
        frames_skipped: result.framesSkipped,
        video_path: result.videoPath ?? null,
      };
    },
  );
  return Promise.resolve();
};
