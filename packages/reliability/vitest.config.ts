import { defineConfig } from "vitest/config";

// Soaks measure this process's handles, threads and heap: one file at a time, in a forked
// process of its own, and timeouts sized for the long mode (each test bounds its own work).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 15 * 60_000,
    hookTimeout: 60_000,
  },
});
