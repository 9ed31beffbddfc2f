/** The webview side of the typed message channel (`acquireVsCodeApi`, available once per page). */
import { isMessage, type Message } from "../protocol/messages.js";

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Posts typed messages to the host and receives typed messages from it. */
export function connectHost<ToHost, ToWebview>(types: readonly (keyof ToWebview)[], onMessage: (message: Message<ToWebview>) => void): { post: <K extends keyof ToHost>(type: K, body: ToHost[K]) => void } {
  const api = acquireVsCodeApi();
  window.addEventListener("message", (event: MessageEvent<unknown>) => {
    if (isMessage<ToWebview>(event.data, types)) onMessage(event.data);
  });
  return { post: (type, body) => api.postMessage({ type, body }) };
}

/** Creates an element with text and attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}
