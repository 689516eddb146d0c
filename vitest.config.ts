import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const wrangler = { configPath: "./wrangler.toml" };

/** Small limits, so pruning, capacity and retention can be tested with a handful of frames. */
export const TIGHT_LIMITS = {
  HISTORY_LIMIT: "20",
  ROOM_CAPACITY: "4",
  RATE_BURST: "1000",
  RATE_PER_SECOND: "1000",
  DEDUP_WINDOW: "10",
  RECONNECT_GRACE_MS: "300",
  JOIN_TIMEOUT_MS: "200",
  BATCH_SOCKETS: "3",
  EXPOSE_STATS: "1",
  ALLOWED_ORIGINS: "https://friend.example, https://other.example",
};

/** A crowd of four, so a room can become one and stop being one with a handful of sockets. */
export const CROWD_LIMITS = {
  CROWD_SIZE: "4",
  BATCH_SOCKETS: "1000",
  RECONNECT_GRACE_MS: "300",
  RATE_BURST: "1000",
  RATE_PER_SECOND: "1000",
};

export default defineConfig({
  test: {
    // The room logs a JSON line per connect and disconnect; show them only for failures.
    silent: "passed-only",
    projects: [
      {
        plugins: [cloudflareTest({ wrangler })],
        test: {
          name: "workerd",
          include: ["test/{protocol,worker,room}/**/*.test.ts"],
          exclude: ["test/room/tight/**", "test/room/crowd/**"],
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
        test: {
          name: "e2e",
          include: ["test/{e2e,client,cli}/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
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
