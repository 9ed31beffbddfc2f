/**
 * The JSON schemas (TypeBox) that validate requests and describe responses; `/openapi.json` is
 * generated from these same objects. Seed 004's DTOs keep its camelCase names; seed 000's
 * payloads keep their snake_case keys.
 */
import { Type, type Static, type TSchema } from "@fastify/type-provider-typebox";

/** RFC 9457 problem details (extension members allowed). */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    correlationId: Type.String(),
    instance: Type.String(),
  },
  { additionalProperties: true, description: "RFC 9457 problem details" },
);

/** A response map entry: problem details sent as `application/problem+json`. */
export interface ProblemResponse {
  description: string;
  content: { "application/problem+json": { schema: TSchema } };
}

/** Response map entries for the given error statuses, all problem details. */
export function problems(...statuses: number[]): Record<number, ProblemResponse> {
  return Object.fromEntries(statuses.map((s) => [s, { description: "RFC 9457 problem details", content: { "application/problem+json": { schema: Problem } } }]));
}

/** Metadata values an annotation may carry. */
const MetaValue = Type.Union([Type.String({ maxLength: 4096 }), Type.Number(), Type.Boolean(), Type.Null()]);

/** Seed 004 `AnnotationItemDto`. */
export const AnnotationItem = Type.Object(
  {
    framePath: Type.String({ minLength: 1, maxLength: 4096 }),
    rating: Type.Number({ minimum: 0, maximum: 1 }),
    metadata: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), MetaValue, { maxProperties: 64 })),
  },
  { additionalProperties: false },
);

/** Seed 004 `AnnotationBatchDto`. */
export const AnnotationBatch = Type.Object({ annotations: Type.Array(AnnotationItem, { minItems: 1, maxItems: 100_000 }) }, { additionalProperties: false });
/** Static type of {@link AnnotationBatch}. */
export type AnnotationBatchBody = Static<typeof AnnotationBatch>;

/** Seed 004 `AnnotationStatsDto`. */
export const AnnotationStats = Type.Object({
  userId: Type.String(),
  totalAnnotations: Type.Integer(),
  averageRating: Type.Number(),
  oldestAnnotation: Type.Union([Type.String(), Type.Null()]),
  newestAnnotation: Type.Union([Type.String(), Type.Null()]),
});

/** Names that become folder names (model names, versions). */
export const SafeName = Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" });

/** Job ids as the queues make them. */
export const JobId = Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]*$" });

/** Training hyper-parameters both training endpoints accept. */
const TrainingOptions = {
  modelName: Type.Optional(SafeName),
  numEpochs: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096 })),
  learningRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10 })),
  seed: Type.Optional(Type.Integer({ minimum: 0 })),
  deploy: Type.Optional(Type.Boolean({ description: "deploy the new version when training succeeds and passes the gate (default true)" })),
  force: Type.Optional(Type.Boolean({ description: "deploy even when the metric gate refuses (default false)" })),
  backbone: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: '"builtin" (default) or an .onnx file inside the server\'s roots' })),
};

/** Seed 004 `StartTrainingRequest` for frame importance. */
export const StartFrameImportance = Type.Object(TrainingOptions, { additionalProperties: false });
/** Static type of {@link StartFrameImportance}. */
export type StartFrameImportanceBody = Static<typeof StartFrameImportance>;

/** Start a multilabel (GastroNet-style) training job on an exported dataset. */
export const StartMultilabel = Type.Object(
  {
    ...TrainingOptions,
    dataset: Type.String({ minLength: 1, maxLength: 4096, description: "dataset file (frame table, COCO or legacy JSONL); must be inside the server's roots" }),
    format: Type.Optional(Type.Union([Type.Literal("frame-table"), Type.Literal("coco"), Type.Literal("legacy-jsonl")], { description: "default frame-table" })),
  },
  { additionalProperties: false },
);
/** Static type of {@link StartMultilabel}. */
export type StartMultilabelBody = Static<typeof StartMultilabel>;

/** Seed 004 `StartTrainingResponse`. */
export const StartTrainingResponse = Type.Object({ jobId: Type.String(), message: Type.String() });

/** Seed 004 `TrainingJobStatusDto` (+ phase, message, kind, startedAt). */
export const JobStatus = Type.Object({
  jobId: Type.String(),
  kind: Type.String(),
  state: Type.Union([Type.Literal("Queued"), Type.Literal("Running"), Type.Literal("Completed"), Type.Literal("Failed"), Type.Literal("Cancelled")]),
  progress: Type.Number(),
  phase: Type.String(),
  message: Type.String(),
  metrics: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()]),
  modelPath: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  completedAt: Type.Union([Type.String(), Type.Null()]),
});

/** `{jobId}` path parameter. */
export const JobParams = Type.Object({ jobId: JobId }, { additionalProperties: false });

/** Any JSON object answer whose shape the library owns (advice, analysis, preflight...). */
export const JsonAnswer = Type.Object({}, { additionalProperties: true });

/** No query parameters allowed. */
export const NoQuery = Type.Object({}, { additionalProperties: false });
