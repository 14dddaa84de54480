// Piscina task entry: loads the user's per-frame module once per thread and runs its default
// export on each frame. Errors thrown by the user's function are returned as values.
// The handler is a named export on purpose: piscina loads this file with require() (require(esm) on
// Node >= 20.19), and for modules with a default export Node builds a facade module whose
// instantiation hits a fatal assertion (process abort) when the thread is terminated mid-load.
import type { FrameTask, FrameTaskOutcome } from "./task-messages.js";

type FrameFunction = (frame: FrameTask["frame"]) => unknown;

const loaded = new Map<string, Promise<FrameFunction>>();

function load(moduleUrl: string): Promise<FrameFunction> {
  let fn = loaded.get(moduleUrl);
  if (!fn) {
    fn = import(moduleUrl).then((mod: { default?: unknown }) => {
      if (typeof mod.default !== "function") {
        throw new TypeError(`${moduleUrl} has no default export function`);
      }
      return mod.default as FrameFunction;
    });
    loaded.set(moduleUrl, fn);
  }
  return fn;
}

/** The piscina handler (selected with `name: "runFrameTask"`). */
export async function runFrameTask(task: FrameTask): Promise<FrameTaskOutcome> {
  let fn: FrameFunction;
  try {
    fn = await load(task.moduleUrl);
  } catch (error) {
    return { kind: "loadError", message: (error as Error).message };
  }
  try {
    return { kind: "ok", value: await fn(task.frame) };
  } catch (error) {
    return { kind: "error", error };
  }
}
