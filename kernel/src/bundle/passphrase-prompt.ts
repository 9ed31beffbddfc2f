/**
 * Reads a passphrase from an interactive terminal without echo (raw mode), for age's passphrase
 * mode. Passphrases are never taken from argv, where other users can read them.
 */
import type { ReadStream } from "node:tty";
import type { Writable } from "node:stream";
import { TrainsetError } from "../util/errors.js";

/** The terminal to prompt on. */
export interface PromptTerminal {
  input: ReadStream;
  /** Where the prompt text goes (stderr, so stdout stays machine-readable). */
  output: Writable;
}

function readHidden(term: PromptTerminal, prompt: string): Promise<string> {
  const { input, output } = term;
  output.write(prompt);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (error?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.off("data", onData);
      output.write("\n");
      if (error === undefined) resolve(value);
      else reject(error);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003" || ch === "\u0004") return finish(new TrainsetError("ABORTED", "Cannot read the passphrase: the prompt was cancelled"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on("data", onData);
  });
}

/**
 * Prompts for a passphrase; with `confirm`, asks twice and refuses a mismatch or an empty one.
 * @example const passphrase = await promptPassphrase({ input: process.stdin, output: process.stderr }, { confirm: true });
 */
export async function promptPassphrase(term: PromptTerminal, options: { confirm?: boolean } = {}): Promise<string> {
  if (!term.input.isTTY) throw new TrainsetError("VALIDATION_ERROR", "Cannot read the passphrase: no terminal to prompt on; use --passphrase-file FILE", { field: "passphrase" });
  const first = await readHidden(term, "Passphrase: ");
  if (first === "") throw new TrainsetError("VALIDATION_ERROR", "Cannot use the passphrase: it is empty", { field: "passphrase" });
  if (options.confirm === true && (await readHidden(term, "Confirm passphrase: ")) !== first) {
    throw new TrainsetError("VALIDATION_ERROR", "Cannot use the passphrase: the two entries differ", { field: "passphrase" });
  }
  return first;
}
