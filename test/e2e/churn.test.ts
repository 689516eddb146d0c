/**
 * Guarantee: nothing lost, nothing repeated. 20 clients, 5 of them sending
 * 300 messages each, while connections are reset at random (no close frame)
 * and clients reconnect with `since`, resending what was not acknowledged.
 * The rate limit is raised here: this test is about delivery, not pacing.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { runChurn } from "../../harness/churn.ts";
import { uniqueRoom } from "../support/node.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";

let server: DevServer;
beforeAll(async () => {
  server = await startWranglerDev({ vars: { RATE_BURST: 1000, RATE_PER_SECOND: 1000, FLOOD_STRIKES: 1000 } });
});
afterAll(async () => {
  await server?.stop();
});

it("gives every client the same gap-free, duplicate-free transcript, equal to the stored history", async () => {
  const report = await runChurn({
    serverUrl: server.url,
    room: uniqueRoom("churn"),
    clients: 20,
    senders: 5,
    messagesPerSender: 300,
    killEveryMs: 150,
    // Generous: on a loaded machine a reconnecting client may take a while to catch
    // up; the failure message names every client still behind and where it is.
    timeoutMs: 90_000,
  });
  console.log("churn", JSON.stringify(report));
  expect(report.kills).toBeGreaterThan(10);
  expect(report.reconnects).toBeGreaterThan(10);
  expect(report.sent).toBe(1500);
  expect(report.missing).toBe(0);
  expect(report.duplicates).toBe(0);
  expect(report.stored).toBe(1500);
  expect(report.gaps).toEqual([]);
  expect(report.divergent).toBe(0);
}, 200_000);
