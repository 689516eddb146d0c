/**
 * Guarantee: survives restarts. `wrangler dev --persist-to` is killed with
 * SIGKILL in the middle of traffic and started again on the same port and
 * state: every message acknowledged before the kill is in history, the
 * clients resume by themselves, and every message written (also while the
 * server was down) is stored exactly once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { uniqueRoom } from "../support/node.ts";
import { messageIds, queuedId, recordingClient, seqProblems, storedHistory } from "../../harness/transcripts.ts";
import { waitFor } from "../../harness/waitFor.ts";
import { freePort } from "../../harness/ports.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";

const persistDir = mkdtempSync(join(tmpdir(), "parley-restart-"));
let server: DevServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(persistDir, { recursive: true, force: true });
});

it("keeps every acknowledged message across a SIGKILL, and the clients resume", async () => {
  const port = await freePort();
  const vars = { RATE_BURST: 1000, RATE_PER_SECOND: 1000 };
  server = await startWranglerDev({ port, persistDir, vars });
  const room = uniqueRoom("restart");
  const clients = [0, 1, 2].map((i) => recordingClient(server!.url, room, `user${i}`));
  for (const c of clients) c.client.connect();
  await waitFor(() => clients.every((c) => c.client.state === "live"), 10_000, "clients live");

  // Two senders write steadily; the server dies mid-stream.
  const written: string[] = [];
  let writing = true;
  const writers = clients.slice(0, 2).map(async (c, w) => {
    for (let i = 0; writing; i++) {
      written.push(queuedId(c.client.send(`writer ${w} #${i}`)));
      await new Promise((r) => setTimeout(r, 15));
    }
  });
  // Mid-stream: once the room has acknowledged a few (however long that takes on a busy machine).
  const heard = () => clients.flatMap((c) => messageIds(c.events));
  await waitFor(() => heard().length > 10, 30_000, "the first acknowledgements");
  const acknowledged = heard();
  await server.kill();
  await waitFor(() => clients.every((c) => c.client.state === "reconnecting"), 10_000, "clients noticing the crash");
  // Messages written while the server is down wait in outboxes.
  const writtenAtCrash = written.length;
  await waitFor(() => written.length >= writtenAtCrash + 4, 10_000, "messages written while the server is down");
  server = await startWranglerDev({ port, persistDir, vars });
  await new Promise((r) => setTimeout(r, 300));
  writing = false;
  await Promise.all(writers);

  await waitFor(() => clients.slice(0, 2).every((c) => c.client.outbox.length === 0), 30_000, "outboxes drained");
  const history = await storedHistory(server.url, room);
  const stored = messageIds(history);
  expect(acknowledged.length).toBeGreaterThan(10);
  for (const id of acknowledged) expect(stored).toContain(id);
  expect(stored.filter((id) => written.includes(id)).sort()).toEqual([...written].sort());
  expect(new Set(stored).size).toBe(stored.length);
  // They came back as the same members: the crash left no joined/left noise.
  expect(history.filter((e) => e.type === "joined").map((e) => e.seq)).toEqual([1, 2, 3]);
  expect(history.filter((e) => e.type === "left")).toEqual([]);

  // Every client resumed: same transcript as the history, no gap, nothing twice.
  const last = history.at(-1)!.seq;
  await waitFor(() => clients.every((c) => (c.client.lastSeq ?? 0) >= last), 30_000, "clients caught up");
  for (const c of clients) {
    const mine = c.events.filter((e) => e.seq <= last);
    expect(seqProblems(mine)).toEqual([]);
    expect(JSON.stringify(mine)).toBe(JSON.stringify(history.filter((e) => e.seq >= mine[0]!.seq)));
  }
  for (const c of clients) c.client.close();
}, 90_000);
