/**
 * The scratch runs of test/harness/cleanup.test.ts: test files that start
 * servers and then fail, crash or hang on purpose, under the same
 * globalSetup as `npm test`. Not part of `npm test` by themselves.
 */
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: resolve(import.meta.dirname, "../../.."),
  test: {
    globalSetup: ["test/support/globalSetup.ts"],
    include: ["test/harness/scratch/*.scratch.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
