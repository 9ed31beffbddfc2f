/** The unit of the demo: one capability run on the sample workspace. */
import type { RunControl } from "../util/run-control.js";

/** What every demo step receives. */
export interface DemoContext extends RunControl {
  /** The workspace root being built. */
  root: string;
  /** Steps record what they wrote (relative to root) and what they found. */
  note(line: string): void;
}

/** One step of `trainset demo`. */
export interface DemoStep {
  title: string;
  run(ctx: DemoContext): Promise<void>;
}
