/**
 * The terminal client's pure parts: sanitising untrusted text, formatting
 * lines, colour choice, command parsing, argument parsing and exit codes.
 */
import { describe, expect, it } from "vitest";
import { parseCliArgs, resolveTarget, type CliOptions } from "../../src/cli/args.ts";
import { parseCommand } from "../../src/client/chat/commands.ts";
import { COMMAND_HELP, HISTORY_DEFAULT, TERMINAL_COMMANDS } from "../../src/cli/terminalCommands.ts";
import { closedOutcome, EXIT } from "../../src/cli/exitCodes.ts";
import { clockTime, cutToWidth, displayWidth, Formatter, nameColor, reactionCountsText, roomLabel, shortDate, useColor } from "../../src/cli/terminalText.ts";
import { sanitize } from "../../src/cli/sanitize.ts";
import { HELP } from "../../src/cli/help.ts";
import type { RoomEvent } from "../../src/protocol/frames.ts";

const ESC = "\x1b";

describe("sanitize", () => {
  it("leaves ordinary text, emoji and other scripts alone", () => {
    for (const text of ["hello", "héllo wörld", "日本語のテキスト", "👩‍👩‍👧 family", "a > b & c < d"]) {
      expect(sanitize(text)).toBe(text);
    }
  });

  it("removes escape sequences whole: colours, cursor moves, screen clears, titles, hyperlinks", () => {
    expect(sanitize(`${ESC}[31mred${ESC}[0m`)).toBe("red");
    expect(sanitize(`a${ESC}[2J${ESC}[H${ESC}[1;1Hb`)).toBe("ab");
    expect(sanitize(`${ESC}]0;pwned title\x07text`)).toBe("text");
    expect(sanitize(`${ESC}]8;;http://evil${ESC}\\link${ESC}]8;;${ESC}\\`)).toBe("link");
    expect(sanitize(`${ESC}P1$r${ESC}\\x`)).toBe("x");
    expect(sanitize(`\x9b31mred`)).toBe("red");
    expect(sanitize(`${ESC}7saved${ESC}8`)).toBe("saved");
    expect(sanitize(`${ESC}c`)).toBe("");
  });

  it("makes every other control character visible", () => {
    expect(sanitize("a\rb")).toBe("a^Mb");
    expect(sanitize("bell\x07")).toBe("bell^G");
    expect(sanitize("back\bspace\x7f")).toBe("back^Hspace^?");
    expect(sanitize("nul\0")).toBe("nul^@");
    expect(sanitize(`unterminated ${ESC}[12`)).toBe("unterminated ^[[12");
    expect(sanitize(`osc without end ${ESC}]0;title`)).toBe("osc without end ^[]0;title");
    expect(sanitize("c1 \x85 next line")).toBe("c1 <U+0085> next line");
  });

  it("shows bidirectional controls and line separators instead of obeying them", () => {
    expect(sanitize("abc\u202Edcb")).toBe("abc<U+202E>dcb");
    expect(sanitize("\u2066x\u2069")).toBe("<U+2066>x<U+2069>");
    expect(sanitize("one\u2028two")).toBe("one<U+2028>two");
  });

  it("keeps newlines and tabs only in multi-line text", () => {
    expect(sanitize("a\nb\tc", { multiline: true })).toBe("a\nb\tc");
    expect(sanitize("a\nb\tc")).toBe("a^Jb^Ic");
  });

  it("replaces unpaired surrogates", () => {
    expect(sanitize("x\uD800y")).toBe("x\uFFFDy");
  });

  it("never lets an ESC or control byte through, whatever the input", () => {
    const alphabet = [ESC, "[", "]", "\x07", "\\", "\x9b", "\x9c", "\r", "\n", "a", "0", ";", "P", "\u202E"];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      let input = "";
      for (let j = 0; j < 12; j++) input += alphabet[Math.floor(random() * alphabet.length)];
      // eslint-disable-next-line no-control-regex
      expect(sanitize(input)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202E]/);
      // eslint-disable-next-line no-control-regex
      expect(sanitize(input, { multiline: true })).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202E]/);
    }
  });
});

