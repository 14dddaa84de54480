/**
 * One-second Opus loops of the tone, by frequency: built once per process in a short-lived
 * worker thread (it exits as soon as nothing is left to build) and kept in a small LRU, so every
 * session playing 440 Hz shares one loop and a `set_tone` costs one encode.
 */
import { Worker } from "node:worker_threads";
import { reactorError } from "@reactor-node/protocol";
import type { ToneReply, ToneRequest } from "./tone-protocol.js";

/** Loops kept in memory (≈5 KiB each). */
export const TONE_LOOP_CACHE_ENTRIES = 32;

const loops = new Map<number, Uint8Array[]>();
const building = new Map<number, Promise<Uint8Array[]>>();
let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { worker: Worker; resolve: (p: Uint8Array[]) => void; reject: (e: Error) => void }>();

// From src/*.ts (vitest) there is no compiled worker beside this file; use the built one.
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts")
    ? new URL("../../dist/audio/tone-encoder-worker.js", here)
    : new URL("./tone-encoder-worker.js", here);
}

/** Rejects what was sent to `worker` (a newer worker's requests are not its business). */
function failAll(worker: Worker, error: Error): void {
  for (const [id, w] of waiting) {
    if (w.worker !== worker) continue;
    waiting.delete(id);
    w.reject(error);
  }
}

function ensureWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(workerUrl(), { name: "reactor-testkit-tone" });
  worker = w;
  w.on("message", (reply: ToneReply) => {
    const waiter = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) waiter?.resolve(reply.packets);
    else waiter?.reject(reactorError("SERVER_ERROR", `tone encoder failed: ${reply.message}`));
    if (![...waiting.values()].some((x) => x.worker === w) && worker === w) {
      worker = null;
      void w.terminate();
    }
  });
  w.on("error", (error) => failAll(w, reactorError("WORKER_CRASHED", `tone encoder crashed: ${error.message}`)));
  w.on("exit", () => {
    if (worker === w) worker = null;
    failAll(w, reactorError("WORKER_CRASHED", "tone encoder exited"));
  });
  return w;
}

/** The loop's packets for a whole frequency (built on first use). */
export function toneLoop(frequencyHz: number): Promise<Uint8Array[]> {
  const cached = loops.get(frequencyHz);
  if (cached) {
    loops.delete(frequencyHz);
    loops.set(frequencyHz, cached);
    return Promise.resolve(cached);
  }
  const pending = building.get(frequencyHz);
  if (pending) return pending;
  const id = nextId++;
  const promise = new Promise<Uint8Array[]>((resolve, reject) => {
    const w = ensureWorker();
    waiting.set(id, { worker: w, resolve, reject });
    w.postMessage({ id, frequencyHz } satisfies ToneRequest);
  }).then(
    (packets) => {
      building.delete(frequencyHz);
      loops.set(frequencyHz, packets);
      while (loops.size > TONE_LOOP_CACHE_ENTRIES) {
        const oldest = loops.keys().next().value;
        if (oldest === undefined) break;
        loops.delete(oldest);
      }
      return packets;
    },
    (error: unknown) => {
      building.delete(frequencyHz);
      throw error;
    },
  );
  building.set(frequencyHz, promise);
  return promise;
}

/** True while a tone worker thread is alive (tests check it goes away). */
export function toneWorkerAlive(): boolean {
  return worker !== null;
}
