/**
 * The cost pass (untimed): SQLite rows read and written by Parley's room per
 * wake, join, chat message (under the retention cap and with pruning), duplicate
 * resend, reply, reaction, search and goodbye, turned into a projected cost at
 * Cloudflare's prices; and the same messages with search off (`SEARCH=off`),
 * so the full-text index's share of a message's cost is its own line.
 *
 * It runs Parley under the workerd runner with a small HISTORY_LIMIT so that
 * pruning starts after a few hundred events. Rows come from the room's
 * `/stats` endpoint; while the room has none, from the bench's stand-in
 * wrapper (bench/rows/entry.js), and the report says which.
 */
import { LoadRoom, PARLEY_FRAMING, round } from "./loadgen.ts";
import { waitQuiet } from "./proc.ts";
import { readRowStats, rowDelta, statementDelta, type RowDelta, type RowStats, type StatementRows } from "./rows.ts";
import { startTarget, targetOf, type RunningServer } from "./systems.ts";
import { freshRoom } from "./measure.ts";

/** Workers Paid prices used for projections; see docs/performance.md for the source and date. */
export const PRICES = {
  checked: "2026-11-21",
  source: "https://developers.cloudflare.com/durable-objects/platform/pricing/",
  /** USD per million Durable Object requests. */
  requestsPerMillion: 0.15,
  /** Incoming WebSocket messages bill as requests at 20:1. */
  websocketMessagesPerRequest: 20,
  /** USD per million GB-s of duration (128 MB = 0.125 GB while active). */
  durationPerMillionGbS: 12.5,
  /** USD per million SQLite rows read / written. */
  rowsReadPerMillion: 0.001,
  rowsWrittenPerMillion: 1.0,
} as const;

export interface RowsPer {
  rowsRead: number;
  rowsWritten: number;
  count: number;
}

export interface CostPassResult {
  /** "room" (the room's own /stats) or "bench-wrapper" (bench/rows/entry.js). */
  source: "room" | "bench-wrapper";
  historyLimit: number;
  wake?: RowStats;
  perJoin?: RowsPer;
  /** The first message with an id after a wake also loads the idempotency window (once per wake). */
  firstMessage?: RowsPer;
  perMessageUnderCap?: RowsPer;
  perMessagePruning?: RowsPer;
  perDuplicate?: RowsPer;
  /** A message answering another (`replyTo`): the quote costs no rows, only the message's own. */
  perReply?: RowsPer;
  /** A reaction put on a message: the message rewritten with its counts, and the `reactions` event. */
  perReaction?: RowsPer;
  /** A search of the room's messages (reads only). */
  perSearch?: RowsPer;
  /** A message under the cap in a room with `SEARCH=off`: what the full-text index adds is the difference. */
  perMessageSearchOff?: RowsPer;
  perLeave?: RowsPer;
  /** USD per million chat messages: requests (incoming messages at 20:1) + rows, under the cap and with pruning. */
  perMillionMessages?: { underCap: CostBreakdown; pruning: CostBreakdown };
  /** USD per million joins: the upgrade request + the join frame + rows. */
  perMillionJoins?: CostBreakdown;
  /** Where the rows go, per operation and statement (only with the bench's wrapper). */
  statements?: Record<string, StatementRows[]>;
  errors: number;
  lost: number;
  note?: string;
}

export interface CostBreakdown {
  requests: number;
  rowsWritten: number;
  rowsRead: number;
  total: number;
}

export function costPerMillion(rows: { rowsRead: number; rowsWritten: number }, requestsEach: number): CostBreakdown {
  const requests = requestsEach * PRICES.requestsPerMillion;
  const rowsWritten = rows.rowsWritten * PRICES.rowsWrittenPerMillion;
  const rowsRead = rows.rowsRead * PRICES.rowsReadPerMillion;
  const r = (v: number) => Math.round(v * 10000) / 10000;
  return { requests: r(requests), rowsWritten: r(rowsWritten), rowsRead: r(rowsRead), total: r(requests + rowsWritten + rowsRead) };
}

const per = (delta: RowDelta | undefined, count: number): RowsPer | undefined =>
  delta && count > 0 ? { rowsRead: round(delta.rowsRead / count, 3), rowsWritten: round(delta.rowsWritten / count, 3), count } : undefined;

