// The worker side of the comlink worker pattern (see comlink-host.ts for the main-thread side).
import { parentPort } from "node:worker_threads";
import { type ReactorErrorCode, reactorError } from "@reactor-node/protocol";
import * as Comlink from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { toBoundaryError } from "./boundary-error.js";

/** What {@link exposeWorkerApi} adds to every worker object, for {@link WorkerHost}. */
export interface WorkerControl {
  /**
   * Leaves the thread. Handled like any call, so between two calls of the object: terminating a
   * thread while it is inside a native addon call (node-av) aborts the whole process with a fatal
   * N-API error, so workers are asked to leave and only terminated when they do not.
   */
  exitWhenIdle(code: number): void;
}

/** The object as the main thread sees it: every method async, plus {@link WorkerControl}. */
export type Exposed<Api> = Api & WorkerControl;

/**
 * Exposes `api` to the parent thread through comlink, in a worker entry file. Every method's
 * failure crosses as a flattened ReactorError (its code kept; anything else becomes `fallback`),
 * rebuilt by {@link WorkerHost.call}. Return `Comlink.transfer(value, buffers)` to move buffers
 * instead of copying them (see `transferred`).
 */
export function exposeWorkerApi<Api extends object>(api: Api, fallback: ReactorErrorCode): void {
  if (!parentPort) throw reactorError("INVALID_ARGUMENT", "exposeWorkerApi() must run in a worker thread");
  const exposed: Record<string, unknown> = {
    exitWhenIdle: (code: number) => process.exit(code),
  };
  for (const key of methodNames(api)) {
    const method = (api as Record<string, unknown>)[key] as (...args: unknown[]) => unknown;
    exposed[key] = async (...args: unknown[]) => {
      try {
        return await method.apply(api, args);
      } catch (error) {
        throw toBoundaryError(error, fallback);
      }
    };
  }
  Comlink.expose(exposed, nodeEndpoint(parentPort));
}

/** Marks `value`'s buffers to be transferred (moved, not copied) with it across the boundary. */
export function transferred<T>(value: T, buffers: readonly ArrayBufferLike[]): T {
  return Comlink.transfer(value, buffers as never);
}

/** Own and prototype method names of an object or class instance. */
function methodNames(api: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = api; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key !== "constructor" && typeof (api as Record<string, unknown>)[key] === "function") names.add(key);
    }
  }
  return [...names];
}
