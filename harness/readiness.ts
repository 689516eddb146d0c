/** Waiting for a server process to answer, for as long as it lives and a deadline allows. */
import type { ChildProcess } from "node:child_process";
import { exitedEarly } from "./ports.ts";
import { groupListensOn } from "./procfs.ts";
import { stopGroup } from "./processGroups.ts";

export interface Starting {
  /** "wrangler dev", "workerd": for error messages. */
  what: string;
  /** The group leader, started with spawnGroup. */
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves once its output is complete (after its exit), to say why it exited. */
  outputDone?: Promise<void>;
  timeoutMs: number;
}

/**
 * Polls `GET <url>/api/health` until this server answers 200. Rejects (with
 * PortTakenError when the port was taken) if the process exits first, and
 * kills its group if it is not ready in time.
 */
export async function waitHealthy(url: string, server: Starting): Promise<void> {
  const deadline = Date.now() + server.timeoutMs;
  const { port } = new URL(url);
  const pgid = server.child.pid ?? -1;
  // A request in flight must not keep the loop from seeing the server exit.
  const exit = new AbortController();
  server.child.once("exit", () => exit.abort());
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      if (server.outputDone) await Promise.race([server.outputDone, new Promise((r) => setTimeout(r, 1000))]);
      throw exitedEarly(server.what, server.output());
    }
    if (Date.now() > deadline) {
      await stopGroup(server.child, { signal: "SIGKILL" });
      throw new Error(`${server.what} was not ready after ${server.timeoutMs} ms:\n${server.output()}`);
    }
    try {
      // The first request builds the Worker: seconds on a busy machine (a slower one is asked again).
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.any([AbortSignal.timeout(5000), exit.signal]) });
      await response.body?.cancel();
      // Another test's server that took the port first would answer too.
      if (response.ok && groupListensOn(pgid, Number(port))) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
