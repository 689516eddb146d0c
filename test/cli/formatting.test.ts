/**
 * Light formatting, quieter presence and quiet joins in the terminal client,
 * end to end against a real `wrangler dev`: a person at a pseudo-terminal,
 * protocol-level WebSocket clients and a `--json` client in one room.
 *
 * - Formatting: with colour, bold, italic, code and links are painted and
 *   their markers gone; a fenced block stands on its own lines; without
 *   colour the text reads as written. A very long message is cut with
 *   "… (N more lines: /show #SEQ)", and /show prints it all.
 * - Presence: a run of joins and leaves is one line, live and in the
 *   history; a message is not held back by it and keeps its place after it.
 * - --quiet: the room announces nothing about the quiet reader.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent, SpokenMessage } from "../../src/protocol/frames.ts";
import { join, uniqueRoom, type TestSocket } from "../support/node.ts";
import { liveRoomSuite } from "./liveRoom.ts";
import { runCli, waitUntil } from "./support.ts";

const suite = liveRoomSuite({ RATE_BURST: 1000, RATE_PER_SECOND: 1000 });
const { pty, cli, say } = suite;
const socketClient = (room: string, name: string) => suite.socketClient(room, name);
const COLOR = { color: true };
const LONG = Array.from({ length: 30 }, (_, i) => `line ${i + 1} of a long paste`).join("\n");

describe("light formatting at a terminal", () => {
  it("paints bold, italic, code and links, lays out fenced blocks, and cuts a long message until /show", async () => {
    const room = uniqueRoom("format");
    const carol = await socketClient(room, "carol");
    const styled = await say(carol, "**bold** and _italic_ and `co_de` at www.example.com/a_b, not 2*3*4");
    await say(carol, "look:\n```js\nconst x = **1**;\n```\ndone");
    const long = await say(carol, LONG);

    const alice = pty([room, "--url", suite.url, "--name", "alice"], COLOR);
    await alice.waitLine("you are in");
    // Markers gone, styles on.
    await alice.waitLine(`#${styled.seq} <carol> bold and italic and co_de at www.example.com/a_b, not 2*3*4`);
    expect(alice.raw).toContain("\x1b[1mbold\x1b[0m");
    expect(alice.raw).toContain("\x1b[3mitalic\x1b[0m");
    expect(alice.raw).toContain("\x1b[36mco_de\x1b[0m");
    expect(alice.raw).toContain("\x1b[4mwww.example.com/a_b\x1b[0m");
    // The fenced block: its own line, two columns in from the text, the fences gone, what is inside as written.
    const screen = alice.screen;
    const look = screen.findIndex((l) => / <carol> look:$/.test(l));
    const indent = " ".repeat(screen[look]!.indexOf("look:"));
    expect(screen.slice(look + 1, look + 3)).toEqual([`${indent}  const x = **1**;`, `${indent}done`]);
    // The long one: 10 rows, then how many more and how to see them.
    const first = screen.findIndex((l) => l.includes("line 1 of a long paste"));
    expect(screen[first + 9]).toBe(`${indent}line 10 of a long paste`);
    expect(screen[first + 10]).toBe(`${indent}… (20 more lines: /show #${long.seq})`);
    expect(screen.some((l) => l.includes("line 11 of"))).toBe(false);
    alice.type(`/show #${long.seq}\r`);
    await alice.waitLine(`${indent}line 30 of a long paste`);
    expect(alice.screen.filter((l) => l.includes("line 11 of a long paste"))).toHaveLength(1);
    alice.type("/show 99999\r");
    await alice.waitLine("!!! No message #99999 here to show; /history shows earlier ones.");

    // Without colour the text reads as written: markers and fences stay.
    const plain = pty([room, "--url", suite.url, "--name", "plain"]);
    await plain.waitLine("you are in");
    await plain.waitLine(`<carol> **bold** and _italic_ and \`co_de\` at www.example.com/a_b`);
    await plain.waitLine(/^ +```js$/);
    expect(plain.raw).not.toContain("\x1b[1mbold");

    // A script's transcript is never cut: it gets every line.
    const piped = await runCli([room, "--url", suite.url, "--name", "piped"], "");
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toContain("line 30 of a long paste");
    expect(piped.stdout).not.toContain("more lines");

    alice.type("/quit\r");
    plain.type("/quit\r");
    expect(await alice.waitExit(), alice.describe()).toBe(0);
    expect(await plain.waitExit(), plain.describe()).toBe(0);
    if (process.env.PARLEY_TRANSCRIPT) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(process.env.PARLEY_TRANSCRIPT, `${alice.screen.join("\n")}\n--- plain:\n${plain.screen.join("\n")}\n`);
    }
  });
});

describe("quieter presence at a terminal", () => {
  it("shows a run of joins and leaves as one line, live and in the history, without holding messages back", async () => {
    const room = uniqueRoom("presence");
    const alice = pty([room, "--url", suite.url, "--name", "alice"]);
    await alice.waitLine("you are in");

    // Five join at once: one line.
    const people = await Promise.all(["ann", "ben", "cat", "dan", "eve"].map((name) => socketClient(room, name)));
    await alice.waitLine(/^\d\d:\d\d --> \w+, \w+ and 3 others joined$/);
    expect(alice.screen.filter((l) => / joined/.test(l) && !l.includes("alice joined"))).toHaveLength(1);

    // A leave and then a message: the leave is shown first, and the message at once, not after the hold.
    const [ann, ben] = people;
    ben!.close(1000);
    await ann!.next((f) => f.type === "left" && f.member.name === "ben");
    const sent = Date.now();
    await say(ann!, "right after ben left");
    await alice.waitLine("<ann> right after ben left", 1400);
    expect(Date.now() - sent).toBeLessThan(1400);
    const screen = alice.screen;
    const leftAt = screen.findIndex((l) => /^\d\d:\d\d <-- ben left$/.test(l));
    expect(leftAt).toBeGreaterThan(-1);
    expect(screen.findIndex((l) => l.includes("<ann> right after ben left"))).toBe(leftAt + 1);

    // Someone who joins and leaves within the window, and another who leaves: one line, after the hold.
    const fay = await socketClient(room, "fay");
    fay.close(1000);
    people[2]!.close(1000);
    await alice.waitLine(/^\d\d:\d\d --- (fay came and went; cat left|cat left; fay came and went)$/);

    // The history a newcomer reads groups the same runs.
    const late = await runCli([room, "--url", suite.url, "--name", "late"], "");
    expect(late.code, late.stderr).toBe(0);
    // alice and the five joined, then ben left before anyone spoke: one run. Then ann's message, then fay and cat.
    const lines = late.lines.filter((l) => /joined|left|came|<ann>/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/^\d\d:\d\d --- alice, \w+ and 3 others joined; ben came and went$/),
      expect.stringMatching(/ <ann> right after ben left$/),
      expect.stringMatching(/^\d\d:\d\d --- (fay came and went; cat left|cat left; fay came and went); late joined$/),
    ]);

    alice.type("/quit\r");
    expect(await alice.waitExit(), alice.describe()).toBe(0);
  });
});

describe("--quiet", () => {
  it("joins to read: a --json client sees its messages but never its join, leave or name", async () => {
    const room = uniqueRoom("quiet");
    const watcher = cli([room, "--url", suite.url, "--name", "watcher", "--json"]);
    await watcher.waitStderr("you are in");

    const lurker = pty([room, "--url", suite.url, "--name", "lurker", "--quiet"]);
    await lurker.waitLine("--- joined quietly: nobody is told you are here, and no member list shows you");
    await lurker.waitLine(/you are in .* as lurker; also here: watcher$/);
    lurker.type("hello from the shadows\r");
    await watcher.waitStdout("hello from the shadows");
    lurker.type("/quit\r");
    expect(await lurker.waitExit(), lurker.describe()).toBe(0);

    // A loud join after it: the watcher sees that one, so it would have seen the lurker's.
    await socketClient(room, "loud");
    await watcher.waitStdout('"name":"loud"');
    watcher.end();
    expect(await watcher.waitExit(), watcher.describe()).toBe(0);
    const events = watcher.lines.map((line) => JSON.parse(line) as RoomEvent);
    const joins = events.flatMap((e) => (e.type === "joined" ? [e.member.name] : []));
    expect(joins).toContain("loud");
    expect(joins).not.toContain("lurker");
    expect(events.filter((e) => e.type === "left" || e.type === "renamed")).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: "message", text: "hello from the shadows", from: expect.objectContaining({ name: "lurker" }) }));
    await waitUntil(() => watcher.exit !== undefined, "the watcher to exit");
  });
});
