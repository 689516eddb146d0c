/**
 * Owners and moderation in the terminal client, end to end: an owner (by an
 * owner link, with the operator's ADMIN_KEY) and a member in pseudo-terminals
 * against a real `wrangler dev`: /edit, /delete, /topic, /slow, /lock,
 * /kick, /ban and /unban, what each side sees, the exit codes of a kicked and
 * a banned member and of refused joins, `--json` with the new events, and the
 * owner key never shown, logged or sent in a URL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent } from "../../src/protocol/frames.ts";
import { EXIT } from "../../src/cli/exitCodes.ts";
import { uniqueRoom } from "../support/node.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";
import { PtyCli, runCli } from "./support.ts";

const ADMIN_KEY = "test-admin-key-0123456789-abcdefghij";
let server: DevServer;
const processes: { kill(): void }[] = [];

beforeAll(async () => {
  server = await startWranglerDev({ vars: { ADMIN_KEY, RATE_BURST: 1000, RATE_PER_SECOND: 1000 } });
});
afterAll(async () => {
  await server?.stop();
});
afterEach(() => {
  for (const proc of processes.splice(0)) proc.kill();
});

function pty(args: string[], env: Record<string, string | undefined> = {}) {
  const proc = new PtyCli(args, { cols: 200, env: { NO_COLOR: "1", ...env } });
  processes.push(proc);
  return proc;
}
const ownerLink = (room: string) => `${server.url}/r/${room}#owner=${ADMIN_KEY}`;
/** The seq the screen shows for a message: `HH:MM #42 <bob> text`. */
function seqOf(screen: string[], pattern: RegExp): number {
  for (const line of screen) {
    const match = /^\d\d:\d\d #(\d+) (.*)$/.exec(line);
    if (match && pattern.test(match[2]!)) return Number(match[1]);
  }
  throw new Error(`no message matching ${pattern} on the screen:\n${screen.join("\n")}`);
}

