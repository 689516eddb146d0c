/**
 * The terminal client end to end: the real CLI (src/cli/main.ts, run by the
 * Node that runs the tests) against a real `wrangler dev`, talking with
 * protocol-level WebSocket clients and with other CLIs; scripted (pipes) and
 * interactive (a pseudo-terminal); a server restart; every documented
 * refusal and its exit code; and the bundled `parley` bin.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent, ServerFrame, SpokenMessage } from "../../src/protocol/frames.ts";
import { join, sleep, uniqueRoom, type TestSocket } from "../support/node.ts";
import { freePort } from "../../harness/ports.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";
import { CliProcess, PtyCli, ROOT, runCli } from "./support.ts";

/** Small NAME_MAX and ROOM_CAPACITY, to be refused; a generous rate, to fill rooms quickly (the CLI paces itself to whatever is advertised). */
const vars = { RATE_BURST: 1000, RATE_PER_SECOND: 1000, NAME_MAX: 8, ROOM_CAPACITY: 5 };
let server: DevServer;
let persistDir: string;
/** Everything a test opened, closed after it whatever happened. */
const sockets: TestSocket[] = [];
const processes: { kill(): void }[] = [];

beforeAll(async () => {
  persistDir = mkdtempSync(joinPath(tmpdir(), "parley-cli-"));
  server = await startWranglerDev({ vars, persistDir });
});
afterAll(async () => {
  await server?.stop();
  if (persistDir) rmSync(persistDir, { recursive: true, force: true });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close(1000);
  for (const proc of processes.splice(0)) proc.kill();
});

async function watcher(url: string, room: string, name = "watcher") {
  const joined = await join(url, room, name);
  sockets.push(joined.socket);
  return joined;
}
function cli(args: string[], env?: Record<string, string | undefined>) {
  const proc = new CliProcess(args, env);
  processes.push(proc);
  return proc;
}
function pty(args: string[], options?: ConstructorParameters<typeof PtyCli>[1]) {
  const proc = new PtyCli(args, options);
  processes.push(proc);
  return proc;
}

const isEvent = (frame: ServerFrame): frame is RoomEvent => "seq" in frame;
const messageTexts = (events: readonly RoomEvent[]) => events.flatMap((e) => (e.type === "message" && "text" in e ? [e.text] : []));
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
/** Every event the room keeps (up to 50), as a newcomer sees them. */
async function stored(url: string, room: string): Promise<RoomEvent[]> {
  const { socket, welcome } = await join(url, room, "auditor");
  socket.close(1000);
  return welcome.events;
}
async function roomInfo(url: string, room: string) {
  return (await (await fetch(`${url}/api/rooms/${room}`)).json()) as { online: number; lastSeq: number };
}

