import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Member } from "../../src/protocol/frames.ts";
import { EventLog } from "../../src/room/eventLog.ts";
import { matchExpression, queryWords, SearchIndex, snippetAround } from "../../src/room/search.ts";
import { PlainSql } from "../../src/room/sql.ts";
import { uniqueRoom } from "../workerd/socket.ts";

const alice: Member = { id: "a1", name: "alice" };

/** A fresh room object's storage, with an event log and a search index over it. */
async function withIndex<T>(run: (parts: { log: EventLog; index: SearchIndex; say: (text: string) => number; sql: PlainSql }) => T): Promise<T> {
  const stub = env.ROOMS.get(env.ROOMS.idFromName(uniqueRoom()));
  return runInDurableObject(stub, (_room, state) => {
    const sql = new PlainSql(state.storage.sql);
    const log = new EventLog(sql, 1000);
    const index = new SearchIndex(sql, log);
    const say = (text: string) => {
      const { seq } = log.append((seq, ts) => ({ type: "message", seq, ts, from: alice, text }));
      index.add(seq, text);
      return seq;
    };
    return run({ log, index, say, sql });
  });
}

const seqsOf = (found: { results: { seq: number }[] }) => found.results.map((r) => r.seq);

describe("the search index", () => {
  it("finds messages by every word, newest first, case and accents folded, the last word as a prefix", async () => {
    await withIndex(({ log, index, say }) => {
      const a = say("The Café opens at noon");
      say("nothing to see");
      const c = say("cafe reactions are great");
      expect(seqsOf(index.search("cafe", 1e9, 20, log))).toEqual([c, a]);
      expect(seqsOf(index.search("CAFÉ opens", 1e9, 20, log))).toEqual([a]);
      expect(seqsOf(index.search("reac", 1e9, 20, log))).toEqual([c]);
      expect(index.search("cafe", 1e9, 20, log).results[0]).toMatchObject({ from: alice, snippet: "cafe reactions are great" });
    });
  });

  it("pages with before and limit, saying whether more are older", async () => {
    await withIndex(({ log, index, say }) => {
      const seqs = Array.from({ length: 5 }, (_, i) => say(`word ${i}`));
      const first = index.search("word", 1e9, 2, log);
      expect(seqsOf(first)).toEqual([seqs[4], seqs[3]]);
      expect(first.hasMore).toBe(true);
      const last = index.search("word", seqs[1]! + 1, 2, log);
      expect(seqsOf(last)).toEqual([seqs[1], seqs[0]]);
      expect(last.hasMore).toBe(false);
    });
  });

  it("treats FTS5 query syntax as plain text: no error, no injection", async () => {
    await withIndex(({ log, index, say }) => {
      const hit = say('say "NEAR(a b)" OR text:x -y * ^z');
      say("unrelated");
      for (const q of ['"', '""', "*", "NEAR(", "NEAR(a b)", "-", "- y", "text:x", "text : x", "a OR b", "OR", "AND", "NOT", "^z", "(", ")", "{text}: x", "'; DROP TABLE events; --"]) {
        const found = index.search(q, 1e9, 20, log);
        // Either nothing, or only the message that holds those words as text.
        expect(seqsOf(found).every((s) => s === hit), q).toBe(true);
      }
      expect(seqsOf(index.search("near OR", 1e9, 20, log))).toEqual([hit]);
      expect(seqsOf(index.search("text:x", 1e9, 20, log))).toEqual([hit]);
    });
  });

  it("forgets edited-away words and deleted messages, and pruned ones", async () => {
    await withIndex(({ log, index, say }) => {
      const a = say("secret plans");
      const b = say("more plans");
      index.replace(a, "public plans");
      expect(seqsOf(index.search("secret", 1e9, 20, log))).toEqual([]);
      expect(seqsOf(index.search("public", 1e9, 20, log))).toEqual([a]);
      index.remove(b);
      expect(seqsOf(index.search("plans", 1e9, 20, log))).toEqual([a]);
      index.pruneBefore(a + 1);
      expect(seqsOf(index.search("plans", 1e9, 20, log))).toEqual([]);
    });
  });

  it("indexes the history a room already had when the index is first made", async () => {
    const stub = env.ROOMS.get(env.ROOMS.idFromName(uniqueRoom()));
    await runInDurableObject(stub, (_room, state) => {
      const sql = new PlainSql(state.storage.sql);
      const log = new EventLog(sql, 1000);
      sql.run("DROP TABLE IF EXISTS search");
      const seq = log.append((seq, ts) => ({ type: "message", seq, ts, from: alice, text: "older words" })).seq;
      log.append((seq, ts) => ({ type: "message", seq, ts, from: alice, deleted: true }));
      const index = new SearchIndex(sql, log);
      expect(seqsOf(index.search("older", 1e9, 20, log))).toEqual([seq]);
    });
  });
});

describe("query words and snippets", () => {
  it("cuts a query into quoted words, at most 8", () => {
    expect(queryWords('  hello,  "world"* NEAR(x) ')).toEqual(["hello", "world", "NEAR", "x"]);
    expect(queryWords("a b c d e f g h i j")).toHaveLength(8);
    expect(queryWords('"*-:()')).toEqual([]);
    expect(matchExpression(["hello", "wor"])).toBe('"hello" "wor" *');
  });

  it("shows the text around the first match, cut with ellipses", () => {
    const text = `${"lorem ".repeat(40)}needle ${"ipsum ".repeat(40)}`;
    const snippet = snippetAround(text, ["needle"]);
    expect(snippet).toContain("needle");
    expect(snippet.startsWith("…")).toBe(true);
    expect(snippet.endsWith("…")).toBe(true);
    expect(Array.from(snippet).length).toBeLessThanOrEqual(102);
    expect(snippetAround("short\n\ntext", ["x"])).toBe("short text");
  });
});
