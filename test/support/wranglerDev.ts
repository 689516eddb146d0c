/**
 * Starts a real `wrangler dev` on 127.0.0.1 for end-to-end tests and the
 * benchmark, in its own process group so that stopping it stops workerd too.
 * Every server started here is also killed when the test process exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

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
}

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const running = new Set<ChildProcess>();

process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

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
  for (const [key, value] of Object.entries(options.vars ?? {})) args.push("--var", `${key}:${value}`);
  args.push(...(options.args ?? []));

  // process.execPath is the Node that runs the tests (Node 24 from node_modules under npm).
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    },
  });
  running.add(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  // "close" comes after the last of its output, which says why it exited.
  const closed = new Promise<void>((done) => child.once("close", () => done()));
  child.once("exit", () => running.delete(child));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
      throw exitedEarly("wrangler dev", output);
    }
    if (Date.now() > deadline) {
      killGroup(child, "SIGKILL");
      throw new Error(`wrangler dev did not become ready:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const stopWith = async (signal: NodeJS.Signals, keepState: boolean) => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, signal);
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      // workerd runs in the group too; make sure none of it lingers.
      killGroup(child, "SIGKILL");
    }
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

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A server exited at start because its port was taken (see startOnFreePort). */
export class PortTakenError extends Error {}

/** The error for a server that exited before it was ready; wrangler and workerd both say "Address already in use" when the port was taken. */
export function exitedEarly(what: string, output: string): Error {
  const message = `${what} exited early:\n${output}`;
  return /Address already in use/.test(output) ? new PortTakenError(message) : new Error(message);
}

const PORT_ATTEMPTS = 3;

/**
 * Starts a server on a port from freePort, which is free when asked, not
 * when the server binds it: a parallel test file or process can take it in
 * between. `start` rejects with PortTakenError then, and a fresh port is
 * tried, at most PORT_ATTEMPTS times in all.
 */
export async function startOnFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}
