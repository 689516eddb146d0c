/**
 * Search, mentions and a long input line at a terminal, end to end: a person
 * at a pseudo-terminal and a protocol-level WebSocket client in one room of a
 * real `wrangler dev`. What the terminal shows for /search (a header that
 * counts, one row per match with its words highlighted, newest first, cut to
 * the width) and /more (the older page); that a live mention of the person
 * is highlighted and rings the bell once, while one in the history at join
 * does not ring; and that Ctrl-U on an input longer than a row clears it all.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SpokenMessage } from "../../src/protocol/frames.ts";
import { join, uniqueRoom, type TestSocket } from "../support/node.ts";
import { displayWidth } from "../../src/cli/terminalText.ts";
import { liveRoomSuite } from "./liveRoom.ts";

const suite = liveRoomSuite({ RATE_BURST: 1000, RATE_PER_SECOND: 1000 });
const { pty, say } = suite;
const socketClient = (room: string, name: string) => suite.socketClient(room, name);
const COLS = 80;
/** Search rows on the screen: `#42 13:05 bob: …`. */
const resultRows = (screen: string[]) => screen.filter((line) => /^#\d+ \d\d:\d\d \S+: /.test(line));
const countBells = (raw: string) => raw.split("\x07").length - 1;

describe("search, mentions and long input at a terminal", () => {
  it("/search shows a header and the matches newest first, highlighted; /more the older ones", async () => {
    const room = uniqueRoom("search");
    const bob = await socketClient(room, "bob");
    const said: SpokenMessage[] = [];
    // 23 matches (the room answers 20 at a time) and some that do not match.
    for (let i = 1; i <= 23; i++) {
      said.push(await say(bob, `launch plan ${i}: ${i === 23 ? "we go at noon and the launch party follows right after, with cake and speeches for everyone" : "checklist"}`));
      if (i % 5 === 0) await say(bob, `coffee break ${i}`);
    }
    const alice = pty([room, "--url", suite.url, "--name", "alice"], { color: true });
    await alice.waitLine("you are in");

    alice.type("/search launch\r");
    await alice.waitLine('--- 20 messages match "launch"');
    await alice.waitLine("--- older matches: /more");
    const rows = resultRows(alice.screen);
    expect(rows).toHaveLength(20);
    // Newest first, from #seq; each row cut to the terminal's width.
    expect(rows.map((row) => Number(/^#(\d+)/.exec(row)![1]))).toEqual(said.slice(3).reverse().map((m) => m.seq));
    expect(rows[0]).toMatch(new RegExp(`^#${said[22]!.seq} \\d\\d:\\d\\d bob: .*launch.*…$`));
    for (const row of rows) expect(displayWidth(row)).toBeLessThan(COLS);
    // The word is highlighted (bold reverse video) in what was written.
    expect(alice.raw).toContain("\x1b[1;7mlaunch\x1b[0m");

    alice.type("/more\r");
    await alice.waitLine('--- 3 older messages match "launch"');
    const all = resultRows(alice.screen);
    expect(all.slice(20).map((row) => Number(/^#(\d+)/.exec(row)![1]))).toEqual(said.slice(0, 3).reverse().map((m) => m.seq));
    alice.type("/more\r");
    await alice.waitLine('!!! No older messages match "launch".');

    alice.type("/search zebra\r");
    await alice.waitLine('--- no message matches "zebra"');
    alice.type("/search\r");
    await alice.waitLine("!!! Usage: /search WORDS");
    alice.type("/help\r");
    await alice.waitLine(/^ {4}\/search WORDS +find messages with every word, newest first$/);
    await alice.waitLine(/^ {4}\/more +show older matches of the last \/search$/);
    expect(alice.screen.every((line) => displayWidth(line) <= COLS)).toBe(true);

    alice.type("/quit\r");
    expect(await alice.waitExit(), alice.describe()).toBe(0);
    if (process.env.PARLEY_TRANSCRIPT) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(process.env.PARLEY_TRANSCRIPT, `${alice.screen.join("\n")}\n`);
    }
  });

  it("highlights a live mention of me and rings the bell once; not for one in the history at join", async () => {
    const room = uniqueRoom("mention");
    const bob = await socketClient(room, "bob");
    const carol = await socketClient(room, "carol");
    // Carol is online: this one mentions her, and alice will read it in the history.
    await say(bob, "@carol are you there?");
    const alice = pty([room, "--url", suite.url, "--name", "Alice"], { color: true });
    await alice.waitLine("you are in");
    expect(countBells(alice.raw)).toBe(0);

    const mention = await say(bob, "@alice can you review the launch notes?");
    expect(mention.mentions).toHaveLength(1);
    await alice.waitLine(`#${mention.seq} <bob> @alice can you review the launch notes?`);
    await alice.waitScreen(() => countBells(alice.raw) === 1, "one bell");
    expect(alice.raw).toContain("\x1b[1;33m@alice can you review the launch notes?\x1b[0m");
    // A message that mentions someone else: no highlight, no bell.
    const other = await say(carol, "@bob thanks");
    await alice.waitLine(`#${other.seq} <carol> @bob thanks`);
    expect(alice.raw).not.toContain("\x1b[1;33m@bob thanks");
    alice.type("/search review\r"); // A marker: all before it has been printed.
    await alice.waitLine('--- 1 message matches "review"');
    expect(countBells(alice.raw)).toBe(1);
    alice.type("/quit\r");
    expect(await alice.waitExit(), alice.describe()).toBe(0);
  });

  it("Ctrl-U on a pasted line longer than the terminal clears all its rows", async () => {
    const room = uniqueRoom("ctrlu");
    const alice = pty([room, "--url", suite.url, "--name", "alice"], { cols: 40 });
    await alice.waitLine("you are in");
    await alice.waitLine("type to chat");
    const before = alice.screen;
    const prompt = `${room}> `;
    // Pasted in one go (one chunk): more than two rows, then exactly three.
    for (const length of [100, 3 * 40 - prompt.length]) {
      alice.type("x".repeat(length));
      await alice.waitScreen((lines) => lines.join("").includes("x".repeat(length)), `${length} x's typed`);
      alice.type("\x15");
      await alice.waitScreen((lines) => !lines.some((line) => line.includes("xxxx")), `no row of x left after Ctrl-U (${length})`);
      // What was above the prompt is still there, and the prompt is back, empty.
      expect(alice.screen.slice(0, before.length - 1)).toEqual(before.slice(0, -1));
      expect(alice.screen.at(-1)).toBe(prompt.trimEnd());
    }
    // Typed one key at a time, too.
    for (const key of "y".repeat(50)) alice.type(key);
    await alice.waitScreen((lines) => lines.join("").includes("y".repeat(50)), "50 y's typed");
    alice.type("\x15");
    await alice.waitScreen((lines) => !lines.some((line) => line.includes("yyyy")), "no row of y left after Ctrl-U");
    alice.type("/quit\r");
    expect(await alice.waitExit(), alice.describe()).toBe(0);
  });
});
