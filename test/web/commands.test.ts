/** The message box's command language (pure: runs in Node). */
import { describe, expect, it } from "vitest";
import { COMMANDS, HELP_TEXT, parseComposerInput } from "../../src/web/commands.ts";

describe("parseComposerInput", () => {
  it("sends ordinary text, trimmed", () => {
    expect(parseComposerInput("  hello  ")).toEqual({ kind: "say", text: "hello" });
    expect(parseComposerInput("line one\nline two")).toEqual({ kind: "say", text: "line one\nline two" });
    expect(parseComposerInput("   \n ")).toEqual({ kind: "empty" });
  });

  it("reads /me, /nick, /who and /help, case-insensitively", () => {
    expect(parseComposerInput("/me waves")).toEqual({ kind: "me", text: "waves" });
    expect(parseComposerInput("/ME  waves\nhappily ")).toEqual({ kind: "me", text: "waves\nhappily" });
    expect(parseComposerInput("/nick Bob Smith")).toEqual({ kind: "nick", name: "Bob Smith" });
    expect(parseComposerInput("/name bob")).toEqual({ kind: "nick", name: "bob" });
    expect(parseComposerInput("/who")).toEqual({ kind: "who" });
    expect(parseComposerInput("/Help")).toEqual({ kind: "help" });
  });

  it("explains a command used without its argument instead of sending it", () => {
    expect(parseComposerInput("/me")).toMatchObject({ kind: "invalid", message: expect.stringContaining("/me ACTION") });
    expect(parseComposerInput("/nick   ")).toMatchObject({ kind: "invalid", message: expect.stringContaining("/nick NAME") });
  });

  it("answers an unknown command locally with a pointer to /help and to //", () => {
    const result = parseComposerInput("/shrug");
    expect(result).toMatchObject({ kind: "invalid" });
    expect(result.kind === "invalid" && result.message).toMatch(/Unknown command \/shrug.*\/help.*\/\//);
  });

  it("lets // send text that starts with a slash, and treats a lone or spaced slash as text", () => {
    expect(parseComposerInput("//shrug")).toEqual({ kind: "say", text: "/shrug" });
    expect(parseComposerInput("// not a command")).toEqual({ kind: "say", text: "/ not a command" });
    expect(parseComposerInput("/")).toEqual({ kind: "say", text: "/" });
    expect(parseComposerInput("/ hi")).toEqual({ kind: "say", text: "/ hi" });
    expect(parseComposerInput("/usr/bin is a path")).toEqual({ kind: "say", text: "/usr/bin is a path" });
  });

  it("lists every command in the help", () => {
    for (const command of COMMANDS) expect(HELP_TEXT).toContain(command.usage);
    expect(HELP_TEXT).toContain("Shift+Enter");
  });
});