export async function costPass(options: { quick: boolean; forceWrapper?: boolean; log: (line: string) => void }): Promise<CostPassResult> {
  const historyLimit = 200;
  // EXPOSE_STATS: the room's own row counters, GET /api/rooms/<room>/stats (docs/performance.md, "Storage rows").
  const vars = { HISTORY_LIMIT: String(historyLimit), EXPOSE_STATS: "1" };
  const target = targetOf("parley", "workerd");
  let source: CostPassResult["source"] = "room";
  let server: RunningServer = await startTarget(target, { vars });
  try {
    if (options.forceWrapper || !(await readRowStats(server.url, "bench-cost-probe"))) {
      options.log(
        options.forceWrapper
          ? "   counting rows with the bench's wrapper (bench/rows/entry.js), per statement"
          : "   the room has no /stats endpoint yet: counting rows with the bench's wrapper (bench/rows/entry.js)",
      );
      await server.stop();
      source = "bench-wrapper";
      server = await startTarget(target, { vars, entry: "bench/rows/entry.js" });
    }
    const room = freshRoom("cost", "rows");
    const quiet = () => waitQuiet(server.pid, { maxMs: 20_000 });
    // Frames sent raw are not awaited one by one: give them time to arrive, then wait for the room to be idle.
    const settle = async () => {
      await new Promise((r) => setTimeout(r, 500));
      await quiet();
    };
    const stats = () => readRowStats(server.url, room);
    const clients = options.quick ? 5 : 20;
    const underCap = options.quick ? 50 : 100; // clients + underCap events stay under HISTORY_LIMIT
    const pruning = options.quick ? 400 : 1000;
    const duplicates = 10;
    const limits = { idleMs: 10_000, maxMs: 60_000 };

    const wake = await stats(); // constructs the room: its constructor's rows
    const load = new LoadRoom(server.url, room, PARLEY_FRAMING);
    const connected = await load.connect(clients, { concurrency: 10, timeoutMs: limits.maxMs });
    await quiet();
    const afterJoins = await stats();
    const m0 = await load.messages({ senders: 1, perSender: 1, window: 1, ...limits });
    await quiet();
    const afterFirst = await stats();
    const m1 = await load.messages({ senders: 1, perSender: underCap, window: 1, ...limits });
    await quiet();
    const afterUnderCap = await stats();
    const m2 = await load.messages({ senders: 1, perSender: pruning, window: 1, ...limits });
    await quiet();
    const afterPruning = await stats();
    // Resend ids the sender already used (phase p3): the room answers from storage and stores nothing.
    for (let n = 0; n < duplicates; n++) load.sendRaw(0, `{"type":"message","text":"again","id":"p3-0-${pruning - 1 - n}"}`);
    await new Promise((r) => setTimeout(r, 500));
    await quiet();
    const afterDuplicates = await stats();
    // Replies, reactions and searches, each a batch of `features` on the newest messages.
    const newest = afterDuplicates?.lastSeq ?? 0;
    const features = newest > 20 ? 20 : 0;
    for (let n = 0; n < features; n++) load.sendRaw(0, JSON.stringify({ type: "message", text: `reply ${n}`, id: `reply-${n}`, replyTo: newest - n }));
    await settle();
    const afterReplies = await stats();
    for (let n = 0; n < features; n++) load.sendRaw(1 % clients, JSON.stringify({ type: "react", seq: newest - n, emoji: "👍", on: true }));
    await settle();
    const afterReactions = await stats();
    for (let n = 0; n < features; n++) load.sendRaw(0, JSON.stringify({ type: "search", q: n % 2 === 0 ? "reply" : "bench" }));
    await settle();
    const afterSearches = await stats();
    await load.close();
    await quiet();
    const afterLeaves = await stats();
    const perMessageSearchOff = await searchOffMessages({ vars, entry: source === "bench-wrapper" ? "bench/rows/entry.js" : undefined, count: underCap });

    const firstMessage = per(rowDelta(afterJoins, afterFirst), m0.sent);
    const perMessageUnderCap = per(rowDelta(afterFirst, afterUnderCap), m1.sent);
    const perMessagePruning = per(rowDelta(afterUnderCap, afterPruning), m2.sent);
    const perJoin = per(rowDelta(wake, afterJoins), connected.welcomed);
    const result: CostPassResult = {
      source,
      historyLimit,
      ...(wake ? { wake } : {}),
      ...(perJoin ? { perJoin } : {}),
      ...(firstMessage ? { firstMessage } : {}),
      ...(perMessageUnderCap ? { perMessageUnderCap } : {}),
      ...(perMessagePruning ? { perMessagePruning } : {}),
      ...(() => {
        const d = per(rowDelta(afterPruning, afterDuplicates), duplicates);
        return d ? { perDuplicate: d } : {};
      })(),
      ...(() => {
        const replies = per(rowDelta(afterDuplicates, afterReplies), features);
        const reactions = per(rowDelta(afterReplies, afterReactions), features);
        const searches = per(rowDelta(afterReactions, afterSearches), features);
        return { ...(replies ? { perReply: replies } : {}), ...(reactions ? { perReaction: reactions } : {}), ...(searches ? { perSearch: searches } : {}) };
      })(),
      ...(perMessageSearchOff ? { perMessageSearchOff } : {}),
      ...(() => {
        const d = per(rowDelta(afterSearches, afterLeaves), connected.welcomed);
        return d ? { perLeave: d } : {};
      })(),
      errors: load.counters.errors,
      lost: m0.lost + m1.lost + m2.lost,
    };
    const incomingShare = 1 / PRICES.websocketMessagesPerRequest;
    if (perMessageUnderCap && perMessagePruning) {
      result.perMillionMessages = {
        underCap: costPerMillion(perMessageUnderCap, incomingShare),
        pruning: costPerMillion(perMessagePruning, incomingShare),
      };
    }
    if (perJoin) result.perMillionJoins = costPerMillion(perJoin, 1 + incomingShare);
    const statements: Record<string, StatementRows[]> = {};
    const breakdown: [string, StatementRows[] | undefined][] = [
      ["new room", statementDelta(undefined, wake, 1)],
      ["join", statementDelta(wake, afterJoins, connected.welcomed)],
      ["first message after wake", statementDelta(afterJoins, afterFirst, m0.sent)],
      ["message, under the cap", statementDelta(afterFirst, afterUnderCap, m1.sent)],
      ["message, with pruning", statementDelta(afterUnderCap, afterPruning, m2.sent)],
      ["duplicate resend", statementDelta(afterPruning, afterDuplicates, duplicates)],
      ["reply", statementDelta(afterDuplicates, afterReplies, features)],
      ["reaction", statementDelta(afterReplies, afterReactions, features)],
      ["search", statementDelta(afterReactions, afterSearches, features)],
      ["goodbye (left)", statementDelta(afterSearches, afterLeaves, connected.welcomed)],
    ];
    for (const [op, rows] of breakdown) if (rows) statements[op] = rows;
    if (Object.keys(statements).length > 0) result.statements = statements;
    if (!wake) result.note = "no row counters were readable";
    return result;
  } finally {
    await server.stop();
  }
}

/**
 * Rows per message under the cap in a room with full-text search off: the
 * same messages as "message, under the cap", on a server of its own.
 */
async function searchOffMessages(options: { vars: Record<string, string>; entry: string | undefined; count: number }): Promise<RowsPer | undefined> {
  const server = await startTarget(targetOf("parley", "workerd"), {
    vars: { ...options.vars, SEARCH: "off" },
    ...(options.entry === undefined ? {} : { entry: options.entry }),
  });
  try {
    const room = freshRoom("cost", "search-off");
    const limits = { idleMs: 10_000, maxMs: 60_000 };
    const load = new LoadRoom(server.url, room, PARLEY_FRAMING);
    await load.connect(2, { concurrency: 2, timeoutMs: limits.maxMs });
    await load.messages({ senders: 1, perSender: 1, window: 1, ...limits });
    await waitQuiet(server.pid, { maxMs: 20_000 });
    const before = await readRowStats(server.url, room);
    const sent = await load.messages({ senders: 1, perSender: options.count, window: 1, ...limits });
    await waitQuiet(server.pid, { maxMs: 20_000 });
    const after = await readRowStats(server.url, room);
    await load.close();
    return per(rowDelta(before, after), sent.sent);
  } finally {
    await server.stop();
  }
}
