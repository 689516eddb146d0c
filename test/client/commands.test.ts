/** The command language both clients share (pure: no server needed). */
import { describe, expect, it } from "vitest";
import { commandHelp, parseCommand } from "../../src/client/commands.ts";

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
    expect(commandHelp(extras).map((c) => c.usage)).toEqual(["/me ACTION", "/nick NAME", "/who", "/history [N]", "/help", "/quit"]);
    expect(commandHelp().map((c) => c.usage)).toEqual(["/me ACTION", "/nick NAME", "/who", "/help"]);
  });
});