describe("colour", () => {
  it("is on for a terminal and off for pipes", () => {
    expect(useColor(true, {})).toBe(true);
    expect(useColor(false, {})).toBe(false);
  });

  it("respects NO_COLOR, FORCE_COLOR and TERM=dumb", () => {
    expect(useColor(true, { NO_COLOR: "1" })).toBe(false);
    expect(useColor(true, { NO_COLOR: "" })).toBe(true); // no-color.org: only a non-empty value counts
    expect(useColor(true, { FORCE_COLOR: "0" })).toBe(false);
    expect(useColor(true, { FORCE_COLOR: "false" })).toBe(false);
    expect(useColor(false, { FORCE_COLOR: "1" })).toBe(true);
    expect(useColor(true, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
    expect(useColor(true, { TERM: "dumb" })).toBe(false);
  });

  it("gives each name a stable colour, and different names different ones", () => {
    expect(nameColor("alice")).toBe(nameColor("alice"));
    const colours = new Set(["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"].map(nameColor));
    expect(colours.size).toBeGreaterThan(3);
    for (const c of colours) expect(c).not.toBe(31); // red is for errors
  });
});

describe("formatting", () => {
  const ts = new Date(2026, 10, 3, 9, 5).getTime();
  const alice = { id: "a1", name: "alice" };
  const plain = new Formatter({ color: false, selfId: () => "a1" });
  const message = (text: string, extra: Partial<RoomEvent> = {}): RoomEvent =>
    ({ type: "message", seq: 1, ts, from: { id: "b2", name: "bob" }, text, ...extra }) as RoomEvent;

  it("shows times as local HH:MM, and dates in short English", () => {
    expect(clockTime(ts)).toBe("09:05");
    expect(clockTime(new Date(2026, 0, 1, 23, 59).getTime())).toBe("23:59");
    expect(shortDate(ts)).toBe("Tue 3 Nov 2026");
    expect(plain.day(ts)).toBe("--- Tue 3 Nov 2026 ---");
  });

  it("formats each kind of event", () => {
    expect(plain.event(message("hi all"))).toEqual(["09:05 #1 <bob> hi all"]);
    expect(plain.event(message("waves", { action: true } as Partial<RoomEvent>))).toEqual(["09:05 #1 * bob waves"]);
    expect(plain.event({ type: "joined", seq: 2, ts, member: alice })).toEqual(["09:05 --> alice joined"]);
    expect(plain.event({ type: "left", seq: 3, ts, member: alice })).toEqual(["09:05 <-- alice left"]);
    expect(plain.event({ type: "renamed", seq: 4, ts, member: { id: "a1", name: "ally" }, from: "alice" })).toEqual([
      "09:05 --- alice is now ally",
    ]);
  });

  it("indents the lines of a multi-line message under the first", () => {
    expect(plain.event(message("one\ntwo\nthree"))).toEqual(["09:05 #1 <bob> one", "               two", "               three"]);
  });

  it("sanitises names and text from the room", () => {
    const [line] = plain.event({
      ...message(`${ESC}[2Jgotcha\r<admin> fake`),
      from: { id: "x", name: `ev${ESC}[8mil` },
    } as RoomEvent);
    expect(line).toBe("09:05 #1 <evil> gotcha^M<admin> fake");
  });

  it("prints a link as it really goes: a look-alike host in punycode, its bidi controls gone", () => {
    // "раypal.com" with a Cyrillic р and а; a link whose end is reversed to look like a picture.
    expect(plain.event(message("pay at https://\u0440\u0430ypal.com/login now"))).toEqual(["09:05 #1 <bob> pay at https://xn--ypal-43d9g.com/login now"]);
    expect(plain.event(message("see https://example.com/\u202Egnp.exe"))).toEqual(["09:05 #1 <bob> see https://example.com/gnp.exe"]);
    // Outside links, a bidi control stays visible rather than silently reordering.
    expect(plain.event(message("\u202Eoops"))).toEqual(["09:05 #1 <bob> <U+202E>oops"]);
  });

  it("colours names (own name bold) and dims times, only when asked", () => {
    const color = new Formatter({ color: true, selfId: () => "a1" });
    const [line] = color.event({ type: "message", seq: 1, ts, from: alice, text: "hi" });
    expect(line).toBe(`${ESC}[2m09:05${ESC}[0m ${ESC}[2m#1${ESC}[0m <${ESC}[1m${ESC}[${nameColor("alice")}malice${ESC}[0m> hi`);
    // A hostile name cannot smuggle its own escapes into the coloured output.
    const [other] = color.event(message("x", { from: { id: "z", name: `${ESC}[31mred` } } as Partial<RoomEvent>));
    expect(other).toContain(`${ESC}[${nameColor(`${ESC}[31mred`)}mred${ESC}[0m`);
    expect(plain.event(message("hi")).join("")).not.toContain(ESC);
  });

  it("shows an edited message with (edited), a deleted one without its text, and moderation as a sentence", () => {
    expect(plain.event(message("fixed", { edited: ts + 60_000 } as Partial<RoomEvent>))).toEqual(["09:05 #1 <bob> fixed (edited)"]);
    expect(plain.event({ type: "message", seq: 7, ts, from: { id: "b2", name: "bob" }, deleted: true })).toEqual(["09:05 #7 <bob> (message deleted)"]);
    const bob = { id: "b2", name: "bob" };
    expect(plain.event({ type: "deleted", seq: 8, ts, target: 7, by: alice })).toEqual(["09:05 --- alice deleted message #7."]);
    expect(plain.event({ type: "kicked", seq: 9, ts, member: bob, by: alice, reason: `rude${ESC}[2J` })).toEqual([
      "09:05 --- bob was removed by alice: rude",
    ]);
    expect(plain.event({ type: "kicked", seq: 9, ts, member: alice, by: bob })).toEqual(["09:05 --- bob removed you from the room"]);
    expect(plain.event({ type: "settings", seq: 10, ts, by: alice, topic: "", slowModeSeconds: 0, locked: true })).toEqual([
      "09:05 --- alice cleared the topic. alice turned slow mode off. alice locked the room: only its members and owners can join.",
    ]);
  });

  it("puts a reply's quote on a line above it, under the name, cut to the terminal's width", () => {
    const quote = { seq: 41, from: alice, snippet: "shall we meet at noon tomorrow, near the station by the old clock tower?" };
    expect(plain.event(message("sure", { seq: 42, replyTo: quote } as Partial<RoomEvent>))).toEqual([
      "          ↳ #41 alice: shall we meet at noon tomorrow, near the station by the old clock tower?",
      "09:05 #42 <bob> sure",
    ]);
    const narrow = new Formatter({ color: false, columns: () => 50 });
    const lines = narrow.event(message("sure", { seq: 42, replyTo: { ...quote, edited: true } } as Partial<RoomEvent>));
    expect(lines).toEqual(["          ↳ #41 alice: shall we meet at… (edited)", "09:05 #42 <bob> sure"]);
    expect(displayWidth(lines[0]!)).toBe(49);
    expect(narrow.event(message("ok", { seq: 42, replyTo: { seq: 41, from: alice, deleted: true } } as Partial<RoomEvent>))).toEqual([
      "          ↳ #41 alice: (deleted)",
      "09:05 #42 <bob> ok",
    ]);
    // Sanitised like all room text: a hostile quote cannot move the cursor or break the line.
    const hostile = { seq: 1, from: { id: "x", name: `m${ESC}[2Jal` }, snippet: `a\nb${ESC}]0;title\x07c\u202Ed` };
    expect(plain.event(message("x", { seq: 2, replyTo: hostile } as Partial<RoomEvent>))[0]).toBe("         ↳ #1 mal: a^Jbc<U+202E>d");
    // Dim when coloured, as one run.
    const color = new Formatter({ color: true });
    expect(color.event(message("x", { seq: 2, replyTo: { seq: 1, from: alice, deleted: true } } as Partial<RoomEvent>))[0]).toBe(
      `         ${ESC}[2m↳ #1 alice: (deleted)${ESC}[0m`,
    );
  });

  it("shows a search result on one row, #seq first, its words highlighted when coloured, cut to the width", () => {
    const result = { seq: 42, ts, from: { id: "b2", name: "bob" }, snippet: "…the Launch is at noon, launching soon" };
    expect(plain.searchResult(result, "launch", ts)).toBe("#42 09:05 bob: …the Launch is at noon, launching soon");
    // Another day: the date too (the year only when not this one).
    expect(plain.searchResult(result, "launch", new Date(2026, 10, 4, 8).getTime())).toBe("#42 3 Nov 09:05 bob: …the Launch is at noon, launching soon");
    expect(plain.searchResult(result, "launch", new Date(2027, 0, 4).getTime())).toMatch(/^#42 3 Nov 2026 09:05 bob: /);
    const color = new Formatter({ color: true });
    const line = color.searchResult(result, "launch", ts);
    expect(line).toContain(`the ${ESC}[1;7mLaunch${ESC}[0m is at noon, ${ESC}[1;7mlaunching${ESC}[0m soon`);
    const narrow = new Formatter({ color: false, columns: () => 40 });
    expect(narrow.searchResult(result, "launch", ts)).toBe("#42 09:05 bob: …the Launch is at noon,…");
    expect(displayWidth(narrow.searchResult(result, "launch", ts))).toBeLessThan(40);
    // Sanitised: a hostile snippet or name cannot move the cursor or break the row.
    const hostile = { ...result, from: { id: "x", name: `m${ESC}[2Jal` }, snippet: `a\nb${ESC}]0;title\x07c\u202Ed` };
    expect(plain.searchResult(hostile, "a", ts)).toBe("#42 09:05 mal: a^Jbc<U+202E>d");
  });

  it("highlights a message that mentions me, in colour only, and never my own", () => {
    const mentioning = message("@alice look", { mentions: ["a1"] } as Partial<RoomEvent>);
    expect(plain.event(mentioning)).toEqual(["09:05 #1 <bob> @alice look"]);
    const color = new Formatter({ color: true, selfId: () => "a1" });
    expect(color.event(mentioning)[0]).toContain(`${ESC}[1;33m@alice look${ESC}[0m`);
    expect(color.event(message("@carol look", { mentions: ["c3"] } as Partial<RoomEvent>))[0]).not.toContain(`${ESC}[1;33m`);
    const mine = message("@alice note to self", { from: alice, mentions: ["a1"] } as Partial<RoomEvent>);
    expect(color.event(mine)[0]).not.toContain(`${ESC}[1;33m`);
  });

  it("shows a message's reactions after it, and a reactions event as one line", () => {
    expect(plain.event(message("lunch?", { reactions: { "👍": 3, "❤️": 1 } } as Partial<RoomEvent>))).toEqual(["09:05 #1 <bob> lunch? (👍 3 ❤️ 1)"]);
    expect(plain.event(message("a\nb", { edited: ts, reactions: { "🎉": 1 } } as Partial<RoomEvent>))).toEqual([
      "09:05 #1 <bob> a",
      "               b (edited) (🎉 1)",
    ]);
    const event = { type: "reactions", seq: 9, ts, target: 1, by: alice, emoji: "👍", on: true, counts: { "👍": 3, "❤️": 1 } } as const;
    expect(plain.event(event)).toEqual(["09:05 --- alice reacted 👍 to #1 (👍 3 ❤️ 1)"]);
    expect(plain.event({ ...event, on: false, emoji: "❤️", counts: { "👍": 3 } })).toEqual(["09:05 --- alice took back ❤️ on #1 (👍 3)"]);
    expect(plain.event({ ...event, on: false, counts: {} })).toEqual(["09:05 --- alice took back 👍 on #1 (none left)"]);
    // What a hostile server might send: escapes, silly counts, hundreds of emoji.
    expect(reactionCountsText({ [`${ESC}[2J👍`]: 2, "❤️": 0, "🎉": 1.5, "😀": -1 })).toBe("👍 2");
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [String.fromCodePoint(0x1f600 + i), 1]));
    expect(reactionCountsText(many).split(" ").length).toBe(41);
    expect(reactionCountsText(many).endsWith("1 …")).toBe(true);
  });

  it("measures and cuts text by terminal columns: emoji and wide characters take two, marks none", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("👍")).toBe(2);
    expect(displayWidth("❤️")).toBe(2);
    expect(displayWidth("👩‍👩‍👧")).toBe(2);
    expect(displayWidth("日本")).toBe(4);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(cutToWidth("hello world", 20)).toBe("hello world");
    expect(cutToWidth("hello world", 8)).toBe("hello w…");
    expect(cutToWidth("hello world", 7)).toBe("hello…");
    expect(cutToWidth("日本語のテキスト", 7)).toBe("日本語…");
    expect(cutToWidth("ab👩‍👩‍👧cd", 4)).toBe("ab…");
  });

  it("lists the moderation commands in /help, each usage in one column", () => {
    for (const usage of ["/edit [#SEQ] TEXT", "/delete #SEQ", "/reply #SEQ TEXT", "/react #SEQ EMOJI", "/kick NAME [REASON]", "/ban NAME [MINUTES] [REASON]", "/bans", "/unban ID|NAME", "/topic [TEXT|-]", "/slow [SECONDS|off]", "/lock, /unlock"]) {
      expect(COMMAND_HELP.some((line) => line.startsWith(usage)), usage).toBe(true);
    }
    // Where the description starts: after the usage and at least two blanks, the same on every line.
    const column = (line: string) => /^\S+(?: \S+)* {2,}/.exec(line)![0].length;
    expect(new Set(COMMAND_HELP.slice(0, -1).filter((line) => !line.startsWith(" ")).map(column)).size).toBe(1);
    // Under /help's indent of 4 it all fits an 80-column terminal; a long description goes on under its column.
    for (const line of COMMAND_HELP) expect(4 + displayWidth(line), line).toBeLessThan(80);
    expect(COMMAND_HELP.some((line) => /^ {20,}\S/.test(line))).toBe(true);
    expect(COMMAND_HELP).toContainEqual(expect.stringMatching(/^\/more +show older matches of the last \/search$/));
  });

  it("lists members with the user marked", () => {
    expect(plain.members({ members: [alice, { id: "b2", name: "bob" }], online: 2, crowd: false })).toBe(
      "--- 2 online: alice (you), bob",
    );
    expect(plain.members({ members: [{ ...alice, role: "owner" }], online: 1, crowd: false })).toBe("--- 1 online: alice (owner) (you)");
  });

  it("counts a crowd instead of listing it", () => {
    expect(plain.members({ members: [], online: 1234, crowd: true })).toBe("--- 1234 online (too many to list)");
  });

  it("shortens private room ids", () => {
    expect(roomLabel("lobby")).toBe("lobby");
    expect(roomLabel("ab".repeat(32))).toBe("abababab…");
  });
});

