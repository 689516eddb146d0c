/** The message box's command help; the command language itself is src/client/commands.ts. */
import { commandHelp } from "../client/commands.ts";

export const COMMANDS = commandHelp();

export const HELP_TEXT = [
  "Commands:",
  ...COMMANDS.map((c) => `  ${c.usage}: ${c.description}`),
  "Enter sends, Shift+Enter starts a new line. Start a message with // to send one that begins with /.",
].join("\n");
