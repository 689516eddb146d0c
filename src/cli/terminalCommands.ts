/**
 * The terminal's commands: the shared command language
 * (src/client/chat/commands.ts) plus /history, /quit and editing and
 * moderating (src/client/chat/moderation.ts), and how the
 * terminal lists them in /help and `parley --help`.
 */
import { commandHelp, type CommandExtras, type CommandHelp } from "../client/chat/commands.ts";
import { MODERATION } from "../client/chat/moderation.ts";

export const HISTORY_DEFAULT = 20;
export const HISTORY_MAX = 500;

export const TERMINAL_COMMANDS: CommandExtras = { history: { default: HISTORY_DEFAULT, max: HISTORY_MAX }, quit: true, moderation: MODERATION };

/** The help lines for `commands`, in columns, with the terminal's keys after them. */
export function commandHelpLines(commands: readonly CommandHelp[]): string[] {
  const width = Math.max(16, ...commands.map((c) => c.usage.length + 2));
  return [
    ...commands.map((c) => `${c.usage.padEnd(width)}${c.description}`),
    `${"//text".padEnd(width)}send a message that starts with /`,
    "Ctrl-D leaves too; Ctrl-C leaves at once",
  ];
}

/** The terminal's command help, as `parley --help` prints it. */
export const COMMAND_HELP = commandHelpLines(commandHelp(TERMINAL_COMMANDS));
