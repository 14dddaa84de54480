// Backend selection with node-av really installed (a devDependency) and really hidden (module
// hooks in a child process): `native` and `auto` pick it, and without it the error is unchanged.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createVideoReceiver, isNativeDecoderInstalled, resolveDecoderBackend } from "../src/index.js";
import { encodeVp8, quadrantPicture } from "./helpers/vp8-encoder.js";

const NATIVE = isNativeDecoderInstalled();
if (!NATIVE) console.warn('native-selection: skipped, "node-av" is not importable here (install it to run these)');

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe.skipIf(!NATIVE)("decoder selection with node-av installed", () => {
  it("default stays wasm; auto picks native; the env var forces either backend; the option wins over the env", () => {
    expect(resolveDecoderBackend({ nativeInstalled: NATIVE })).toBe("wasm");
    expect(resolveDecoderBackend({ requested: "auto", nativeInstalled: NATIVE })).toBe("native");
    expect(resolveDecoderBackend({ env: "auto", nativeInstalled: NATIVE })).toBe("native");
    expect(resolveDecoderBackend({ env: "wasm", nativeInstalled: NATIVE })).toBe("wasm");
    expect(resolveDecoderBackend({ env: "native", nativeInstalled: NATIVE })).toBe("native");
    expect(resolveDecoderBackend({ requested: "wasm", env: "native", nativeInstalled: NATIVE })).toBe("wasm");
  });

  it("createVideoReceiver({ decoder: 'native' }) starts a native decoder", async () => {
    const [key] = await encodeVp8({ width: 32, height: 16, count: 1, gop: 1, picture: () => quadrantPicture(32, 16) });
    await using receiver = createVideoReceiver({ decoder: "native", policy: "block" });
    await receiver.ready();
    const sizes: number[][] = [];
    receiver.onFrame((f) => sizes.push([f.width, f.height]));
    receiver.pushEncodedFrame({ data: key!.data, timestamp: 0 });
    await receiver.flush();
    expect(sizes).toEqual([[32, 16]]);
  });

  /** Runs test/fixtures/no-native-receiver.mjs in a child process with node-av hidden. */
  async function withoutNodeAv(hide: "package" | "binding") {
    const [key] = await encodeVp8({ width: 32, height: 16, count: 1, gop: 1, picture: () => quadrantPicture(32, 16) });
    const env: NodeJS.ProcessEnv = { ...process.env, HIDE_NODE_AV: hide };
    delete env.REACTOR_FRAMES_DECODER; // vitest.config pins wasm; this run must use auto
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--import",
        fixture("without-node-av.mjs"),
        fixture("no-native-receiver.mjs"),
        Buffer.from(key!.data).toString("base64"),
      ],
      { env },
    );
    return JSON.parse(stdout);
  }

  it("node-av not installed: `native` throws INVALID_ARGUMENT synchronously, `auto` decodes with wasm", async () => {
    const report = await withoutNodeAv("package");
    expect(report.installed).toBe(false);
    expect(report.explicit).toMatchObject({
      name: "ReactorError",
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/"node-av" cannot be imported/),
    });
    expect(report.autoFrames).toEqual([{ width: 32, height: 16 }]);
  });

  it("node-av resolves but fails to load: `native` fails loudly (ready() rejects, onError), no fallback", async () => {
    const report = await withoutNodeAv("binding");
    expect(report.installed).toBe(true);
    expect(report.explicit).toBe("created");
    // The worker's own code survives the thread boundary (it read WORKER_CRASHED before).
    const failure = {
      name: "ReactorError",
      code: "CODEC_UNAVAILABLE",
      message: expect.stringMatching(/decoder failed to start.*could not load "node-av"/),
    };
    expect(report.ready).toMatchObject(failure);
    expect(report.errors).toEqual([expect.objectContaining(failure)]);
  });
});
