/** The message box's help text (the command language is tested in test/client/commands.test.ts). */
import { describe, expect, it } from "vitest";
import { COMMANDS, HELP_TEXT } from "../../src/web/commands.ts";

describe("the browser's command help", () => {
  it("lists every command and the keys", () => {
    for (const command of COMMANDS) expect(HELP_TEXT).toContain(command.usage);
    expect(HELP_TEXT).toContain("Shift+Enter");
    expect(HELP_TEXT).toContain("//");
  });
});
