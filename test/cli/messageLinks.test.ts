/**
 * Message links in the terminal client, end to end: the browser's "Copy
 * link" (`…/r/<room>#m42`) given to `parley` in a pseudo-terminal and with
 * pipes, against a real `wrangler dev`. Once joined, the client shows that
 * message in full and marked, with the events just before and after it,
 * even when it is far older than the history shown at join; `/show` and
 * `/reply` then know it. A link to a message the room does not have says
 * so, and a scripted run prints the block before it leaves.
 */
import { describe, expect, it } from "vitest";
import type { SpokenMessage } from "../../src/protocol/frames.ts";
import { WELCOME_EVENTS } from "../../src/protocol/limits.ts";
import { uniqueRoom } from "../support/node.ts";
import { liveRoomSuite } from "./liveRoom.ts";

const suite = liveRoomSuite({ RATE_BURST: 1000, RATE_PER_SECOND: 1000 });
const { pty, cli, say } = suite;

/** A room with more messages than a join shows, and the link to its fifth. */
async function roomWithHistory(): Promise<{ room: string; said: SpokenMessage[]; link: (seq: number) => string }> {
  const room = uniqueRoom("link");
  const bob = await suite.socketClient(room, "bob");
  const said: SpokenMessage[] = [];
  for (let i = 1; i <= WELCOME_EVENTS + 10; i++) said.push(await say(bob, `line ${i}${i === 5 ? " is the one we talk about" : ""}`));
  return { room, said, link: (seq) => `${suite.url}/r/${room}#m${seq}` };
}

/** The client with pipes and no input, run to its end: it must exit 0. */
async function readOnce(args: string[]) {
  const piped = cli(args);
  piped.end();
  expect(await piped.waitExit(20_000), piped.describe()).toBe(0);
  return piped;
}

describe("message links at a terminal", () => {
  it("shows the linked message marked, in full, between the events around it, older than the join's history", async () => {
    const { said, link } = await roomWithHistory();
    const target = said[4]!;
    const alice = pty([link(target.seq), "--name", "alice"], { color: true });
    await alice.waitLine("you are in");
    await alice.waitLine(`--- end of the linked message; the newest messages are above it`);
    const screen = alice.screen;
    const start = screen.findIndex((line) => line === `--- the linked message #${target.seq}, with what came just before and after it:`);
    const end = screen.findIndex((line) => line.startsWith("--- end of the linked message"));
    expect(start, alice.describe()).toBeGreaterThan(-1);
    // Three before it, two after it, in order, and the message itself pointed at.
    const block = screen.slice(start + 1, end).filter((line) => !/^-{3} /.test(line));
    expect(block.map((line) => /#(\d+) /.exec(line)?.[1])).toEqual(said.slice(1, 7).map((m) => String(m.seq)));
    expect(block[3]).toMatch(new RegExp(`^\\d\\d:\\d\\d #${target.seq} <bob> line 5 is the one we talk about ← linked$`));
    // Its number in reverse video: the line to look for on a busy screen.
    expect(alice.raw).toContain(`\x1b[1;7m#${target.seq}\x1b[0m`);
    // The join's own history did not reach that far back: the block is what shows it.
    expect(screen.slice(0, start).some((line) => line.includes("line 5 is"))).toBe(false);

    // The message is known now: /show prints it, /reply answers it.
    alice.type(`/show #${target.seq}\r`);
    await alice.waitScreen((lines) => lines.filter((l) => l.includes("line 5 is the one")).length === 2, "/show to print the message");
    alice.type(`/reply ${target.seq} that one, yes\r`);
    await alice.waitLine(`↳ #${target.seq} bob: line 5 is the one we talk about`);
    alice.type("/quit\r");
    expect(await alice.waitExit(), alice.describe()).toBe(0);
    if (process.env.PARLEY_TRANSCRIPT) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(process.env.PARLEY_TRANSCRIPT, `${alice.screen.join("\n")}\n`);
    }
  });

  it("a scripted run prints the block before leaving; a link to a message the room lacks says so", async () => {
    const { said, link } = await roomWithHistory();
    const target = said[4]!;
    const piped = await readOnce([link(target.seq), "--name", "reader"]);
    expect(piped.lines).toContain(`--- the linked message #${target.seq}, with what came just before and after it:`);
    expect(piped.lines.some((line) => new RegExp(`#${target.seq} <bob> line 5 is the one we talk about ← linked$`).test(line))).toBe(true);
    // Without colour, no escape codes: the pointer alone marks it.
    expect(piped.stdout).not.toContain("\x1b[");

    const last = said.at(-1)!.seq;
    const ahead = await readOnce([link(last + 1000), "--name", "reader"]);
    expect(ahead.stderr).toContain(`the link points at message #${last + 1000}, but this room's newest event is #`);
    expect(ahead.stdout).not.toContain("linked message");

    // The first event of the room is bob's join: not a message.
    const join = await readOnce([link(1), "--name", "reader"]);
    expect(join.stderr).toContain("message #1 is no longer in this room's history");

    // --json prints the room's events only, and says so.
    const json = await readOnce([link(target.seq), "--name", "reader", "--json"]);
    expect(json.stderr).toContain(`the link's message #${target.seq} is not shown apart`);
    for (const line of json.lines) expect(() => JSON.parse(line), line).not.toThrow();
  });
});
