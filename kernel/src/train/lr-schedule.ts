/** lx-ai's learning-rate schedule: linear warmup, then cosine decay to `minLr`. */

/** Options for {@link learningRateAt}. */
export interface LrScheduleOptions {
  /** Base rate reached after warmup. */
  baseLr: number;
  /** Total epochs. */
  epochs: number;
  /** Warmup epochs (default 3, lx-ai). */
  warmupEpochs?: number;
  /** Floor of the cosine (default 1e-6, lx-ai). */
  minLr?: number;
}

/**
 * The rate for 1-based `epoch`: `base*e/W` during warmup, then
 * `min + (base-min) * (1 + cos(pi * t)) / 2` with `t = (e-W-1)/(E-W)`.
 * @example learningRateAt(1, { baseLr: 1e-3, epochs: 35, warmupEpochs: 3 }) // 3.33e-4
 */
export function learningRateAt(epoch: number, options: LrScheduleOptions): number {
  const W = options.warmupEpochs ?? 3;
  const minLr = options.minLr ?? 1e-6;
  if (!Number.isInteger(epoch) || epoch < 1)
    throw new RangeError(`Cannot compute the learning rate: epoch must be >= 1, got ${epoch}`);
  if (epoch <= W) return (options.baseLr * epoch) / W;
  const span = Math.max(options.epochs - W, 1);
  const t = Math.min((epoch - W - 1) / span, 1);
  return minLr + ((options.baseLr - minLr) * (1 + Math.cos(Math.PI * t))) / 2;
}
