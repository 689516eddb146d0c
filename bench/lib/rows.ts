/**
 * The room's SQLite row counters, through the bench-only endpoint the Worker
 * answers when `EXPOSE_STATS=1`:
 *
 *   GET /api/rooms/<room>/stats  →  200 {"rowsRead":n,"rowsWritten":n,"messages":n,"joins":n,…}
 *
 * cumulative since the room object was constructed (`messages` and `joins`
 * are optional cross-checks). Where a build has no such endpoint (404), every
 * read answers undefined and the report prints "n/a".
 */

export interface RowStats {
  rowsRead: number;
  rowsWritten: number;
  messages?: number;
  joins?: number;
  /** The room's newest seq. */
  lastSeq?: number;
  /** Per statement (only the bench's stand-in wrapper, bench/rows/entry.js, gives these). */
  statements?: StatementRows[];
}

export interface StatementRows {
  sql: string;
  calls: number;
  rowsRead: number;
  rowsWritten: number;
}

export interface RowDelta {
  rowsRead: number;
  rowsWritten: number;
}

export async function readRowStats(baseUrl: string, room: string): Promise<RowStats | undefined> {
  try {
    const response = await fetch(`${baseUrl}/api/rooms/${room}/stats`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const body = (await response.json()) as Partial<Record<keyof RowStats, unknown>>;
    if (typeof body.rowsRead !== "number" || typeof body.rowsWritten !== "number") return undefined;
    return {
      rowsRead: body.rowsRead,
      rowsWritten: body.rowsWritten,
      ...(typeof body.messages === "number" ? { messages: body.messages } : {}),
      ...(typeof body.joins === "number" ? { joins: body.joins } : {}),
      ...(typeof body.lastSeq === "number" ? { lastSeq: body.lastSeq } : {}),
      ...(Array.isArray(body.statements) ? { statements: body.statements as StatementRows[] } : {}),
    };
  } catch {
    return undefined;
  }
}

/** after − before; undefined if either is missing or the counters went back (the object was rebuilt). */
export function rowDelta(before: RowStats | undefined, after: RowStats | undefined): RowDelta | undefined {
  if (!before || !after) return undefined;
  const rowsRead = after.rowsRead - before.rowsRead;
  const rowsWritten = after.rowsWritten - before.rowsWritten;
  if (rowsRead < 0 || rowsWritten < 0) return undefined;
  return { rowsRead, rowsWritten };
}

/** Per-statement calls and rows between two reads, divided by `count` operations; busiest first. */
export function statementDelta(before: RowStats | undefined, after: RowStats | undefined, count: number): StatementRows[] | undefined {
  if (!after?.statements || count <= 0) return undefined;
  const start = new Map((before?.statements ?? []).map((s) => [s.sql, s]));
  const out: StatementRows[] = [];
  for (const s of after.statements) {
    const b = start.get(s.sql);
    const calls = s.calls - (b?.calls ?? 0);
    if (calls <= 0) continue;
    const per = (v: number) => Math.round((v / count) * 1000) / 1000;
    out.push({ sql: s.sql, calls: per(calls), rowsRead: per(s.rowsRead - (b?.rowsRead ?? 0)), rowsWritten: per(s.rowsWritten - (b?.rowsWritten ?? 0)) });
  }
  return out.sort((a, b) => b.rowsWritten + b.rowsRead - (a.rowsWritten + a.rowsRead));
}
