/** Maps a trainer's callbacks onto the seed's job phases (loading, preparing, training). */
import { throttleProgress, type ProgressListener } from "../../util/run-control.js";
import type { JobContext } from "../job-queue.js";

/** Callbacks to pass to train()/trainFrameImportance(). */
export interface TrainProgressBridge {
  /** Hashing images ends loading; embedding them is the preparing phase. */
  onProgress: ProgressListener;
  /** Each epoch advances the training phase and becomes an epoch event. */
  onEpoch: (epoch: number, epochs: number, metrics: Record<string, number | null>) => void;
}

/** Builds the bridge; progress ticks are throttled to four a second. */
export function trainProgressBridge(ctx: JobContext): TrainProgressBridge {
  const onProgress = throttleProgress((event) => {
    const fraction = event.total === undefined || event.total === 0 ? 0 : event.done / event.total;
    if (event.phase === "hash images") ctx.progress("loading", 0.5 + fraction / 2, `Loading: ${event.done}/${event.total ?? "?"} images hashed`);
    else ctx.progress("preparing", fraction, `Preparing: ${event.phase} ${event.done}/${event.total ?? "?"}${event.unit === undefined ? "" : ` ${event.unit}`}`);
  }, 250);
  return {
    onProgress,
    onEpoch: (epoch, epochs, metrics) => {
      const clean: Record<string, number> = {};
      for (const [k, v] of Object.entries(metrics)) if (typeof v === "number" && Number.isFinite(v)) clean[k] = v;
      ctx.epoch(epoch, epochs, clean);
      const loss = clean["val_loss"] ?? clean["val_mae"] ?? clean["train_loss"];
      ctx.progress("training", epoch / epochs, `Epoch ${epoch}/${epochs}${loss === undefined ? "" : `, ${clean["val_loss"] !== undefined ? "val_loss" : clean["val_mae"] !== undefined ? "val_mae" : "train_loss"} ${loss.toFixed(4)}`}`);
    },
  };
}
