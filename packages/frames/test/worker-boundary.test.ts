// The comlink worker pattern (worker/comlink-host.ts): errors a worker reports keep their
// ReactorError code across the thread boundary; only a thread that dies is WORKER_CRASHED.
import { ReactorError } from "@reactor-node/protocol";
import { describe, expect, it } from "vitest";
import { SILENT_LOGGER } from "../src/index.js";
import { transferred, WorkerHost } from "../src/worker/comlink-host.js";
import { eventually, osThreadCount } from "./helpers/threads.js";

interface FixtureApi {
  fail(code: string, message: string): void;
  failPlain(): void;
  failLater(code: string): Promise<void>;
  echo(buffer: ArrayBuffer): { buffer: ArrayBuffer };
  never(): Promise<void>;
}

function start(onCrash: (error: ReactorError) => void = () => {}) {
  return new WorkerHost<FixtureApi>({
    entry: new URL("./fixtures/boundary-worker.mjs", import.meta.url),
    name: "boundary-test",
    logger: SILENT_LOGGER,
    fallbackCode: "FRAME_DECODE_ERROR",
    onCrash,
  });
}

describe("errors across the worker boundary", () => {
  it("a ReactorError thrown in the worker arrives with its code, message, derived fields and cause", async () => {
    const host = start();
    try {
      for (const code of ["CODEC_UNAVAILABLE", "FRAME_DECODE_ERROR", "INVALID_ARGUMENT", "CLIP_FAILED"] as const) {
        const error = await host.call((api) => api.fail(code, `worker says ${code}`)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ReactorError);
        expect(error).toMatchObject({ code, message: `worker says ${code}`, cause: "the cause" });
        expect((error as ReactorError).recoverable).toBe(new ReactorError({ code, message: "" }).recoverable);
      }
      await expect(host.call((api) => api.failLater("WORKER_FAILED"))).rejects.toMatchObject({
        code: "WORKER_FAILED",
        recoverable: false,
      });
    } finally {
      await host.close();
    }
  });

  it("anything else thrown in the worker becomes the host's fallback code, never WORKER_CRASHED", async () => {
    const host = start();
    try {
      await expect(host.call((api) => api.failPlain())).rejects.toMatchObject({
        code: "FRAME_DECODE_ERROR",
        message: "not a ReactorError",
      });
    } finally {
      await host.close();
    }
  });

  it("a thread that dies is WORKER_CRASHED, for the pending call and the crash callback", async () => {
    const crashes: ReactorError[] = [];
    const host = start((error) => crashes.push(error));
    const pending = host.call((api) => api.never());
    host.simulateCrash();
    await expect(pending).rejects.toMatchObject({ code: "WORKER_CRASHED", recoverable: true });
    expect(crashes.map((e) => e.code)).toEqual(["WORKER_CRASHED"]);
    await expect(host.call((api) => api.failPlain())).rejects.toMatchObject({ code: "WORKER_CRASHED" });
    await host.close();
  });

  it("buffers are moved, not copied, both ways; close() leaves no thread and rejects later calls with ABORTED", async () => {
    const baseline = osThreadCount();
    const host = start();
    const buffer = new ArrayBuffer(1024);
    const result = await host.call((api) => api.echo(transferred(buffer, [buffer])));
    expect(buffer.byteLength).toBe(0); // detached here: it went to the worker
    expect(result.buffer.byteLength).toBe(1024);
    expect(new Uint8Array(result.buffer)[0]).toBe(42);
    await Promise.all([host.close(), host.close()]);
    expect(host.dead).toBe(true);
    await expect(host.call((api) => api.failPlain())).rejects.toMatchObject({ code: "ABORTED" });
    if (baseline !== undefined) await eventually(() => osThreadCount()! <= baseline);
  });
});
