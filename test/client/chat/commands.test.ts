/** The command language both clients share (pure: no server needed). */
import { describe, expect, it } from "vitest";
import { commandHelp, parseCommand as parseCore } from "../../../src/client/chat/commands.ts";
import { MODERATION, parseBanTerms } from "../../../src/client/chat/moderation.ts";

/** The shared grammar as the apps use it; moderation is opt-in (see the last describe). */
const parseCommand = parseCore;

describe("parseCommand", () => {
  it("sends ordinary text, trimmed", () => {
    expect(parseCommand("  hello  ")).toEqual({ kind: "say", text: "hello" });
    expect(parseCommand("line one\nline two")).toEqual({ kind: "say", text: "line one\nline two" });
    expect(parseCommand("   \n ")).toEqual({ kind: "empty" });
  });

  it("reads /me, /nick, /who and /help, case-insensitively, with their aliases", () => {
    expect(parseCommand("/me waves")).toEqual({ kind: "me", text: "waves" });
    expect(parseCommand("/ME  waves\nhappily ")).toEqual({ kind: "me", text: "waves\nhappily" });
    expect(parseCommand("/nick Bob Smith")).toEqual({ kind: "nick", name: "Bob Smith" });
    expect(parseCommand("/name bob")).toEqual({ kind: "nick", name: "bob" });
    expect(parseCommand("/who")).toEqual({ kind: "who" });
    expect(parseCommand("/names")).toEqual({ kind: "who" });
    expect(parseCommand("/Help")).toEqual({ kind: "help" });
  });

  it("explains a command used without its argument instead of sending it", () => {
    expect(parseCommand("/me")).toMatchObject({ kind: "invalid", message: expect.stringContaining("/me ACTION") });
    expect(parseCommand("/nick   ")).toMatchObject({ kind: "invalid", message: expect.stringContaining("/nick NAME") });
  });

  it("answers an unknown command locally with a pointer to /help and to //", () => {
    const result = parseCommand("/shrug");
    expect(result).toMatchObject({ kind: "invalid" });
    expect(result.kind === "invalid" && result.message).toMatch(/Unknown command \/shrug.*\/help.*\/\//);
  });

  it("lets // send text that starts with a slash, and treats a lone or spaced slash as text", () => {
    expect(parseCommand("//shrug")).toEqual({ kind: "say", text: "/shrug" });
    expect(parseCommand("// not a command")).toEqual({ kind: "say", text: "/ not a command" });
    expect(parseCommand("/")).toEqual({ kind: "say", text: "/" });
    expect(parseCommand("/ hi")).toEqual({ kind: "say", text: "/ hi" });
    expect(parseCommand("/usr/bin is a path")).toEqual({ kind: "say", text: "/usr/bin is a path" });
  });

  it("knows /history and /quit only where a client offers them", () => {
    const extras = { history: { default: 20, max: 500 }, quit: true };
    expect(parseCommand("/history")).toMatchObject({ kind: "invalid" });
    expect(parseCommand("/quit")).toMatchObject({ kind: "invalid" });
    expect(parseCommand("/history", extras)).toEqual({ kind: "history", count: 20 });
    expect(parseCommand("/history 5", extras)).toEqual({ kind: "history", count: 5 });
    for (const bad of ["/history lots", "/history 0", "/history 501"]) {
      expect(parseCommand(bad, extras)).toMatchObject({ kind: "invalid", message: expect.stringContaining("1 to 500") });
    }
    expect(parseCommand("/quit", extras)).toEqual({ kind: "quit" });
    expect(parseCommand("/exit", extras)).toEqual({ kind: "quit" });
    expect(commandHelp(extras).map((c) => c.usage)).toEqual(["/me ACTION", "/nick NAME", "/who", "/search WORDS", "/history [N]", "/help", "/quit"]);
    expect(commandHelp().map((c) => c.usage)).toEqual(["/me ACTION", "/nick NAME", "/who", "/search WORDS", "/help"]);
    const moderation = MODERATION.help.map((c) => c.usage);
    expect(moderation[0]).toBe("/edit [#SEQ] TEXT");
    expect(commandHelp({ moderation: MODERATION }).map((c) => c.usage)).toEqual(["/me ACTION", "/nick NAME", "/who", "/search WORDS", ...moderation, "/help"]);
  });
});

describe("editing and moderating commands (opted into with MODERATION)", () => {
  const parseCommand = (line: string) => {
    const parsed = parseCore(line, { moderation: MODERATION });
    return parsed.kind === "moderation" ? parsed.command : parsed;
  };

  it("are unknown commands for a client that does not offer them", () => {
    expect(parseCore("/kick bob")).toMatchObject({ kind: "invalid", message: expect.stringContaining("Unknown command /kick") });
    expect(parseCore("/edit 1 x")).toMatchObject({ kind: "invalid" });
    expect(parseCore("/kick bob", { moderation: MODERATION })).toEqual({ kind: "moderation", command: { kind: "kick", target: "bob" } });
  });

  it("reads /edit with a seq (with or without #), or without one for the last message", () => {
    expect(parseCommand("/edit 42 new text")).toEqual({ kind: "edit", seq: 42, text: "new text" });
    expect(parseCommand("/edit #42   fixed  typo ")).toEqual({ kind: "edit", seq: 42, text: "fixed  typo" });
    expect(parseCommand("/edit fixed typo")).toEqual({ kind: "edit", text: "fixed typo" });
    expect(parseCommand("/edit 2 cats\nand dogs")).toEqual({ kind: "edit", seq: 2, text: "cats\nand dogs" });
    for (const bad of ["/edit", "/edit 42", "/edit #42  ", "/edit #LAST new text", "/edit #4x2 new text"]) expect(parseCommand(bad)).toMatchObject({ kind: "invalid", message: expect.stringContaining("/edit [#SEQ] TEXT") });
  });

  it("reads /delete with a seq only", () => {
    expect(parseCommand("/delete 7")).toEqual({ kind: "delete", seq: 7 });
    expect(parseCommand("/DELETE #7")).toEqual({ kind: "delete", seq: 7 });
    expect(parseCommand("/del 7")).toEqual({ kind: "delete", seq: 7 });
    for (const bad of ["/delete", "/delete x", "/delete 0", "/delete 7 8", "/delete 99999999999999999999"]) {
      expect(parseCommand(bad)).toMatchObject({ kind: "invalid", message: expect.stringContaining("/delete #SEQ") });
    }
  });

  it("leaves the member's name to the controller and explains a bare /kick, /ban or /unban", () => {
    expect(parseCommand("/kick Bob Smith being rude")).toEqual({ kind: "kick", target: "Bob Smith being rude" });
    expect(parseCommand("/ban bob 30 spam")).toEqual({ kind: "ban", target: "bob 30 spam" });
    expect(parseCommand("/unban b-1")).toEqual({ kind: "unban", target: "b-1" });
    expect(parseCommand("/bans")).toEqual({ kind: "bans" });
    expect(parseCommand("/kick")).toMatchObject({ kind: "invalid", message: "Usage: /kick NAME [REASON]" });
    expect(parseCommand("/ban")).toMatchObject({ kind: "invalid", message: "Usage: /ban NAME [MINUTES] [REASON]" });
    expect(parseCommand("/unban")).toMatchObject({ kind: "invalid" });
  });

  it("reads /topic, /slow, /lock and /unlock, without an argument to show the setting", () => {
    expect(parseCommand("/topic Release day")).toEqual({ kind: "topic", topic: "Release day" });
    expect(parseCommand("/topic -")).toEqual({ kind: "topic", topic: "" });
    expect(parseCommand("/topic")).toEqual({ kind: "topic" });
    expect(parseCommand("/slow 10")).toEqual({ kind: "slow", seconds: 10 });
    expect(parseCommand("/slow 10s")).toEqual({ kind: "slow", seconds: 10 });
    expect(parseCommand("/slow off")).toEqual({ kind: "slow", seconds: 0 });
    expect(parseCommand("/slow 0")).toEqual({ kind: "slow", seconds: 0 });
    expect(parseCommand("/slow")).toEqual({ kind: "slow" });
    for (const bad of ["/slow fast", "/slow 3601", "/slow -1"]) expect(parseCommand(bad)).toMatchObject({ kind: "invalid", message: expect.stringContaining("1 to 3600") });
    expect(parseCommand("/lock")).toEqual({ kind: "lock", locked: true });
    expect(parseCommand("/unlock")).toEqual({ kind: "lock", locked: false });
  });

  it("reads a ban's duration in minutes, hours or days, then its reason", () => {
    expect(parseBanTerms("")).toEqual({});
    expect(parseBanTerms("30")).toEqual({ minutes: 30 });
    expect(parseBanTerms("2h flooding the room")).toEqual({ minutes: 120, reason: "flooding the room" });
    expect(parseBanTerms("1d")).toEqual({ minutes: 1440 });
    expect(parseBanTerms("spam and more")).toEqual({ reason: "spam and more" });
    expect(parseBanTerms("0")).toMatchObject({ error: expect.stringContaining("1 to 525600 minutes") });
    expect(parseBanTerms("400d")).toMatchObject({ error: expect.any(String) });
  });
});
