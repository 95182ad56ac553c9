/**
 * @file Peak live memory of a computation: `sample()` (called from inside the computation, e.g.
 * in a loop body that also runs during the backward pass's recomputation) forces a garbage
 * collection every `every` calls and records the heap in use plus array-buffer memory. The peak
 * of those samples is the most the computation kept alive at once. Needs --expose-gc.
 */

const gc = (globalThis as { gc?: () => void }).gc;

export function liveBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export class PeakSampler {
  private calls = 0;
  private base = 0;
  /** Off while timing: sample() then costs one comparison. */
  enabled = false;
  peak = 0;
  samples = 0;

  constructor(private readonly every: number) {
    if (gc === undefined) throw new Error("memory benchmarks need node --expose-gc");
  }

  /**
   * Starts a measurement: lets the event loop turn (some memory of earlier work is released only
   * after the current job), collects twice, then takes the baseline that peaks are reported above.
   */
  async start(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    gc!();
    gc!();
    this.base = liveBytes();
    this.enabled = true;
    this.peak = 0;
    this.samples = 0;
    this.calls = 0;
  }

  /** Ends a measurement. */
  stop(): void {
    this.enabled = false;
  }

  sample(): void {
    if (!this.enabled || ++this.calls % this.every !== 0) return;
    gc!();
    this.samples++;
    this.peak = Math.max(this.peak, liveBytes() - this.base);
  }
}
