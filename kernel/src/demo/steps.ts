/** The demo's steps, in order; each capability adds its step here as it lands. */
import type { DemoStep } from "./demo-step.js";
import { exportStep } from "./step-export.js";
import { cocoStep } from "./step-coco.js";
import { legacyStep } from "./step-legacy.js";
import { videoStep } from "./step-video.js";
import { trainStep } from "./step-train.js";
import { trainExtrasStep } from "./step-train-extras.js";
import { runsStep } from "./step-runs.js";

export const demoSteps: readonly DemoStep[] = [
  cocoStep,
  videoStep,
  legacyStep,
  exportStep,
  runsStep,
  trainStep,
  trainExtrasStep,
  // (steps are added one per line above this comment)
];