describe("an owner and a member", () => {
  it("edit, delete, topic, slow mode and lock, each seen by both in the same words", async () => {
    const room = uniqueRoom("mod");
    const alice = pty([ownerLink(room), "--name", "alice"]);
    await alice.waitLine("you are in");
    await alice.waitLine(`as alice (owner)`);
    const bob = pty([room, "--url", server.url, "--name", "bob"]);
    await bob.waitLine("you are in");

    // /edit without a seq edits bob's last message; both see the new text.
    bob.type("helo all\r");
    await alice.waitLine(/#\d+ <bob> helo all$/);
    const helo = seqOf(alice.screen, /^<bob> helo all$/);
    // As a person would: once bob sees it stored (numbered); before that there is no "last message" to edit.
    await bob.waitLine(/#\d+ <bob> helo all$/);
    bob.type("/edit hello all\r");
    await alice.waitLine(`--- bob edited message #${helo} (bob): hello all`);
    await bob.waitLine(`--- bob edited message #${helo} (bob): hello all`);
    // A member's owners' command is answered locally.
    bob.type("/kick alice\r");
    await bob.waitLine("!!! Only owners can kick members.");
    alice.type("welcome bob\r");
    await bob.waitLine(/#\d+ <alice> welcome bob$/);
    bob.type(`/edit #${seqOf(bob.screen, /^<alice> welcome bob$/)} not mine\r`);
    await bob.waitLine("!!! You can only edit your own messages.");

    // The topic, at once for the member, and at join for the next one.
    alice.type("/topic Release day\r");
    await bob.waitLine("--- alice set the topic: Release day");
    bob.type("/topic\r");
    await bob.waitLine("--- Topic: Release day");

    // Slow mode: the member's second message waits, is said to wait, and goes out by itself.
    alice.type("/slow 2\r");
    await bob.waitLine("--- alice turned slow mode on: one message every 2 seconds each.");
    bob.type("first\r");
    bob.type("second\r");
    await bob.waitLine(/--- Slow mode is on \(one message every 2 seconds each\): your message goes out in [12] s\./);
    await alice.waitLine(/#\d+ <bob> second$/, 10_000);
    expect(seqOf(alice.screen, /^<bob> second$/)).toBeGreaterThan(seqOf(alice.screen, /^<bob> first$/));
    alice.type("/slow off\r");
    await bob.waitLine("--- alice turned slow mode off.");

    // The member deletes their own message, the owner one of the member's; a newcomer's replay shows them deleted.
    const first = seqOf(alice.screen, /^<bob> first$/);
    const second = seqOf(alice.screen, /^<bob> second$/);
    bob.type(`/delete ${second}\r`);
    await alice.waitLine(`--- bob deleted message #${second}.`);
    alice.type(`/delete #${first}\r`);
    await bob.waitLine(`--- alice deleted message #${first}.`);
    const late = await runCli([room, "--url", server.url, "--name", "late"], "");
    expect(late.code, late.stderr).toBe(0);
    expect(late.stdout).toContain(`#${first} <bob> (message deleted)`);
    expect(late.stdout).not.toContain("<bob> first");
    expect(late.stderr).toContain("topic: Release day");

    // Locked: a newcomer is refused (exit 3); the member still in stays.
    alice.type("/lock\r");
    await bob.waitLine("--- alice locked the room: only its members and owners can join.");
    const refused = await runCli([room, "--url", server.url, "--name", "carol"], "hi\n");
    expect(refused.code, refused.stderr).toBe(EXIT.refused);
    expect(refused.stderr).toContain("parley: This room is locked: only its members and owners can join now.");
    alice.type("/unlock\r");
    await bob.waitLine("--- alice unlocked the room.");

    // --json prints the new events as they are stored, after a scroll of the room.
    const json = await runCli([room, "--url", server.url, "--name", "reader", "--json"], "");
    expect(json.code, json.stderr).toBe(0);
    const events = json.lines.map((line) => JSON.parse(line) as RoomEvent);
    const types = new Set(events.map((e) => e.type));
    for (const type of ["edited", "deleted", "settings"]) expect(types, json.stdout).toContain(type);
    expect(events.find((e) => e.type === "message" && e.seq === first)).toMatchObject({ deleted: true });
    expect(events.find((e) => e.type === "message" && e.seq === helo)).toMatchObject({ text: "hello all", edited: expect.any(Number) });

    alice.type("/quit\r");
    bob.type("/quit\r");
    expect(await bob.waitExit(), bob.describe()).toBe(0);
    expect(await alice.waitExit(), alice.describe()).toBe(0);
    // The key was never shown, nor logged by the room. (A URL carrying it would have been refused by
    // the room, so alice joining as owner above shows it went in the join frame; removed.test.ts checks that.)
    expect(alice.raw).not.toContain(ADMIN_KEY);
    expect(server.output()).not.toContain(ADMIN_KEY);
  });

  it("kick ends the member's run with exit 4 (they may come back); ban with 5, and their rejoin is refused with 5", async () => {
    const room = uniqueRoom("kick");
    const alice = pty([room, "--url", server.url, "--name", "alice"], { PARLEY_OWNER_KEY: ADMIN_KEY });
    await alice.waitLine("as alice (owner)");
    const bob = pty([room, "--url", server.url, "--name", "bob"]);
    await bob.waitLine("you are in");
    await alice.waitLine("bob joined");

    alice.type("/kick bob being rude\r");
    expect(await bob.waitExit(), bob.describe()).toBe(EXIT.kicked);
    expect(bob.raw).toContain("parley: You were removed from the room (kicked by alice: being rude). You may join again.");
    await alice.waitLine("--- bob was removed by alice: being rude");

    const back = pty([room, "--url", server.url, "--name", "Bob"]);
    await back.waitLine("you are in");
    await alice.waitLine("Bob joined");
    alice.type("/ban BOB 30 spam\r");
    expect(await back.waitExit(), back.describe()).toBe(EXIT.banned);
    expect(back.raw).toContain("parley: You were banned from this room (banned by alice: spam).");
    await alice.waitLine(/--- Bob was banned by alice until \d\d:\d\d: spam/);

    alice.type("/bans\r");
    await alice.waitLine("--- Bans in force (1):");
    await alice.waitLine(/--- .+: Bob, banned by alice until \d\d:\d\d: spam/);

    // A new session from the same address is refused.
    const again = await runCli([room, "--url", server.url, "--name", "robert"], "hello\n");
    expect(again.code, again.stderr).toBe(EXIT.banned);
    expect(again.stderr).toMatch(/parley: You are banned from this room until \d\d:\d\d\./);

    alice.type("/unban bob\r");
    await alice.waitLine("--- Lifting the ban on Bob.");
    // Asked after the unban went out: the room answers in order.
    alice.type("/bans\r");
    await alice.waitLine("--- No bans are in force.");
    const forgiven = await runCli([room, "--url", server.url, "--name", "robert"], "thanks\n");
    expect(forgiven.code, forgiven.stderr).toBe(0);
    alice.type("/quit\r");
    expect(await alice.waitExit()).toBe(0);
  });
});

describe("refusals at join", () => {
  it("a name taken by someone online (a look-alike too) ends with exit 3 and says so", async () => {
    const room = uniqueRoom("names");
    const alice = pty([room, "--url", server.url, "--name", "alice"]);
    await alice.waitLine("you are in");
    const result = await runCli([room, "--url", server.url, "--name", "ＡＬＩＣＥ"], "hi\n");
    expect(result.code, result.stderr).toBe(EXIT.refused);
    expect(result.stderr).toContain("parley: That name is taken by someone online in this room");
  });
});
