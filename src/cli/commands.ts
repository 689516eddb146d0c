/**
 * The terminal's commands: the shared command language (src/client/commands.ts)
 * plus /history and /quit.
 */
import { commandHelp, parseCommand, type Command, type CommandExtras } from "../client/commands.ts";

export const HISTORY_DEFAULT = 20;
export const HISTORY_MAX = 500;

const EXTRAS: CommandExtras = { history: { default: HISTORY_DEFAULT, max: HISTORY_MAX }, quit: true };

export const COMMAND_HELP = [
  ...commandHelp(EXTRAS).map((c) => `${c.usage.padEnd(16)}${c.description}`),
  `${"//text".padEnd(16)}send a message that starts with /`,
  "Ctrl-D leaves too; Ctrl-C leaves at once",
];

export function parseInput(line: string): Command {
  return parseCommand(line, EXTRAS);
}
