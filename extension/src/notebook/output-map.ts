/**
 * Maps Jupyter iopub content (as forwarded by `trainset kernel bridge`) to notebook output parts,
 * before they become VS Code objects. Pure: no vscode.
 * Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#messages-on-the-iopub-pub-sub-channel
 */
import type { BridgeOutputType } from "../../../kernel/src/jupyter/bridge-protocol.js";

/** One MIME item of a rich output. */
export interface OutputItemPart {
  mime: string;
  /** Text for text-like types, a JSON value for JSON types, base64 text for binary types. */
  value: unknown;
  encoding: "text" | "json" | "base64";
}

/** What one iopub message does to a cell's outputs. */
export type OutputPart =
  | { kind: "stream"; name: "stdout" | "stderr"; text: string }
  | { kind: "rich"; items: OutputItemPart[]; displayId: string | undefined }
  | { kind: "update"; items: OutputItemPart[]; displayId: string }
  | { kind: "error"; name: string; message: string; stack: string }
  | { kind: "clear"; wait: boolean };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True for MIME types whose data is a JSON value (`application/json`, `…+json`). */
export function isJsonMime(mime: string): boolean {
  return mime === "application/json" || mime.endsWith("+json");
}

/** Converts a MIME bundle to items, richest first (charts, images, HTML, then plain text). */
export function bundleItems(data: unknown): OutputItemPart[] {
  if (!isRecord(data)) return [];
  const rank = (mime: string): number => (mime.startsWith("application/vnd.vegalite") ? 0 : mime.startsWith("image/") ? 1 : mime === "text/html" ? 2 : isJsonMime(mime) ? 3 : mime === "text/plain" ? 5 : 4);
  return Object.keys(data)
    .sort((a, b) => rank(a) - rank(b))
    .map((mime): OutputItemPart => {
      const value = data[mime];
      if (isJsonMime(mime)) return { mime, value, encoding: "json" };
      if (mime.startsWith("image/") && mime !== "image/svg+xml") return { mime, value: typeof value === "string" ? value.replace(/\s+/g, "") : "", encoding: "base64" };
      return { mime, value: Array.isArray(value) ? value.join("") : typeof value === "string" ? value : JSON.stringify(value), encoding: "text" };
    });
}

function text(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function displayIdOf(content: Record<string, unknown>): string | undefined {
  const transient = content.transient;
  return isRecord(transient) && typeof transient.display_id === "string" ? transient.display_id : undefined;
}

/**
 * Maps one forwarded iopub message to an output part.
 * @example mapOutput("stream", { name: "stdout", text: "hi\n" }) // { kind: "stream", name: "stdout", text: "hi\n" }
 */
export function mapOutput(msgType: BridgeOutputType, content: Record<string, unknown>): OutputPart | undefined {
  switch (msgType) {
    case "stream":
      return { kind: "stream", name: content.name === "stderr" ? "stderr" : "stdout", text: text(content.text, "") };
    case "display_data":
    case "execute_result":
      return { kind: "rich", items: bundleItems(content.data), displayId: displayIdOf(content) };
    case "update_display_data": {
      const displayId = displayIdOf(content);
      return displayId === undefined ? undefined : { kind: "update", items: bundleItems(content.data), displayId };
    }
    case "error": {
      const traceback = Array.isArray(content.traceback) ? content.traceback.map(String) : [];
      return { kind: "error", name: text(content.ename, "Error"), message: text(content.evalue, ""), stack: traceback.join("\n") };
    }
    case "clear_output":
      return { kind: "clear", wait: content.wait === true };
  }
}
