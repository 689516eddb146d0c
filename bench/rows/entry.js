/**
 * Stand-in row counters for the benchmark's cost pass, used only while the
 * room does not expose its own (`GET /api/rooms/<room>/stats` with
 * BENCH_STATS=1, see docs/performance.md). Never deployed, never timed.
 *
 * It is Parley's Worker unchanged, except that the room class is a subclass
 * whose `ctx.storage.sql.exec` is wrapped: every cursor it returns is kept
 * until the next `exec` (or a stats read), then its `rowsRead`/`rowsWritten`
 * are added up, in total and per statement text (so the report can say which
 * statement costs what). The room consumes every cursor synchronously, so the
 * totals are exact. The Worker answers `/api/rooms/<room>/stats` for public rooms.
 *
 * Plain JavaScript on purpose: tsconfig.node.json typechecks bench/ with Node
 * types only, and this file imports the Worker (Workers types). esbuild
 * bundles it for the bench's workerd runner.
 */
import worker, { Room as ParleyRoom } from "../../src/worker/index.ts";

class RowCounter {
  rowsRead = 0;
  rowsWritten = 0;
  /** Per statement text: calls and rows, to show where the rows go. */
  statements = new Map();
  /** @type {[string, { rowsRead: number, rowsWritten: number }][]} */
  pending = [];

  fold() {
    for (const [query, cursor] of this.pending) {
      this.rowsRead += cursor.rowsRead;
      this.rowsWritten += cursor.rowsWritten;
      let entry = this.statements.get(query);
      if (!entry) this.statements.set(query, (entry = { sql: query, calls: 0, rowsRead: 0, rowsWritten: 0 }));
      entry.calls += 1;
      entry.rowsRead += cursor.rowsRead;
      entry.rowsWritten += cursor.rowsWritten;
    }
    this.pending = [];
  }
}

const statementText = (query) => String(query).replace(/\s+/g, " ").trim().slice(0, 120);

/**
 * Counts the rows of every statement this object's SqlStorage runs. The
 * runtime refuses a proxied `ctx`, so the exec method is patched on the
 * object's own SqlStorage instance (shadowing the prototype's) before the
 * room's constructor reads `ctx.storage.sql`.
 */
function instrument(ctx, counter) {
  const sql = ctx.storage.sql;
  const exec = sql.exec;
  Object.defineProperty(sql, "exec", {
    configurable: true,
    value: (...args) => {
      counter.fold();
      const cursor = exec.apply(sql, args);
      counter.pending.push([statementText(args[0]), cursor]);
      return cursor;
    },
  });
  if (ctx.storage.sql.exec === exec) throw new Error("bench/rows: could not instrument ctx.storage.sql");
}

export class Room extends ParleyRoom {
  #counter;

  constructor(ctx, env) {
    const counter = new RowCounter();
    instrument(ctx, counter);
    super(ctx, env);
    this.#counter = counter;
  }

  benchStats() {
    this.#counter.fold();
    const c = this.#counter;
    return { rowsRead: c.rowsRead, rowsWritten: c.rowsWritten, statements: [...c.statements.values()] };
  }
}

const STATS = /^\/api\/rooms\/([a-z0-9_-]{1,64})\/stats$/;

export default {
  async fetch(request, env, ctx) {
    const match = STATS.exec(new URL(request.url).pathname);
    if (match && request.method === "GET") {
      const stub = env.ROOMS.get(env.ROOMS.idFromName(match[1]));
      return Response.json(await stub.benchStats());
    }
    return worker.fetch(request, env, ctx);
  },
};
