/**
 * The JSON-lines protocol of `trainset kernel bridge`: what an editor (the VS Code extension) writes
 * on the bridge's stdin and reads from its stdout. The bridge speaks Jupyter over ZMQ to the kernel,
 * so the editor never loads a native module. One JSON object per line, both ways.
 */

/** Requests the editor sends, keyed by `type`. */
export type ToBridge =
  | { type: "execute"; id: string; code: string }
  | { type: "interrupt" }
  | { type: "restart" }
  | { type: "shutdown" };

/** The iopub message types forwarded to the editor as outputs. */
export type BridgeOutputType = "stream" | "display_data" | "update_display_data" | "execute_result" | "error" | "clear_output";

/** Events the bridge sends, keyed by `type`. */
export type FromBridge =
  | { type: "ready"; implementation: string; languageVersion: string }
  | { type: "output"; id: string; msgType: BridgeOutputType; content: Record<string, unknown> }
  | { type: "done"; id: string; status: "ok" | "error" | "aborted"; executionCount: number | null }
  | { type: "restarted" }
  | { type: "log"; message: string }
  | { type: "exited"; code: number | null };

/** The iopub types that {@link FromBridge} `output` carries. */
export const BRIDGE_OUTPUT_TYPES: readonly BridgeOutputType[] = ["stream", "display_data", "update_display_data", "execute_result", "error", "clear_output"];

/**
 * Parses one line sent to the bridge; returns undefined for a line that is not a request.
 * @example parseToBridge('{"type":"interrupt"}'); // { type: "interrupt" }
 */
export function parseToBridge(line: string): ToBridge | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  switch (record.type) {
    case "execute":
      return typeof record.id === "string" && typeof record.code === "string" ? { type: "execute", id: record.id, code: record.code } : undefined;
    case "interrupt":
    case "restart":
    case "shutdown":
      return { type: record.type };
    default:
      return undefined;
  }
}
