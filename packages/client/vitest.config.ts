import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // werift peers on both sides of every integration test: two files at a time is what 2 cores take.
    maxWorkers: 2,
  },
});
