/**
 * Replies and reactions in the terminal client, end to end: a person at a
 * pseudo-terminal and a protocol-level WebSocket client in one room of a real
 * `wrangler dev`. What the terminal shows: a reply's quote line above it (cut
 * to the terminal's width; "(deleted)" once the original is gone, in what a
 * newcomer reads), counts after a message from the history, one line per
 * live reaction (its own and others'), /react toggling, and the refusals in
 * words; and that `--json` prints the room's events and nothing else.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReactionsEvent, RoomEvent, SpokenMessage } from "../../src/protocol/frames.ts";
import { join, uniqueRoom, type TestSocket } from "../support/node.ts";
import { displayWidth } from "../../src/cli/terminalText.ts";
import { liveRoomSuite } from "./liveRoom.ts";
import { runCli } from "./support.ts";

/** Three different reactions per message at most, to reach the limit with a few. */
const REACTIONS_MAX = 3;
const suite = liveRoomSuite({ RATE_BURST: 1000, RATE_PER_SECOND: 1000, REACTIONS_MAX });
const { pty, cli, say } = suite;
const socketClient = (room: string, name: string) => suite.socketClient(room, name);
const COLS = 80;
/** The seq the screen shows for a message: `HH:MM #42 <bob> text`. */
function seqOf(screen: string[], pattern: RegExp): number {
  for (const line of screen) {
    const match = /^\d\d:\d\d #(\d+) (.*)$/.exec(line);
    if (match && pattern.test(match[2]!)) return Number(match[1]);
  }
  throw new Error(`no message matching ${pattern} on the screen:\n${screen.join("\n")}`);
}

const LONG = "shall we meet at noon tomorrow, by the old clock at the station, or is that too early for everyone?";

