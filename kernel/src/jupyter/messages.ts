/**
 * Jupyter messages (protocol 5.3): headers, the content shapes this kernel sends and receives,
 * and the multipart wire format with its HMAC signature.
 * Spec: https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol
 */
import { randomUUID } from "node:crypto";
import type { MessageSigner } from "./signing.js";

/** The messaging protocol version this kernel speaks. */
export const PROTOCOL_VERSION = "5.3";

/** Separates the ZMQ routing identities from the message frames. */
export const DELIMITER = "<IDS|MSG>";

/** A message header, as in the spec. */
export interface JupyterHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** JSON values carried in message content. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** An object of JSON values (message content, metadata, MIME bundles). */
export type JsonObject = { [key: string]: JsonValue };

/** A decoded Jupyter message. */
export interface JupyterMessage<C = JsonObject> {
  /** ZMQ routing identities of a ROUTER socket (empty on PUB). */
  identities: Buffer[];
  header: JupyterHeader;
  /** The parent's header, or `{}` for unsolicited messages. */
  parentHeader: JupyterHeader | Record<string, never>;
  metadata: JsonObject;
  content: C;
  buffers: Buffer[];
}

/** A MIME bundle: MIME type to data (strings, or JSON objects for `+json` types). */
export type MimeBundle = Record<string, JsonValue>;

/** Creates a header for a message this kernel sends. */
export function createHeader(msgType: string, session: string): JupyterHeader {
  return {
    msg_id: randomUUID(),
    session,
    username: "trainset",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** Builds a reply or broadcast whose parent is `parent`. */
export function createMessage<C>(msgType: string, content: C, parent: JupyterMessage<unknown> | undefined, session: string, metadata: JsonObject = {}): JupyterMessage<C> {
  return {
    identities: parent?.identities ?? [],
    header: createHeader(msgType, session),
    parentHeader: parent?.header ?? {},
    metadata,
    content,
    buffers: [],
  };
}

/** Serialises a message into ZMQ frames, signed with `signer`. */
export function serializeMessage(message: JupyterMessage<unknown>, signer: MessageSigner): Buffer[] {
  const parts = [
    Buffer.from(JSON.stringify(message.header)),
    Buffer.from(JSON.stringify(message.parentHeader)),
    Buffer.from(JSON.stringify(message.metadata)),
    Buffer.from(JSON.stringify(message.content)),
  ];
  return [...message.identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts, ...message.buffers];
}

/** Why a frame set was refused. */
export type WireRejection = "no-delimiter" | "bad-signature" | "bad-json" | "bad-header";

/** The result of {@link parseMessage}: a message, or the reason it was dropped. */
export type ParsedWire = { ok: true; message: JupyterMessage } | { ok: false; reason: WireRejection; detail: string };

/**
 * Parses ZMQ frames into a message, verifying the signature before any JSON is read.
 * @example
 * const parsed = parseMessage(frames, signer);
 * if (parsed.ok) handle(parsed.message);
 */
export function parseMessage(frames: readonly Buffer[], signer: MessageSigner): ParsedWire {
  const delimiterAt = frames.findIndex((frame) => frame.length === DELIMITER.length && frame.toString() === DELIMITER);
  if (delimiterAt < 0 || frames.length < delimiterAt + 6) {
    return { ok: false, reason: "no-delimiter", detail: `expected "${DELIMITER}" followed by 5 frames, got ${frames.length} frames` };
  }
  const signature = frames[delimiterAt + 1] ?? Buffer.alloc(0);
  const parts = frames.slice(delimiterAt + 2, delimiterAt + 6);
  if (!signer.verify(parts, signature.toString())) {
    return { ok: false, reason: "bad-signature", detail: "the HMAC signature does not match the connection key" };
  }
  let decoded: unknown[];
  try {
    decoded = parts.map((part) => JSON.parse(part.toString("utf8")) as unknown);
  } catch (error) {
    return { ok: false, reason: "bad-json", detail: error instanceof Error ? error.message : String(error) };
  }
  const [header, parentHeader, metadata, content] = decoded;
  if (!isHeader(header)) return { ok: false, reason: "bad-header", detail: "the header lacks msg_id, session or msg_type" };
  return {
    ok: true,
    message: {
      identities: frames.slice(0, delimiterAt),
      header,
      parentHeader: isObject(parentHeader) && isHeader(parentHeader) ? parentHeader : {},
      metadata: isObject(metadata) ? (metadata as JsonObject) : {},
      content: isObject(content) ? (content as JsonObject) : {},
      buffers: frames.slice(delimiterAt + 6),
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isHeader(value: unknown): value is JupyterHeader {
  return isObject(value) && typeof value.msg_id === "string" && typeof value.msg_type === "string" && typeof value.session === "string";
}

/** Reads a string field of a request's content, with a default. */
export function stringField(content: JsonObject, name: string, fallback = ""): string {
  const value = content[name];
  return typeof value === "string" ? value : fallback;
}

/** Reads a boolean field of a request's content, with a default. */
export function booleanField(content: JsonObject, name: string, fallback: boolean): boolean {
  const value = content[name];
  return typeof value === "boolean" ? value : fallback;
}

/** Reads a number field of a request's content, with a default. */
export function numberField(content: JsonObject, name: string, fallback: number): number {
  const value = content[name];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}
