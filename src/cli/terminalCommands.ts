/**
 * The terminal's commands: the shared command language
 * (src/client/chat/commands.ts) plus /history, /more (older /search
 * matches), /quit and editing and
 * moderating (src/client/chat/moderation.ts), and how the
 * terminal lists them in /help and `parley --help`.
 */
import { commandHelp, type CommandExtras, type CommandHelp } from "../client/chat/commands.ts";
import { MODERATION } from "../client/chat/moderation.ts";

export const HISTORY_DEFAULT = 20;
export const HISTORY_MAX = 500;

export const TERMINAL_COMMANDS: CommandExtras = { history: { default: HISTORY_DEFAULT, max: HISTORY_MAX }, quit: true, searchMore: true, moderation: MODERATION };

/** Help lines are at most this wide: /help indents them by 4, and it all fits an 80-column terminal. */
export const HELP_COLUMNS = 75;

/** `text` in lines of at most `columns` (a word longer than that stands alone). */
function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/**
 * The help lines for `commands`, in columns, with the terminal's keys after
 * them; a long description goes on under its own column, within HELP_COLUMNS.
 */
export function commandHelpLines(commands: readonly CommandHelp[]): string[] {
  const width = Math.max(16, ...commands.map((c) => c.usage.length + 2));
  const indent = " ".repeat(width);
  return [
    ...commands.flatMap((c) => wrap(c.description, HELP_COLUMNS - width).map((line, i) => `${i === 0 ? c.usage.padEnd(width) : indent}${line}`)),
    `${"/show #SEQ".padEnd(width)}show a message cut for length in full`,
    `${"//text".padEnd(width)}send a message that starts with /`,
    "Ctrl-D leaves too; Ctrl-C leaves at once",
  ];
}

/** The terminal's command help, as `parley --help` prints it. */
export const COMMAND_HELP = commandHelpLines(commandHelp(TERMINAL_COMMANDS));
