/** The `http-status` fault: turns matching requests into error answers, a bounded number of times. */
import type { FaultOf } from "./spec.js";

/** An armed `http-status` fault with its remaining count. */
export class HttpStatusFault {
  private remaining: number;
  private readonly pattern: RegExp;
  private readonly withMethod: boolean;

  constructor(readonly spec: FaultOf<"http-status">) {
    this.remaining = spec.count ?? Number.POSITIVE_INFINITY;
    const route = spec.route.trim();
    this.withMethod = /^[A-Za-z]+\s/.test(route);
    const escaped = route
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    this.pattern = new RegExp(`^${escaped}$`, this.withMethod ? "i" : "");
  }

  /** True (and one use consumed) when this fault fires for the request. */
  take(method: string, path: string): boolean {
    if (this.remaining <= 0) return false;
    const subject = this.withMethod ? `${method.toUpperCase()} ${path}` : path;
    if (!this.pattern.test(subject)) return false;
    this.remaining--;
    return true;
  }
}