describe("scripted (stdin not a terminal)", () => {
  it("sends each input line once, in order, and exits 0 once all are acknowledged", async () => {
    const room = uniqueRoom("cli");
    const { socket } = await watcher(server.url, room);
    const result = await runCli([room, "--url", server.url, "--name", "bot"], "one\ntwo\n\n   \nthree\r\n");
    expect(result.code, result.stderr).toBe(0);

    // The watcher saw bot arrive, say three things in order, and leave cleanly (close 1000).
    const seen: RoomEvent[] = [];
    for (;;) {
      const frame = await socket.next(isEvent);
      seen.push(frame as RoomEvent);
      if (frame.type === "left") break;
    }
    expect(seen.map((e) => (e.type === "message" && "text" in e ? `${e.from.name}: ${e.text}` : `${e.type} ${"member" in e ? e.member.name : ""}`))).toEqual([
      "joined bot",
      "bot: one",
      "bot: two",
      "bot: three",
      "left bot",
    ]);
    // Stored once each: watcher joined, bot joined, 3 messages, bot left.
    expect(await roomInfo(server.url, room)).toMatchObject({ lastSeq: 6, online: 1 });
    expect(messageTexts(await stored(server.url, room))).toEqual(["one", "two", "three"]);
    // The transcript on stdout, notices on stderr.
    expect(result.lines.filter((l) => l.includes("<bot>")).map((l) => l.replace(/^\d\d:\d\d (#\d+ )?/, ""))).toEqual([
      "<bot> one",
      "<bot> two",
      "<bot> three",
    ]);
    expect(result.stderr).toContain(`you are in ${room} as bot`);
    expect(result.stdout).not.toContain("you are in");
    expect(result.stdout + result.stderr).not.toContain("\x1b");
  });

  it("prints history and live events with --json, one JSON object per line, exactly as sent", async () => {
    const room = uniqueRoom("cli");
    const { socket: writer, welcome } = await watcher(server.url, room, "writer");
    writer.send({ type: "message", text: "before the bot", id: "w1" });
    await writer.nextMessage((m) => m.id === "w1");

    const bot = cli([room, "--url", server.url, "--name", "bot", "--json"]);
    await bot.waitStdout('"before the bot"');
    writer.send({ type: "message", text: "live\nwith two lines", id: "w2", action: true });
    await bot.waitStdout('"w2"');
    bot.end("from the bot\n");
    expect(await bot.waitExit(), bot.describe()).toBe(0);

    const printed = bot.lines.map((line) => JSON.parse(line) as RoomEvent);
    // Exactly the events the writer's socket received (the same serialised frames), in order.
    const received = [...welcome.events, ...writer.frames.filter(isEvent)].filter(
      (e) => e.seq >= printed[0]!.seq && e.seq <= printed.at(-1)!.seq,
    );
    expect(printed).toEqual(received);
    expect(printed.map((e) => e.seq)).toEqual(printed.map((_, i) => printed[0]!.seq + i));
    expect(messageTexts(printed)).toEqual(["before the bot", "live\nwith two lines", "from the bot"]);
    expect(printed.find((e): e is SpokenMessage => e.type === "message" && !("deleted" in e) && e.id === "w2")?.action).toBe(true);

    // With nothing to send, it prints the recent history and leaves.
    const dump = await runCli([room, "--url", server.url, "--json"], "");
    expect(dump.code, dump.stderr).toBe(0);
    const history = dump.lines.map((line) => JSON.parse(line) as RoomEvent);
    expect(messageTexts(history)).toEqual(["before the bot", "live\nwith two lines", "from the bot"]);
  });

  it("lets two terminal clients chat with each other", async () => {
    const room = uniqueRoom("cli");
    const alice = cli([room, "--url", server.url, "--name", "alice"]);
    await alice.waitStderr("you are in");
    const bob = cli([room, "--url", server.url, "--name", "bob"]);
    await bob.waitStderr("you are in");
    // Her own join may still be held when bob comes: then one line says both.
    await alice.waitStdout(/--> (alice and )?bob joined/);

    alice.write("hi bob\n");
    await bob.waitStdout(/<alice> hi bob/);
    bob.write("hello alice\n");
    await alice.waitStdout(/<bob> hello alice/);

    bob.end();
    expect(await bob.waitExit(), bob.describe()).toBe(0);
    await alice.waitStdout(/<-- bob left/);
    alice.end();
    expect(await alice.waitExit(), alice.describe()).toBe(0);
    for (const proc of [alice, bob]) {
      expect(count(proc.stdout, "hi bob"), proc.describe()).toBe(1);
      expect(count(proc.stdout, "hello alice"), proc.describe()).toBe(1);
    }
  });

  it("leaves at once on SIGTERM (143) and SIGINT (130); the room sees it leave", async () => {
    const room = uniqueRoom("cli");
    const { socket } = await watcher(server.url, room);
    for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
      const bot = cli([room, "--url", server.url, "--name", "bot"]);
      await bot.waitStderr("you are in");
      bot.signal(signal);
      expect(await bot.waitExit(), bot.describe()).toBe(code);
      expect(await socket.next((f) => f.type === "left")).toMatchObject({ member: { name: "bot" } });
    }
  });

  it("reports lines the room cannot take, sends the rest, and exits 1", async () => {
    const room = uniqueRoom("cli");
    const result = await runCli([room, "--url", server.url, "--name", "bot"], `fine\n${"x".repeat(2001)}\nalso fine\n`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not sent: "x+…": text must be at most 2000 characters/);
    expect(result.stderr).toContain("parley: 1 message could not be sent");
    expect(messageTexts(await stored(server.url, room))).toEqual(["fine", "also fine"]);
  });
});

describe("refusals and exit codes", () => {
  const usage = async (args: string[], message: RegExp) => {
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("Try 'parley --help'");
    expect(result.stdout).toBe("");
  };

  it("exits 2 with a clear message for bad arguments, before connecting", async () => {
    await Promise.all([
      usage(["lobby", "--colour"], /^parley: unknown option '--colour'$/m),
      usage([], /which room\?/),
      usage(["no such room"], /invalid room "no such room": room names are 1-64 characters of a-z, 0-9, - and _/),
      usage(["lobby", "--url", "localhost:8787"], /--url needs http:\/\/ or https:\/\//),
      usage(["lobby", "--url", "http://bad host"], /--url is not a valid URL/),
      usage(["http://127.0.0.1:1/elsewhere"], /is not a room link/),
      usage(["lobby", "--name", "x".repeat(40)], /invalid name: name must be at most 32 characters/),
      usage(["lobby", "--timeout", "never"], /--timeout takes a number of seconds/),
    ]);
  });

  it("prints help with the exit codes (0)", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: parley <room>/);
    expect(result.stdout).toMatch(/Exit codes:\n {2}0 /);
  });

  it("exits 1 when the server is unreachable, 3 for a private room it does not know", async () => {
    const port = await freePort(); // nothing listens there
    const unreachable = await runCli(["lobby", "--url", `http://127.0.0.1:${port}`]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe(`parley: cannot reach http://127.0.0.1:${port}: connection refused (is the server running?)\n`);

    const id = "ab".repeat(32);
    const unknown = await runCli([`${server.url}/r/${id}`]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe(`parley: no such private room on ${server.url}: ${id}\n`);

    // A room link that does exist works like --url + room.
    const created = (await (await fetch(`${server.url}/api/rooms`, { method: "POST" })).json()) as { url: string; room: string };
    const linked = await runCli([created.url, "--name", "linker"], "via the link\n");
    expect(linked.code, linked.stderr).toBe(0);
    expect(messageTexts(await stored(server.url, created.room))).toEqual(["via the link"]);
  });

  it("exits 3 when the room refuses the name or is full", async () => {
    const room = uniqueRoom("refuse");
    // Valid for the client's default limit (32), too long for this server (NAME_MAX 8).
    const longName = await runCli([room, "--url", server.url, "--name", "longername"]);
    expect(longName.code, longName.stderr).toBe(3);
    expect(longName.stderr).toMatch(/parley: the room refused the name: name must be at most 8 characters \(name_invalid\)/);

    for (const name of ["a", "b", "c", "d", "e"]) await watcher(server.url, room, name);
    const full = await runCli([room, "--url", server.url, "--name", "late"]);
    expect(full.code, full.stderr).toBe(3);
    expect(full.stderr).toMatch(/parley: the room is full/);
  });
});

describe("interactive (a terminal)", () => {
  /** The screen lines from the client, time stamps removed. */
  const untimed = (lines: string[]) => lines.map((l) => l.replace(/^\d\d:\d\d (#\d+ )?/, ""));

  it("keeps a partly typed line intact while messages arrive, and shows a sent line once", async () => {
    const room = uniqueRoom("tty");
    const { socket: bob } = await watcher(server.url, room, "bob");
    const alice = pty([room, "--url", server.url, "--name", "alice"], { cols: 60, env: { NO_COLOR: undefined } });
    await alice.waitLine("you are in");
    const prompt = `${room}>`; // as the screen shows it: trailing blanks trimmed

    alice.type("hel");
    await alice.waitScreen((l) => l.at(-1) === `${prompt} hel`, "the typed text");
    // Typing is announced to the room (the room client throttles it).
    expect(await bob.nextOf("typing")).toMatchObject({ member: { name: "alice" } });
    bob.send({ type: "message", text: "interrupting you", id: "b1" });
    await alice.waitLine("<bob> interrupting you");
    await alice.waitScreen((l) => l.at(-1) === `${prompt} hel`, "the typed text back under the message");
    let screen = untimed(alice.screen);
    expect(screen.slice(-2)).toEqual(["<bob> interrupting you", `${prompt} hel`]);

    // A line longer than the terminal: it wraps, and survives another message intact.
    const rest = "lo, and this line is long enough to wrap on a sixty column terminal";
    alice.type(rest);
    await alice.waitScreen((l) => l.join("").endsWith("column terminal"), "the long line");
    bob.send({ type: "message", text: "me again", id: "b2" });
    await alice.waitLine("<bob> me again");
    const input = `${prompt} hel${rest}`;
    await alice.waitScreen((l) => l.at(-1) === input.slice(60), "the wrapped line back under the message");
    screen = untimed(alice.screen);
    expect(screen.slice(-3)).toEqual(["<bob> me again", input.slice(0, 60).trimEnd(), input.slice(60)]);

    // Enter: bob gets exactly the typed text, and the screen shows it once, as the room's event.
    alice.type("\r");
    expect((await bob.nextMessage((m) => m.from.name === "alice")).text).toBe(`hel${rest}`);
    await alice.waitLine(/<alice> hello, and/);
    await alice.waitScreen((l) => l.at(-1) === prompt, "the prompt after the sent line");
    screen = alice.screen;
    expect(screen.filter((l) => l.includes("hello, and this line"))).toHaveLength(1);
    expect(screen.at(-1)).toBe(prompt);
    // Nothing but complete lines: no fragment of a prompt or input was left behind.
    expect(screen.filter((l) => l.startsWith(room) && l !== prompt)).toEqual([]);

    // Colours on a terminal by default: names coloured, times dimmed.
    expect(alice.raw).toMatch(/\x1b\[2m\d\d:\d\d\x1b\[0m \x1b\[2m#\d+\x1b\[0m <\x1b\[\d+mbob\x1b\[0m> interrupting you/);

    alice.type("/quit\r");
    expect(await alice.waitExit(), alice.describe()).toBe(0);
    expect(await bob.next((f) => f.type === "left")).toMatchObject({ member: { name: "alice" } });
  });

  it("runs /me, /nick, /who, /help and refuses unknown commands; no colour with NO_COLOR", async () => {
    const room = uniqueRoom("tty");
    const { socket: bob } = await watcher(server.url, room, "bob");
    const alice = pty([room, "--url", server.url, "--name", "alice"], { env: { NO_COLOR: "1" } });
    await alice.waitLine("you are in");

    alice.type("/me waves\r");
    expect(await bob.nextMessage()).toMatchObject({ text: "waves", action: true, from: { name: "alice" } });
    await alice.waitLine(/^\d\d:\d\d #\d+ \* alice waves$/);

    alice.type("/nick ally\r");
    expect(await bob.next((f) => f.type === "renamed")).toMatchObject({ from: "alice", member: { name: "ally" } });
    await alice.waitLine(/--- alice is now ally$/);

    alice.type("/who\r");
    await alice.waitLine("--- 2 online: bob, ally (you)");
    alice.type("/help\r");
    await alice.waitLine(/\/history \[N\]/);
    alice.type("/dance\r");
    await alice.waitLine("!!! Unknown command /dance. Type /help");
    alice.type("//slash at the start\r");
    expect(await bob.nextMessage()).toMatchObject({ text: "/slash at the start" });

    // Ctrl-D leaves like /quit.
    alice.type("\x04");
    expect(await alice.waitExit(), alice.describe()).toBe(0);
    expect(await bob.next((f) => f.type === "left")).toMatchObject({ member: { name: "ally" } });
    expect(alice.raw).not.toMatch(/\x1b\[[0-9;]*m/);
  });

  it("scrolls back with /history N", async () => {
    const room = uniqueRoom("tty");
    const { socket: writer } = await watcher(server.url, room, "writer"); // seq 1
    for (let i = 0; i < 60; i++) writer.send({ type: "message", text: `m${i}`, id: `m${i}` }); // seqs 2..61
    await writer.nextMessage((m) => m.id === "m59");

    const alice = pty([room, "--url", server.url, "--name", "alice"], { rows: 100 });
    await alice.waitLine("; /history for earlier events");
    // The welcome replays the newest 50 events: m11 (seq 13) … alice's own join (seq 62).
    expect(untimed(alice.screen).filter((l) => /^<writer> m\d+$/.test(l))[0]).toBe("<writer> m11");

    alice.type("/history 5\r");
    await alice.waitLine("--- end of earlier events (/history for more)");
    let screen = untimed(alice.screen);
    let start = screen.indexOf("--- 5 earlier events:");
    expect(screen.slice(start + 1, start + 7)).toEqual([
      expect.stringMatching(/^--- \w{3} \d+ \w{3} \d{4} ---$/), // the day, as scroll-back is out of order
      "<writer> m6",
      "<writer> m7",
      "<writer> m8",
      "<writer> m9",
      "<writer> m10",
    ]);

    alice.type("/history 100\r");
    await alice.waitLine("--- that is the beginning of the room");
    screen = untimed(alice.screen);
    start = screen.indexOf("--- 7 earlier events:");
    expect(screen.slice(start + 2, start + 9)).toEqual([
      "--> writer joined",
      ...["m0", "m1", "m2", "m3", "m4", "m5"].map((t) => `<writer> ${t}`),
    ]);
    alice.type("/history\r");
    await alice.waitLine("--- no earlier events: that is the beginning of the room");

    // Ctrl-C: leave at once, exit 130.
    alice.type("\x03");
    expect(await alice.waitExit(), alice.describe()).toBe(130);
  });
});

describe("the packaged `parley` command", () => {
  it("runs from the bundle that `prepare` builds, without TypeScript", async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), "parley-bin-"));
    try {
      // The same layout as the package: bin/parley.mjs next to dist/cli/parley.mjs.
      mkdirSync(joinPath(dir, "bin"));
      copyFileSync(joinPath(ROOT, "bin/parley.mjs"), joinPath(dir, "bin/parley.mjs"));
      execFileSync(process.execPath, [joinPath(ROOT, "scripts/build-cli.mjs"), "--outfile", joinPath(dir, "dist/cli/parley.mjs")], {
        stdio: "pipe",
      });
      const bin = joinPath(dir, "bin/parley.mjs");
      const help = execFileSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
      expect(help).toMatch(/^Usage: parley <room>/);

      const room = uniqueRoom("bin");
      const out = execFileSync(process.execPath, [bin, room, "--url", server.url, "--name", "packaged"], {
        input: "from the bundle\n",
        encoding: "utf8",
        stdio: "pipe",
        env: { ...process.env, NO_COLOR: "1" },
        timeout: 20_000,
      });
      expect(out).toMatch(/<packaged> from the bundle/);
      expect(messageTexts(await stored(server.url, room))).toEqual(["from the bundle"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Last: it restarts the server the other tests use.
describe("a server restart", () => {
  it("reconnects by itself and shows what was sent meanwhile exactly once", async () => {
    const room = uniqueRoom("restart");
    const reader = cli([room, "--url", server.url, "--name", "reader"]);
    await reader.waitStderr("you are in");
    const first = await join(server.url, room, "writer");
    first.socket.send({ type: "message", text: "before the restart", id: "w-before" });
    await reader.waitStdout("<writer> before the restart");
    // A second client that will give up: its message is never acknowledged.
    const quitter = cli([room, "--url", server.url, "--name", "quitter", "--timeout", "2"]);
    await quitter.waitStderr("you are in");
    // And a person at a terminal.
    const typist = pty([room, "--url", server.url, "--name", "typist"], { cols: 100 });
    await typist.waitLine("you are in");

    await server.kill();
    await reader.waitStderr("connection lost; reconnecting");
    await quitter.waitStderr("connection lost; reconnecting");
    quitter.end("nobody will ever see this\n");
    reader.write("written while the server was down\n");
    await typist.waitLine("--- connection lost; reconnecting…");
    typist.type("typed while offline\r");
    await typist.waitLine("--- not connected: it will be sent when the connection is back");
    await typist.waitScreen((l) => l.at(-1) === `${room} [reconnecting, 1 unsent]>`, "the prompt to show the unsent message");
    expect(await quitter.waitExit(30_000)).toBe(1);
    expect(quitter.stderr).toContain("parley: gave up: 1 message not acknowledged by the room within 2 s (reconnecting)");

    server = await startWranglerDev({ port: server.port, persistDir, vars });
    // Another name: the first writer's session outlived the restart (it is held for its reconnect), and names are unique.
    const again = await join(server.url, room, "writer2");
    sockets.push(again.socket);
    again.socket.send({ type: "message", text: "sent while the reader was away", id: "w-meanwhile" });

    await reader.waitStdout("<writer2> sent while the reader was away", 30_000);
    await reader.waitStdout("<reader> written while the server was down", 30_000);
    await reader.waitStderr("reconnected");
    await reader.waitStdout("<typist> typed while offline", 30_000);
    reader.end();
    expect(await reader.waitExit(), reader.describe()).toBe(0);

    await typist.waitLine("--- reconnected");
    await typist.waitScreen((l) => l.at(-1) === `${room}>`, "the prompt back to normal");
    const typistScreen = typist.screen.join("\n");
    typist.type("/quit\r");
    expect(await typist.waitExit(), typist.describe()).toBe(0);

    const texts = ["before the restart", "sent while the reader was away", "written while the server was down", "typed while offline"];
    for (const text of texts) {
      expect(count(reader.stdout, text), `${text}\n${reader.describe()}`).toBe(1);
      expect(count(typistScreen, text), `${text}\n${typistScreen}`).toBe(1);
    }
    // Stored once each (those after the restart in whichever order the reconnects made); the quitter's line never.
    const kept = messageTexts(await stored(server.url, room));
    expect(kept[0]).toBe("before the restart");
    expect([...kept].sort()).toEqual([...texts].sort());
  }, 120_000);
});
