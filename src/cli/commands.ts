/**
 * What a line typed in the interactive client means. Pure: the session acts
 * on the result. A line starting with `//` is a message starting with `/`.
 */
export type Input =
  | { kind: "empty" }
  | { kind: "message"; text: string }
  | { kind: "action"; text: string }
  | { kind: "nick"; name: string }
  | { kind: "who" }
  | { kind: "history"; count: number }
  | { kind: "help" }
  | { kind: "quit" }
  | { kind: "invalid"; message: string };

export const HISTORY_DEFAULT = 20;
export const HISTORY_MAX = 500;

export const COMMAND_HELP = [
  "/me ACTION      say what you are doing (shown as: * you ACTION)",
  "/nick NAME      change your name",
  "/who            who is online",
  `/history [N]    show N earlier events (default ${HISTORY_DEFAULT}, at most ${HISTORY_MAX})`,
  "/help           this list",
  "/quit           leave (or Ctrl-D); Ctrl-C leaves at once",
  "//text          send a message that starts with /",
];

export function parseInput(line: string): Input {
  if (line.trim() === "") return { kind: "empty" };
  if (!line.startsWith("/")) return { kind: "message", text: line };
  if (line.startsWith("//")) return { kind: "message", text: line.slice(1) };
  const match = /^\/(\S*)\s*([\s\S]*)$/.exec(line)!;
  const command = match[1]!.toLowerCase();
  const arg = match[2]!.trim();
  switch (command) {
    case "me":
      return arg === "" ? { kind: "invalid", message: "usage: /me ACTION" } : { kind: "action", text: arg };
    case "nick":
    case "name":
      return arg === "" ? { kind: "invalid", message: "usage: /nick NAME" } : { kind: "nick", name: arg };
    case "who":
    case "names":
      return { kind: "who" };
    case "history": {
      if (arg === "") return { kind: "history", count: HISTORY_DEFAULT };
      if (!/^\d+$/.test(arg) || Number(arg) < 1 || Number(arg) > HISTORY_MAX) {
        return { kind: "invalid", message: `usage: /history [N] with N from 1 to ${HISTORY_MAX}` };
      }
      return { kind: "history", count: Number(arg) };
    }
    case "help":
    case "?":
      return { kind: "help" };
    case "quit":
    case "exit":
      return { kind: "quit" };
    case "":
      return { kind: "invalid", message: "a command name must follow / (type /help; start with // to send a line beginning with /)" };
    default:
      return {
        kind: "invalid",
        message: `unknown command /${command} (type /help; start with // to send a line beginning with /)`,
      };
  }
}
