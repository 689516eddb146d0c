import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const wrangler = { configPath: "./wrangler.toml" };

/** The operator's ADMIN_KEY inside workerd tests (a wrangler secret in production; never a real one here). Tests read it as `env.ADMIN_KEY`. */
export const TEST_ADMIN_KEY = "test-admin-key-for-workerd-only";

/** Small limits, so pruning, capacity and retention can be tested with a handful of frames. */
export const TIGHT_LIMITS = {
  HISTORY_LIMIT: "20",
  ROOM_CAPACITY: "4",
  RATE_BURST: "1000",
  RATE_PER_SECOND: "1000",
  DEDUP_WINDOW: "10",
  // Long enough for a test to act inside it on a busy machine, short enough to wait out.
  RECONNECT_GRACE_MS: "2000",
  JOIN_TIMEOUT_MS: "200",
  BATCH_SOCKETS: "3",
  EXPOSE_STATS: "1",
  // One test client sends far more than a person would: per-address limits
  // are tested with their defaults in the main workerd project.
  ADDRESS_MESSAGE_BURST: "1000",
  ADDRESS_MESSAGES_PER_SECOND: "1000",
  ADDRESS_JOIN_BURST: "1000",
  ADDRESS_JOINS_PER_SECOND: "1000",
  ALLOWED_ORIGINS: "https://friend.example, https://other.example",
  ADMIN_KEY: TEST_ADMIN_KEY,
};

/** A crowd of four, so a room can become one and stop being one with a handful of sockets. */
export const CROWD_LIMITS = {
  CROWD_SIZE: "4",
  BATCH_SOCKETS: "1000",
  RECONNECT_GRACE_MS: "2000",
  RATE_BURST: "1000",
  RATE_PER_SECOND: "1000",
  ADDRESS_JOIN_BURST: "1000",
  ADDRESS_JOINS_PER_SECOND: "1000",
  ADMIN_KEY: TEST_ADMIN_KEY,
  // Search off is tested here (crowd/searchOff.test.ts): crowds do not depend on it.
  SEARCH: "off",
};

/** Small replay caps and a small per-address byte budget, to reach them with a few dozen events. */
export const REPLAY_LIMITS = {
  REPLAY_MAX_EVENTS: "8",
  REPLAY_MAX_BYTES: "1500",
  ADDRESS_REPLAY_BURST_BYTES: "6000",
  ADDRESS_REPLAY_BYTES_PER_SECOND: "2000",
  RATE_BURST: "1000",
  RATE_PER_SECOND: "1000",
  ADDRESS_MESSAGE_BURST: "1000",
  ADDRESS_MESSAGES_PER_SECOND: "1000",
  ADDRESS_JOIN_BURST: "1000",
  ADDRESS_JOINS_PER_SECOND: "1000",
  ADMIN_KEY: TEST_ADMIN_KEY,
};

export default defineConfig({
  test: {
    // The room logs a JSON line per connect and disconnect; show them only for failures.
    silent: "passed-only",
    // Kills every server, client and browser a test file left running, even one whose worker died.
    globalSetup: ["test/support/globalSetup.ts"],
    // Two files at a time (vitest would take one on two cores): most of a file's
    // time is spent waiting on servers, sockets and timers, not computing. The
    // suite passes like this with one core kept busy by another process.
    maxWorkers: 2,
    projects: [
      {
        plugins: [cloudflareTest({ wrangler, miniflare: { bindings: { ADMIN_KEY: TEST_ADMIN_KEY } } })],
        test: {
          name: "workerd",
          include: ["test/{protocol,worker,room}/**/*.test.ts"],
          exclude: ["test/room/tight/**", "test/room/crowd/**", "test/room/replay/**"],
          // Generous: CI machines have two cores shared with wrangler dev and Chromium.
          testTimeout: 30_000,
        },
      },
      {
        plugins: [cloudflareTest({ wrangler, miniflare: { bindings: TIGHT_LIMITS } })],
        test: { name: "workerd-tight", include: ["test/room/tight/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        plugins: [cloudflareTest({ wrangler, miniflare: { bindings: CROWD_LIMITS } })],
        test: { name: "workerd-crowd", include: ["test/room/crowd/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        plugins: [cloudflareTest({ wrangler, miniflare: { bindings: REPLAY_LIMITS } })],
        test: { name: "workerd-replay", include: ["test/room/replay/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        test: {
          name: "e2e",
          include: ["test/{e2e,client,cli}/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          // More than startWranglerDev's own 60 s, so that its error (with wrangler's output) is the one reported.
          hookTimeout: 90_000,
        },
      },
      {
        test: {
          name: "harness",
          include: ["test/harness/*.test.ts"],
          environment: "node",
          // Scratch vitest runs that start wrangler dev and Chromium, side by side.
          testTimeout: 240_000,
        },
      },
      {
        test: {
          name: "bench",
          include: ["test/bench/**/*.test.ts"],
          environment: "node",
          testTimeout: 300_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/web/**/*.test.ts"],
          environment: "node",
          // One Chromium at a time: these machines have two cores.
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
