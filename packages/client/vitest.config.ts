import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // `.test.mjs` files are plain JavaScript against the built package (no type checker helps them).
    include: ["test/**/*.test.ts", "test/**/*.test.mjs"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // werift peers on both sides of every integration test: two files at a time is what 2 cores take.
    maxWorkers: 2,
  },
});
