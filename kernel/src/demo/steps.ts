/** The demo's steps, in order; each capability adds its step here as it lands. */
import type { DemoStep } from "./demo-step.js";
import { cocoStep } from "./step-coco.js";
import { legacyStep } from "./step-legacy.js";
import { videoStep } from "./step-video.js";

export const demoSteps: readonly DemoStep[] = [
  cocoStep,
  videoStep,
  legacyStep,
  // (steps are added one per line above this comment)
];
