/**
 * @file The bookkeeping every method of minimize shares: the iteration count, the stopping tests
 * (gradient norm, relative decrease, non-finite values, iteration and evaluation budgets, the
 * callback) and the message that says which one ended the run. Methods only compute steps and
 * ask `accept` after each one whether to go on, so that every method stops for the same reasons
 * with the same wording.
 */

import type { Objective } from "./objective.js";
import { firstNonFinite, normInf } from "./vec.js";

/** A point of the run: position, loss and gradient (all finite once accepted). */
export interface Iterate {
  readonly x: Float64Array;
  readonly f: number;
  readonly g: Float64Array;
}

/** The stopping settings, already checked. */
export interface RunSettings {
  readonly tol: number;
  readonly ftol: number;
  readonly maxIter: number;
  readonly maxEvaluations: number;
  /**
   * The stationarity measure tested against tol, and its name in messages: by default the
   * gradient's infinity-norm; with bounds, that of the projected gradient.
   */
  readonly stationarity?: { readonly name: string; readonly of: (it: Iterate) => number };
  /** Called after every iteration; returning false stops the run. */
  readonly callback: ((iteration: number, it: Iterate) => boolean) | null;
}

/** How the run ended. */
export interface Outcome {
  readonly converged: boolean;
  readonly message: string;
}

/** Short numbers for messages: 3 significant digits. */
export function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : String(v);
}

export class Run {
  iterations = 0;
  outcome: Outcome | null = null;

  constructor(
    readonly objective: Objective,
    readonly settings: RunSettings,
  ) {}

  /** Checks the starting point; true when there is nothing to iterate (bad or already optimal). */
  begin(it: Iterate): boolean {
    return this.checkFinite(it) || this.checkGradient(it) || this.checkBudgets();
  }

  /**
   * Records an accepted step from a point whose loss was `fPrev`; true when the run must stop.
   * `useFtol` is false for the fixed-step methods, whose loss need not decrease every step.
   */
  accept(it: Iterate, fPrev: number, useFtol: boolean): boolean {
    this.iterations++;
    if (this.checkFinite(it)) return true;
    // The callback sees every iteration with finite values, the last one included.
    const callback = this.settings.callback;
    if (callback !== null && callback(this.iterations, it) === false) {
      return this.finish(false, `stopped by the callback at iteration ${this.iterations}`);
    }
    if (this.checkGradient(it)) return true;
    if (useFtol) {
      const decrease = (fPrev - it.f) / Math.max(Math.abs(fPrev), Math.abs(it.f), 1);
      if (decrease <= this.settings.ftol) {
        return this.finish(
          true,
          `converged: relative decrease of the loss ${fmt(decrease)} <= ftol ${fmt(this.settings.ftol)} at iteration ${this.iterations} (${this.describeMeasure(it)})`,
        );
      }
    }
    return this.checkBudgets(it);
  }

  /** Ends the run without convergence, naming the iteration in progress. */
  fail(reason: string): void {
    this.finish(false, `stopped at iteration ${this.iterations + 1}: ${reason}`);
  }

  private finish(converged: boolean, message: string): true {
    this.outcome = { converged, message };
    return true;
  }

  private checkFinite(it: Iterate): boolean {
    if (!Number.isFinite(it.f)) {
      return this.finish(false, `stopped at iteration ${this.iterations}: the loss is ${it.f}`);
    }
    const bad = firstNonFinite(it.g);
    if (bad >= 0) {
      return this.finish(
        false,
        `stopped at iteration ${this.iterations}: the gradient is ${it.g[bad]} at ${this.objective.locate(bad)}`,
      );
    }
    return false;
  }

  private measure(it: Iterate): [string, number] {
    const s = this.settings.stationarity;
    return s === undefined ? ["gradient infinity-norm", normInf(it.g)] : [s.name, s.of(it)];
  }

  private describeMeasure(it: Iterate): string {
    const [name, value] = this.measure(it);
    return `${name} ${fmt(value)}`;
  }

  private checkGradient(it: Iterate): boolean {
    const [name, value] = this.measure(it);
    if (value <= this.settings.tol) {
      return this.finish(
        true,
        `converged: ${name} ${fmt(value)} <= tol ${fmt(this.settings.tol)} after ${this.iterations} iterations`,
      );
    }
    return false;
  }

  private checkBudgets(it?: Iterate): boolean {
    const { maxIter, maxEvaluations } = this.settings;
    const tail = it === undefined ? "" : ` (${this.describeMeasure(it)})`;
    if (this.iterations >= maxIter) {
      return this.finish(false, `stopped: maxIter ${maxIter} reached${tail}`);
    }
    if (this.objective.evaluations >= maxEvaluations) {
      return this.finish(
        false,
        `stopped: maxEvaluations ${maxEvaluations} reached after ${this.iterations} iterations${tail}`,
      );
    }
    return false;
  }
}