describe("replies and reactions at a terminal", () => {
  it("quotes what a reply answers, shows counts and each reaction, toggles /react, and words refusals", async () => {
    const room = uniqueRoom("reply");
    const carol = await socketClient(room, "carol");
    // Before alice joins: a message with a reaction on it, which her history shows with its count.
    const early = await say(carol, "good morning");
    carol.send({ type: "react", seq: early.seq, emoji: "☕", on: true });
    await carol.next((f) => f.type === "reactions" && f.target === early.seq);

    const alice = pty([room, "--url", suite.url, "--name", "alice"]);
    await alice.waitLine("you are in");
    expect(alice.screen.filter((l) => l.includes("good morning") || l.includes("☕"))).toEqual([expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d #${early.seq} <carol> good morning \\(☕ 1\\)$`))]);

    // A live message from carol; alice answers it with /reply.
    const question = await say(carol, LONG);
    await alice.waitLine(`#${question.seq} <carol> shall we meet`);
    alice.type(`/reply ${question.seq} noon works for me\r`);
    const reply = (await carol.nextMessage((m) => m.text === "noon works for me")) as SpokenMessage;
    expect(reply.replyTo).toMatchObject({ seq: question.seq, from: { name: "carol" }, snippet: expect.stringMatching(/^shall we meet/) });
    await alice.waitLine(/^\d\d:\d\d #\d+ <alice> noon works for me$/);
    const replySeq = seqOf(alice.screen, /^<alice> noon works for me$/);
    expect(replySeq).toBe(reply.seq);
    // The quote line sits right above the reply, under its name, cut to the terminal's width.
    const screen = alice.screen;
    const quoteLine = screen[screen.findIndex((l) => l.includes("<alice> noon works for me")) - 1]!;
    const indent = " ".repeat(`00:00 #${replySeq} `.length);
    expect(quoteLine).toMatch(new RegExp(`^${indent}↳ #${question.seq} carol: shall we meet at noon tomorrow, .*…$`));
    expect(displayWidth(quoteLine)).toBeLessThan(COLS);

    // carol replies to alice's reply: a socket client's reply shows its quote too.
    await say(carol, "great", reply.seq);
    await alice.waitLine(`${indent}↳ #${reply.seq} alice: noon works for me`);

    // /react puts a reaction on; carol reacting to alice's reply shows up at alice's; /react again takes it back.
    alice.type(`/react #${question.seq} 👍\r`);
    await alice.waitLine(new RegExp(`--- alice reacted 👍 to #${question.seq} \\(👍 1\\)$`));
    const mine = (await carol.next((f) => f.type === "reactions" && f.target === question.seq)) as ReactionsEvent;
    expect(mine).toMatchObject({ by: { name: "alice" }, emoji: "👍", on: true, counts: { "👍": 1 } });
    carol.send({ type: "react", seq: question.seq, emoji: "👍", on: true });
    await alice.waitLine(new RegExp(`--- carol reacted 👍 to #${question.seq} \\(👍 2\\)$`));
    carol.send({ type: "react", seq: reply.seq, emoji: "❤️", on: true });
    await alice.waitLine(new RegExp(`--- carol reacted ❤️ to #${reply.seq} \\(❤️ 1\\)$`));
    alice.type(`/react ${question.seq} 👍\r`);
    await alice.waitLine(new RegExp(`--- alice took back 👍 on #${question.seq} \\(👍 1\\)$`));

    // Refusals, in words: not an emoji (here), no such message, too many different reactions (the room).
    alice.type(`/react ${question.seq} yes\r`);
    await alice.waitLine(`!!! Could not react to message #${question.seq}: a reaction is one emoji.`);
    alice.type("/react 9999 👍\r");
    await alice.waitLine("!!! Could not do that: there is no message 9999 to react to.");
    for (const emoji of ["🎉", "🚀"]) carol.send({ type: "react", seq: question.seq, emoji, on: true });
    await alice.waitLine(new RegExp(`--- carol reacted 🚀 to #${question.seq} \\(👍 1 🎉 1 🚀 1\\)$`));
    alice.type(`/react ${question.seq} 🍕\r`);
    await alice.waitLine("!!! That message can take no more kinds of reaction: add to one already on it.");
    alice.type("/reply 9999 anyone?\r");
    await alice.waitLine(/^!!! not sent: "anyone\?": there is no message 9999 to reply to/);
    alice.type("/reply 9999\r");
    await alice.waitLine("!!! Usage: /reply #SEQ TEXT (the number shown with the message)");
    alice.type("/help\r");
    await alice.waitLine(/^ {4}\/reply #SEQ TEXT +answer message SEQ \(it is quoted above yours\)$/);
    await alice.waitLine(/^ {4}\/react #SEQ EMOJI +react with one emoji; again takes it back$/);

    // carol deletes what alice answered: one line says so; a newcomer sees the reply's quote without its text.
    carol.send({ type: "delete", seq: question.seq });
    await alice.waitLine(`--- carol deleted message #${question.seq}.`);
    expect(alice.screen.filter((l) => l.includes(`#${question.seq}`) && /replied|quote/.test(l))).toEqual([]);
    alice.type("/react 9999 👍\r"); // A marker: everything before it has been printed.
    await alice.waitScreen((lines) => lines.filter((l) => l.includes("no message 9999 to react")).length === 2, "the second refusal");
    alice.type(`/reply ${question.seq} still there?\r`);
    await alice.waitLine(`!!! Message #${question.seq} is deleted: there is nothing to reply to.`);

    const late = await runCli([room, "--url", suite.url, "--name", "late"], "");
    expect(late.code, late.stderr).toBe(0);
    expect(late.stdout).toContain(`↳ #${question.seq} carol: (deleted)\n`);
    expect(late.stdout).toMatch(new RegExp(`#${reply.seq} <alice> noon works for me \\(❤️ 1\\)\n`));
    expect(late.stdout).not.toContain("shall we meet");
    // The history shows each message's counts as they are now, not the reactions that led there.
    expect(late.stdout).not.toMatch(/reacted|took back/);

    alice.type("/quit\r");
    expect(await alice.waitExit(), alice.describe()).toBe(0);
    expect(alice.raw).not.toContain("\x1b[2J");
    if (process.env.PARLEY_TRANSCRIPT) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(process.env.PARLEY_TRANSCRIPT, `${alice.screen.join("\n")}\n--- late:\n${late.stdout}`);
    }
  });

  it("prints only the room's events with --json: replies and reactions exactly as sent, no sentences", async () => {
    const room = uniqueRoom("replyjson");
    const carol = await socketClient(room, "carol");
    const first = await say(carol, "first");
    const reader = cli([room, "--url", suite.url, "--name", "reader", "--json"]);
    await reader.waitStderr("you are in");
    const answer = await say(carol, "an answer", first.seq);
    carol.send({ type: "react", seq: first.seq, emoji: "👍", on: true });
    carol.send({ type: "react", seq: first.seq, emoji: "👍", on: false });
    carol.send({ type: "edit", seq: first.seq, text: "first, edited" });
    await reader.waitStdout('"type":"edited"');
    reader.end();
    expect(await reader.waitExit(), reader.describe()).toBe(0);

    const events = reader.lines.map((line) => JSON.parse(line) as RoomEvent);
    expect(events.filter((e) => e.type === "reactions").map((e) => (e as ReactionsEvent).on)).toEqual([true, false]);
    expect(events.find((e) => e.seq === answer.seq)).toMatchObject({ replyTo: { seq: first.seq, snippet: "first" } });
    expect(reader.stdout).not.toMatch(/reacted|took back|↳/);
    expect(reader.stderr).not.toMatch(/reacted|took back|↳/);
  });
});
