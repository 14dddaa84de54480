import { defineConfig } from "vitest/config";

// Real testkit servers and werift peers: files one at a time, generous timeouts for a loaded machine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
