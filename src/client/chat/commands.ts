/**
 * The chat command language, the same in the browser and in the terminal:
 * what a typed line means. Pure, so both clients and their tests share it.
 *
 * - A slash and a word at the very start is a command: `/me waves`.
 *   `/ hi`, a lone `/` or `/usr/bin is a path` are ordinary text.
 * - `//text` sends "/text": the escape for text that would look like a command.
 * - /me, /nick (or /name), /who (or /names) and /help exist everywhere; a client
 *   may add /history and /quit (the terminal does).
 * - A client may add editing and moderating (moderation.ts: /edit, /delete,
 *   and for owners /kick, /ban, /unban, /bans, /topic, /slow, /lock, /unlock).
 */
import type { ModerationCommand, ModerationExtension } from "./moderation.ts";

export type Command =
  | { kind: "empty" }
  | { kind: "say"; text: string }
  | { kind: "me"; text: string }
  | { kind: "nick"; name: string }
  | { kind: "who" }
  | { kind: "help" }
  | { kind: "history"; count: number }
  /** /search WORDS: the room's messages holding every word, newest first. */
  | { kind: "search"; q: string }
  /** /more: the next page of older matches of the last /search (when the client offers it). */
  | { kind: "search-more" }
  | { kind: "quit" }
  /** Editing or moderating (when the client offers it). */
  | { kind: "moderation"; command: ModerationCommand }
  /** A command used wrongly or unknown: show `message` locally, send nothing. */
  | { kind: "invalid"; message: string };

export interface CommandHelp {
  usage: string;
  description: string;
}

/** Commands a client adds to the common ones. */
export interface CommandExtras {
  /** /history [N]: how many events by default, and at most. */
  history?: { default: number; max: number };
  /** /quit (or /exit). */
  quit?: boolean;
  /** /more: older matches of the last /search (a client without its own way to page through them). */
  searchMore?: boolean;
  /** /edit, /delete and the owners' commands: MODERATION from moderation.ts. */
  moderation?: ModerationExtension;
}

/** The help for the commands a client understands, in the order to show them. */
export function commandHelp(extras: CommandExtras = {}): CommandHelp[] {
  return [
    { usage: "/me ACTION", description: "say what you are doing, e.g. /me waves" },
    { usage: "/nick NAME", description: "change your display name" },
    { usage: "/who", description: "list who is online" },
    { usage: "/search WORDS", description: "find messages with every word, newest first" },
    ...(extras.searchMore ? [{ usage: "/more", description: "show older matches of the last /search" }] : []),
    ...(extras.history
      ? [{ usage: "/history [N]", description: `show N earlier events (default ${extras.history.default}, at most ${extras.history.max})` }]
      : []),
    ...(extras.moderation?.help ?? []),
    { usage: "/help", description: "show this help" },
    ...(extras.quit ? [{ usage: "/quit", description: "leave the room" }] : []),
  ];
}

const COMMAND = /^\/([A-Za-z]+)(?:\s+([\s\S]*))?$/;
const UNKNOWN_HINT = "Type /help for the list, or start with // to send a message beginning with /.";

/** What a typed line means, knowing the commands `extras` adds to the common ones. */
export function parseCommand(raw: string, extras: CommandExtras = {}): Command {
  const line = raw.trim();
  if (line === "") return { kind: "empty" };
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
    case "names":
      return { kind: "who" };
    case "help":
      return { kind: "help" };
    case "search":
    case "find":
      return argument === "" ? { kind: "invalid", message: "Usage: /search WORDS" } : { kind: "search", q: argument };
  }
  if (extras.history && name === "history") {
    const { default: fallback, max } = extras.history;
    if (argument === "") return { kind: "history", count: fallback };
    const count = Number(argument);
    return /^\d+$/.test(argument) && count >= 1 && count <= max
      ? { kind: "history", count }
      : { kind: "invalid", message: `Usage: /history [N], with N from 1 to ${max}` };
  }
  if (extras.quit && (name === "quit" || name === "exit")) return { kind: "quit" };
  if (extras.searchMore && name === "more") return argument === "" ? { kind: "search-more" } : { kind: "invalid", message: "Usage: /more (after /search WORDS)" };
  const moderation = extras.moderation?.parse(name, argument);
  if (moderation) return moderation.kind === "invalid" ? moderation : { kind: "moderation", command: moderation };
  return { kind: "invalid", message: `Unknown command /${name}. ${UNKNOWN_HINT}` };
}
