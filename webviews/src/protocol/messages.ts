/**
 * Typed message maps between the extension host and a webview: each side posts
 * `{ type: K, body: Map[K] }` for a key K of the receiving side's map. No untyped messages.
 */

/** A message of map M. */
export type Message<M> = { [K in keyof M]: { type: K; body: M[K] } }[keyof M];

/** Narrows an unknown event payload to a message whose type is one of `types`. */
export function isMessage<M>(value: unknown, types: readonly (keyof M)[]): value is Message<M> {
  return typeof value === "object" && value !== null && types.includes((value as { type: keyof M }).type);
}
