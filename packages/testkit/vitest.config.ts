import { defineConfig } from "vitest/config";

// Real servers, real werift peers and an encoder worker per file: generous timeouts, and files
// run one at a time so the 2-core machine does not starve the media pacing.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
