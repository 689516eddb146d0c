/**
 * Starts a real `wrangler dev` on 127.0.0.1 for end-to-end tests and the
 * benchmark, in its own process group (processGroups.ts) so that stopping it
 * stops workerd and esbuild too, and so that it is killed even when the code
 * that started it never gets to stop it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, startOnFreePort } from "./ports.ts";
import { spawnGroup, stopGroup } from "./processGroups.ts";
import { waitHealthy } from "./readiness.ts";

export interface DevServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly persistDir: string;
  readonly pid: number;
  /** Everything wrangler printed so far. */
  output(): string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its state unless kept. */
  stop(options?: { keepState?: boolean }): Promise<void>;
  /** Kills it at once, as a crash would (for restart tests). */
  kill(): Promise<void>;
}

export interface DevOptions {
  /** `--var` overrides, e.g. { RATE_BURST: "1000" }. */
  vars?: Record<string, string | number>;
  /** Reuse a state directory (restart tests). */
  persistDir?: string;
  port?: number;
  startTimeoutMs?: number;
  /** Another wrangler config file (`-c`), relative to the repository root; default wrangler.toml. */
  config?: string;
  /** Extra `wrangler dev` arguments, appended last. */
  args?: string[];
  /** Extra environment for wrangler (e.g. X_LOCAL_OBSERVABILITY). */
  env?: Record<string, string>;
  /**
   * Keep the per-address limits of wrangler.toml. By default they are raised
   * (see SHARED_ADDRESS_LIMITS), because every test client connects from
   * 127.0.0.1 and would otherwise share one address's allowance.
   */
  realAddressLimits?: boolean;
}

/** Generous per-address limits for servers whose many test clients all come from one address. */
export const SHARED_ADDRESS_LIMITS = {
  ADDRESS_MAX_SOCKETS: 10_000,
  ADDRESS_MESSAGE_BURST: 100_000,
  ADDRESS_MESSAGES_PER_SECOND: 100_000,
  ADDRESS_JOIN_BURST: 100_000,
  ADDRESS_JOINS_PER_SECOND: 100_000,
  ADDRESS_REPLAY_BURST_BYTES: 1_000_000_000,
  ADDRESS_REPLAY_BYTES_PER_SECOND: 1_000_000_000,
  ROOM_CREATE_BURST: 100_000,
  ROOM_CREATES_PER_MINUTE: 100_000,
  FLOOD_COOLDOWN_MS: 0,
} as const;

const ROOT = resolve(import.meta.dirname, "..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

export async function startWranglerDev(options: DevOptions = {}): Promise<DevServer> {
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "parley-dev-"));
  try {
    // A port the caller chose is not retried: another one would not do.
    return options.port !== undefined
      ? await startOnce(options, persistDir, options.port)
      : await startOnFreePort((port) => startOnce(options, persistDir, port));
  } catch (error) {
    if (!options.persistDir) rmSync(persistDir, { recursive: true, force: true });
    throw error;
  }
}

async function startOnce(options: DevOptions, persistDir: string, port: number): Promise<DevServer> {
  const args = [
    WRANGLER,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(await freePort()),
    "--persist-to",
    persistDir,
    "--show-interactive-dev-session=false",
  ];
  if (options.config !== undefined) args.push("--config", options.config);
  const vars = { ...(options.realAddressLimits ? {} : SHARED_ADDRESS_LIMITS), ...options.vars };
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  args.push(...(options.args ?? []));

  // process.execPath is the Node that runs the tests (Node 24 from node_modules under npm).
  const child = spawnGroup("wrangler dev", process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    // A directory the caller gave is the caller's to remove.
    stateDirs: options.persistDir === undefined ? [persistDir] : [],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
      ...options.env,
    },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // "close" comes after the last of its output, which says why it exited.
  const closed = new Promise<void>((done) => child.once("close", () => done()));

  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, {
    what: "wrangler dev",
    child,
    output: () => output,
    outputDone: closed,
    timeoutMs: options.startTimeoutMs ?? 60_000,
  });

  const stopWith = async (signal: NodeJS.Signals, keepState: boolean) => {
    await stopGroup(child, { signal });
    if (!keepState && !options.persistDir) rmSync(persistDir, { recursive: true, force: true });
  };

  return {
    url,
    port,
    persistDir,
    pid: child.pid ?? -1,
    output: () => output,
    stop: (opts) => stopWith("SIGTERM", opts?.keepState ?? false),
    kill: () => stopWith("SIGKILL", true),
  };
}
