/** How the browser answers /help; the command language itself is src/client/chat/commands.ts. */
import type { CommandHelp } from "../../client/chat/commands.ts";

/** The commands, one a line, then the keys of the message box. */
export function helpText(commands: readonly CommandHelp[]): string {
  return [
    "Commands:",
    ...commands.map((c) => `  ${c.usage}: ${c.description}`),
    "Enter sends, Shift+Enter starts a new line. Start a message with // to send one that begins with /.",
  ].join("\n");
}
