/**
 * The connection file Jupyter writes before starting a kernel: ports, transport, IP and HMAC key.
 * Spec: https://jupyter-client.readthedocs.io/en/stable/kernels.html#connection-files
 */
import { readFile } from "node:fs/promises";
import { TrainsetError, ioError } from "../util/errors.js";

/** The fields of a connection file this kernel uses. */
export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shellPort: number;
  controlPort: number;
  iopubPort: number;
  stdinPort: number;
  hbPort: number;
  key: string;
  signatureScheme: string;
}

/** The names of the five channels, as used in the connection file (`<name>_port`). */
export type ChannelName = "shell" | "control" | "iopub" | "stdin" | "hb";

/**
 * Parses the JSON text of a connection file.
 * @example
 * const info = parseConnectionFile(text, "kernel-1.json");
 */
export function parseConnectionFile(text: string, file: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TrainsetError("PARSE_ERROR", `Cannot read Jupyter connection file "${file}": it is not JSON (${error instanceof Error ? error.message : String(error)})`, { file, cause: error });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot read Jupyter connection file "${file}": it is not a JSON object`, { file });
  }
  const record = raw as Record<string, unknown>;
  const port = (name: ChannelName): number => {
    const value = record[`${name}_port`];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65535) {
      throw new TrainsetError("VALIDATION_ERROR", `Cannot read Jupyter connection file "${file}": ${name}_port must be a port number, got ${JSON.stringify(value)}`, { file, field: `${name}_port` });
    }
    return value;
  };
  const text_ = (name: string, fallback: string): string => {
    const value = record[name];
    if (value === undefined) return fallback;
    if (typeof value !== "string") {
      throw new TrainsetError("VALIDATION_ERROR", `Cannot read Jupyter connection file "${file}": ${name} must be a string`, { file, field: name });
    }
    return value;
  };
  const transport = text_("transport", "tcp");
  if (transport !== "tcp" && transport !== "ipc") {
    throw new TrainsetError("VALIDATION_ERROR", `Cannot read Jupyter connection file "${file}": transport must be "tcp" or "ipc", got "${transport}"`, { file, field: "transport" });
  }
  return {
    transport,
    ip: text_("ip", "127.0.0.1"),
    shellPort: port("shell"),
    controlPort: port("control"),
    iopubPort: port("iopub"),
    stdinPort: port("stdin"),
    hbPort: port("hb"),
    key: text_("key", ""),
    signatureScheme: text_("signature_scheme", "hmac-sha256"),
  };
}

/** Reads and parses a connection file. */
export async function readConnectionFile(file: string): Promise<ConnectionInfo> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw ioError("read Jupyter connection file", file, error);
  }
  return parseConnectionFile(text, file);
}

/** The ZMQ endpoint of one channel, e.g. `tcp://127.0.0.1:5555` or `ipc://kernel-ipc-1`. */
export function channelEndpoint(info: ConnectionInfo, channel: ChannelName): string {
  const port = { shell: info.shellPort, control: info.controlPort, iopub: info.iopubPort, stdin: info.stdinPort, hb: info.hbPort }[channel];
  return info.transport === "tcp" ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}