describe("commands", () => {
  // The grammar is shared with the browser (test/client/commands.test.ts); these are the terminal's own.
  it("adds /history and /quit to the shared commands", () => {
    const parseInput = (line: string) => parseCommand(line, TERMINAL_COMMANDS);
    expect(parseInput("hello")).toEqual({ kind: "say", text: "hello" });
    expect(parseInput("/history")).toEqual({ kind: "history", count: HISTORY_DEFAULT });
    expect(parseInput("/history 5")).toEqual({ kind: "history", count: 5 });
    expect(parseInput("/history lots")).toMatchObject({ kind: "invalid" });
    expect(parseInput("/quit")).toEqual({ kind: "quit" });
    expect(parseInput("/exit")).toEqual({ kind: "quit" });
  });

  it("documents every command it understands in /help", () => {
    const help = COMMAND_HELP.join("\n");
    for (const usage of ["/me", "/nick", "/who", "/history", "/help", "/quit", "//text", "Ctrl-D"]) expect(help).toContain(usage);
  });
});

describe("arguments", () => {
  const run = (argv: string[]) => parseCliArgs(argv, "me");
  const options = (argv: string[]): CliOptions => {
    const parsed = run(argv);
    if (parsed.kind !== "run") throw new Error(`expected options, got ${JSON.stringify(parsed)}`);
    return parsed.options;
  };
  const usage = (argv: string[]) => {
    const parsed = run(argv);
    if (parsed.kind !== "usage") throw new Error(`expected a usage error, got ${JSON.stringify(parsed)}`);
    return parsed.message;
  };

  it("has defaults", () => {
    expect(options(["lobby"])).toEqual({
      baseUrl: "http://localhost:8787",
      room: "lobby",
      name: "me",
      json: false,
      quiet: false,
      timeoutMs: 30_000,
    });
  });

  it("takes every option, long, short and with =", () => {
    expect(options(["Lobby", "--name", "alice", "--url", "https://chat.example.com/", "--json", "--timeout", "2.5"])).toEqual({
      baseUrl: "https://chat.example.com",
      room: "lobby",
      name: "alice",
      json: true,
      quiet: false,
      timeoutMs: 2500,
    });
    expect(options(["lobby", "--quiet"])).toMatchObject({ quiet: true });
    expect(options(["lobby", "-q", "--json"])).toMatchObject({ quiet: true, json: true });
    expect(options(["-n", "bob", "-u", "http://127.0.0.1:9000", "x", "-t", "1"])).toMatchObject({
      name: "bob",
      baseUrl: "http://127.0.0.1:9000",
      room: "x",
      timeoutMs: 1000,
    });
    expect(options(["--name=  Zoë  ", "--", "-dash-room"])).toMatchObject({ name: "Zoë", room: "-dash-room" });
    expect(run(["-h"])).toEqual({ kind: "help" });
    expect(run(["lobby", "--help", "--bogus"])).toMatchObject({ kind: "usage" });
  });

  it("accepts room links and websocket URLs", () => {
    const id = "0123456789abcdef".repeat(4);
    expect(resolveTarget(`https://parley.example.workers.dev/r/${id}`, undefined)).toEqual({
      baseUrl: "https://parley.example.workers.dev",
      room: id,
    });
    expect(resolveTarget("http://127.0.0.1:8787/r/Lobby/", undefined)).toEqual({ baseUrl: "http://127.0.0.1:8787", room: "lobby" });
    expect(resolveTarget("ws://127.0.0.1:8787/api/rooms/lobby/ws", undefined)).toEqual({
      baseUrl: "http://127.0.0.1:8787",
      room: "lobby",
    });
    expect(resolveTarget("lobby", "wss://chat.example.com")).toEqual({ baseUrl: "https://chat.example.com", room: "lobby" });
  });

  it("refuses bad rooms, names, URLs and flags with a clear message", () => {
    expect(usage([])).toMatch(/which room/);
    expect(usage(["a", "b"])).toMatch(/one room at a time/);
    expect(usage(["no spaces!"])).toMatch(/invalid room "no spaces!": room names are 1-64 characters/);
    expect(usage(["x".repeat(65)])).toMatch(/invalid room/);
    expect(usage(["lobby", "--name", "   "])).toMatch(/invalid name: name must not be empty/);
    expect(usage(["lobby", "--name", "x".repeat(33)])).toMatch(/at most 32 characters/);
    expect(usage(["lobby", "--name", "a\u202Eb"])).toMatch(/invalid name/);
    expect(usage(["lobby", "--url", "localhost:8787"])).toMatch(/needs http:\/\/ or https:\/\//);
    expect(usage(["lobby", "--url", "http://exa mple.com"])).toMatch(/not a valid URL/);
    expect(usage(["lobby", "--url", "ftp://example.com"])).toMatch(/must be http:\/\/ or https:\/\//);
    expect(usage(["lobby", "--url", "http://example.com/chat"])).toMatch(/without a path/);
    expect(usage(["lobby", "--url", "http://example.com/r/lobby"])).toMatch(/give the link instead/);
    expect(usage(["http://example.com/r/lobby", "--url", "http://example.com"])).toMatch(/not both/);
    expect(usage(["http://example.com/about"])).toMatch(/not a room link/);
    expect(usage(["http://example.com/r/bad%20room"])).toMatch(/invalid room "bad room"/);
    expect(usage(["lobby", "--bogus"])).toMatch(/^unknown option '--bogus'$/);
    expect(usage(["lobby", "--name"])).toMatch(/argument missing/);
    expect(usage(["lobby", "--json=yes"])).toMatch(/does not take an argument/);
    expect(usage(["lobby", "--timeout", "soon"])).toMatch(/--timeout takes a number of seconds/);
    expect(usage(["lobby", "--timeout", "0"])).toMatch(/--timeout/);
  });
});

describe("owner keys on the command line", () => {
  const KEY = "k3y-Secret_0123456789abcdefghijklmnopqrstu";
  const run = (argv: string[], env: Record<string, string> = {}) => parseCliArgs(argv, "me", env);
  const ownerKey = (argv: string[], env?: Record<string, string>) => {
    const parsed = run(argv, env);
    return parsed.kind === "run" ? parsed.options.ownerKey : parsed.kind;
  };

  it("takes the key from an owner link, --owner-key or PARLEY_OWNER_KEY, and the room from the link", () => {
    const parsed = run([`https://chat.example.com/r/lobby#owner=${KEY}`]);
    expect(parsed).toEqual({
      kind: "run",
      options: { baseUrl: "https://chat.example.com", room: "lobby", name: "me", json: false, quiet: false, timeoutMs: 30_000, ownerKey: KEY },
    });
    expect(ownerKey(["lobby", "--owner-key", KEY])).toBe(KEY);
    expect(ownerKey(["lobby"], { PARLEY_OWNER_KEY: KEY })).toBe(KEY);
    expect(ownerKey([`http://h/r/lobby#owner=${KEY}`, "--owner-key", KEY])).toBe(KEY);
    expect(run(["lobby"])).toMatchObject({ kind: "run", options: expect.not.objectContaining({ ownerKey: expect.anything() }) });
  });

  it("takes a message link's seq (#m42, the browser's Copy link) and refuses other fragments", () => {
    expect(run(["https://chat.example.com/r/lobby#m42"])).toEqual({
      kind: "run",
      options: { baseUrl: "https://chat.example.com", room: "lobby", name: "me", json: false, quiet: false, timeoutMs: 30_000, linkedSeq: 42 },
    });
    for (const fragment of ["m0", "m", "m-1", "m4x", "M42", "m1234567890123456"]) {
      expect(run([`https://chat.example.com/r/lobby#${fragment}`]), fragment).toMatchObject({
        kind: "usage",
        message: expect.stringContaining("neither a message (#m42) nor an owner key"),
      });
    }
  });

  it("never repeats a key in a message, whatever is wrong", () => {
    const messages = [
      run([`https://chat.example.com/nowhere#owner=${KEY}`]),
      run([`https://chat.example.com/r/bad%20room#owner=${KEY}`]),
      run([`https://chat.example.com/r/lobby#owner=${KEY}`, "extra"]),
      run([`https://chat.example.com/r/lobby#key=${KEY}`]),
      run(["lobby", "--owner-key", `${KEY} with spaces`]),
      run(["lobby", "--owner-key", "short"]),
      run([`https://chat.example.com/r/lobby#owner=${KEY}`, "--owner-key", `${KEY}x`]),
    ].map((parsed) => (parsed.kind === "usage" ? parsed.message : `not refused: ${parsed.kind}`));
    expect(messages).toEqual([
      expect.stringContaining("is not a room link"),
      expect.stringContaining('invalid room "bad room"'),
      expect.stringContaining("one room at a time"),
      expect.stringContaining("nor an owner key"),
      expect.stringContaining("owner key is not valid"),
      expect.stringContaining("owner key is not valid"),
      expect.stringContaining("two different owner keys"),
    ]);
    for (const message of messages) expect(message).not.toContain(KEY.slice(0, 8));
  });
});

describe("exit codes", () => {
  it("maps each way the room can end the session", () => {
    const error = (code: "name_invalid" | "bad_request") => ({ type: "error" as const, code, message: "nope" });
    expect(closedOutcome({ code: 1000, reason: "x", error: error("name_invalid") })).toEqual({
      code: EXIT.refused,
      message: "the room refused the name: nope (name_invalid)",
    });
    expect(closedOutcome({ code: 1000, reason: "x", error: error("bad_request") }).code).toBe(EXIT.refused);
    expect(closedOutcome({ code: 4001, reason: "replaced" }).code).toBe(EXIT.refused);
    expect(closedOutcome({ code: 1008, reason: "flood" }).code).toBe(EXIT.refused);
    expect(closedOutcome({ code: 1002, reason: "Invalid URL" }).code).toBe(EXIT.usage);
    expect(closedOutcome({ code: 1011, reason: "" })).toEqual({ code: EXIT.failure, message: "connection closed (1011)" });
    // Text from the server is made safe for the terminal here too.
    expect(closedOutcome({ code: 1011, reason: "\x1b]0;owned\x07bye\r" }).message).toBe("connection closed (1011: bye^M)");
  });

  it("ends with 4 when kicked, 5 when banned, 3 when the name is taken or the room locked, in the browser's words", () => {
    const refusal = (code: "name_taken" | "banned" | "room_locked") => ({
      code: 1000,
      reason: code,
      error: { type: "error" as const, code, message: `\x1b[31m${code}` },
    });
    expect(closedOutcome({ code: 4003, reason: "kicked by carol: rude" })).toEqual({
      code: EXIT.kicked,
      message: "You were removed from the room (kicked by carol: rude). You may join again.",
    });
    expect(closedOutcome({ code: 4004, reason: "banned by carol\x1b[2J" })).toEqual({
      code: EXIT.banned,
      message: "You were banned from this room (banned by carol).",
    });
    expect(closedOutcome(refusal("banned"))).toEqual({ code: EXIT.banned, message: "You are banned from this room." });
    expect(closedOutcome(refusal("name_taken"))).toMatchObject({ code: EXIT.refused, message: expect.stringContaining("That name is taken") });
    expect(closedOutcome(refusal("room_locked"))).toMatchObject({ code: EXIT.refused, message: expect.stringContaining("This room is locked") });
  });

  it("are all documented in --help", () => {
    for (const code of Object.values(EXIT)) expect(HELP).toMatch(new RegExp(`\\b${code}\\b`));
  });
});
