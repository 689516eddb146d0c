/**
 * `npm run bench:churn`: the churn guarantee at a larger size than `npm test`
 * runs it. Clients in one room, some sending with client ids, while their
 * connections are reset at random (no close frame) through a TCP proxy; they
 * reconnect, resume with `since` and resend what was not acknowledged. It
 * prints the report and exits non-zero if anything was lost, repeated or out
 * of order.
 *
 *   npm run bench:churn                                  # 50 clients, 10 × 1000 messages
 *   npm run bench:churn -- --clients 100 --senders 20 --messages 2000 --kill-every 50
 */
import { parseArgs } from "node:util";
import { runChurn } from "../harness/churn.ts";
import { startWranglerDev } from "../harness/wranglerDev.ts";
import { PARLEY_BENCH_VARS } from "./lib/systems.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "50" },
    senders: { type: "string", default: "10" },
    messages: { type: "string", default: "1000" },
    "kill-every": { type: "string", default: "100" },
  },
});
const count = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`);
  return n;
};
const options = {
  clients: count("clients"),
  senders: count("senders"),
  messagesPerSender: count("messages"),
  killEveryMs: count("kill-every"),
};

// The rate limits (per socket and per address) are raised (this measures delivery under churn, not pacing),
// and so is retention: at this size a client reset again and again in the
// middle of its replay can fall more than the default 10 000 events behind,
// and the room then rightly answers `truncated`. That is the retention
// guarantee, tested on its own; here every event must stay replayable.
const server = await startWranglerDev({
  vars: { ...PARLEY_BENCH_VARS, HISTORY_LIMIT: 1_000_000 },
});
try {
  console.log(`churn: ${options.clients} clients, ${options.senders} senders × ${options.messagesPerSender} messages, 1-3 connections reset every ${options.killEveryMs} ms (wrangler dev, rate limit raised)`);
  const report = await runChurn({ serverUrl: server.url, room: `churn-${Date.now()}`, ...options, timeoutMs: 600_000 });
  console.log(JSON.stringify(report, null, 2));
  const ok = report.missing === 0 && report.duplicates === 0 && report.gaps.length === 0 && report.divergent === 0;
  console.log(ok ? "OK: every client holds the stored history, nothing lost or repeated" : "FAILED");
  process.exitCode = ok ? 0 : 1;
} finally {
  await server.stop();
}
