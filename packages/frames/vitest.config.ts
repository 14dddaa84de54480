import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    globalSetup: ["test/global-setup.ts"],
    // node-av is a devDependency, so `auto` would pick the native decoder here. The suite pins wasm
    // (what users get without node-av); test/native-*.test.ts ask for native explicitly. Run the
    // whole suite on native with `REACTOR_FRAMES_DECODER=native pnpm test`.
    env: { REACTOR_FRAMES_DECODER: process.env.REACTOR_FRAMES_DECODER ?? "wasm" },
  },
});
