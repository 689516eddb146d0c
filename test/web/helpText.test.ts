/** The message box's help text (the command language is tested in test/client/chat/commands.test.ts). */
import { describe, expect, it } from "vitest";
import { commandHelp } from "../../src/client/chat/commands.ts";
import { helpText } from "../../src/web/chat/helpText.ts";

describe("the browser's command help", () => {
  it("lists every command and the keys", () => {
    const commands = commandHelp();
    const text = helpText(commands);
    for (const command of commands) expect(text).toContain(`  ${command.usage}: ${command.description}`);
    expect(text).toContain("Shift+Enter");
    expect(text).toContain("//");
  });
});
