/** The `http-status` fault: turns matching requests into error answers, a bounded number of times. */
import { compileGlob, type Glob } from "./glob.js";
import type { FaultOf } from "./spec.js";

/** An armed `http-status` fault with its remaining count. */
export class HttpStatusFault {
  private remaining: number;
  private readonly glob: Glob;
  private readonly withMethod: boolean;

  constructor(readonly spec: FaultOf<"http-status">) {
    this.remaining = spec.count ?? Number.POSITIVE_INFINITY;
    const route = spec.route.trim();
    this.withMethod = /^[A-Za-z]+\s/.test(route);
    // The route comes from whoever sent the fault header: matched in one pass (see glob.ts).
    this.glob = compileGlob(route, { caseless: this.withMethod });
  }

  /** True (and one use consumed) when this fault fires for the request. */
  take(method: string, path: string): boolean {
    if (this.remaining <= 0) return false;
    const subject = this.withMethod ? `${method.toUpperCase()} ${path}` : path;
    if (!this.glob.test(subject)) return false;
    this.remaining--;
    return true;
  }
}
