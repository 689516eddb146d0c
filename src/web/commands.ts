/**
 * What a line typed into the message box means. Pure, so it is unit-tested
 * in Node; the room page carries the result out.
 */

export type ComposerInput =
  | { kind: "say"; text: string }
  | { kind: "me"; text: string }
  | { kind: "nick"; name: string }
  | { kind: "who" }
  | { kind: "help" }
  /** A command used wrongly or unknown: show `message` locally, send nothing. */
  | { kind: "invalid"; message: string }
  | { kind: "empty" };

export interface CommandHelp {
  usage: string;
  description: string;
}

export const COMMANDS: readonly CommandHelp[] = [
  { usage: "/nick NAME", description: "change your display name" },
  { usage: "/me ACTION", description: "say what you are doing, e.g. /me waves" },
  { usage: "/who", description: "list who is online" },
  { usage: "/help", description: "show this help" },
];

export const HELP_TEXT = [
  "Commands:",
  ...COMMANDS.map((c) => `  ${c.usage}: ${c.description}`),
  "Enter sends, Shift+Enter starts a new line. Start a message with // to send one that begins with /.",
].join("\n");

// A command is a slash and a word at the very start; "/ hi" or "/" alone are ordinary text.
const COMMAND = /^\/([A-Za-z]+)(?:\s+([\s\S]*))?$/;

export function parseComposerInput(raw: string): ComposerInput {
  const line = raw.trim();
  if (line === "") return { kind: "empty" };
  // "//etc" sends "/etc": the escape for text that would look like a command.
  if (line.startsWith("//")) return { kind: "say", text: line.slice(1) };
  const match = COMMAND.exec(line);
  if (!match) return { kind: "say", text: line };
  const name = match[1]!.toLowerCase();
  const argument = (match[2] ?? "").trim();
  switch (name) {
    case "me":
      return argument === "" ? { kind: "invalid", message: "Usage: /me ACTION (for example /me waves)" } : { kind: "me", text: argument };
    case "nick":
    case "name":
      return argument === "" ? { kind: "invalid", message: "Usage: /nick NAME" } : { kind: "nick", name: argument };
    case "who":
      return { kind: "who" };
    case "help":
      return { kind: "help" };
    default:
      return {
        kind: "invalid",
        message: `Unknown command /${name}. Type /help for the list, or start with // to send a message beginning with /.`,
      };
  }
}
