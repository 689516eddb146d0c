/**
 * How the terminal client shows things: one function per kind of line, pure,
 * with colour as a parameter. Everything that came from the room goes
 * through `sanitize` here, so callers cannot forget it.
 */
import {
  unreachable,
  type Member,
  type MessageEvent,
  type ReactionCounts,
  type ReactionsEvent,
  type ReplyQuote,
  type RoomEvent,
  type SearchResult,
} from "../protocol/frames.ts";
import { dayKey } from "../client/chat/localDay.ts";
import { mentionsMe } from "../client/chat/mentions.ts";
import { moderationEventText } from "../client/chat/moderationText.ts";
import { searchHighlights } from "../client/chat/searchMatch.ts";
import type { RoomPresence } from "../client/RoomClient.ts";
import { sanitize } from "./sanitize.ts";
import { readableLinks } from "../client/linkify.ts";
import { formatBlocks, spanLines, type InlineSpan } from "../client/format.ts";
import { presenceClauses, presenceRunParts, type PresenceEvent } from "../client/chat/presenceRun.ts";

/**
 * Colour on or off: off with NO_COLOR (any non-empty value, see no-color.org),
 * FORCE_COLOR=0/false or TERM=dumb; on with any other FORCE_COLOR value;
 * otherwise on exactly when stdout is a terminal.
 */
export function useColor(stdoutIsTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === "0" || force.toLowerCase() === "false") return false;
    return true;
  }
  if (env.TERM === "dumb") return false;
  return stdoutIsTTY;
}

const SGR = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  red: "\x1b[31m",
  yellow: "\x1b[33m",
  /** A message that mentions us: bold yellow text. */
  mention: "\x1b[1;33m",
  /** A search's words in a result: reverse video, bold. */
  found: "\x1b[1;7m",
  italic: "\x1b[3m",
  underline: "\x1b[4m",
  /** Inline code and fenced blocks: cyan, a colour no other text takes (names use it only with their own letters). */
  code: "\x1b[36m",
} as const;

/** How each kind of formatted span is painted (format.ts); plain text takes the line's own style. */
const SPAN_SGR: Record<InlineSpan["kind"], string> = {
  text: "",
  bold: SGR.bold,
  italic: SGR.italic,
  code: SGR.code,
  link: SGR.underline,
};

/** A message taking more rows than this on a terminal is cut… */
export const COLLAPSE_ROWS = 12;
/** …to this many rows, and a line saying how many more there are and that /show #SEQ prints it all. */
export const COLLAPSED_ROWS = 10;

/** A piece of a line of message text: sanitised text and the SGR codes it is painted with ("" for none). */
interface Piece {
  text: string;
  codes: string;
}

/** Name colours: readable on dark and light backgrounds; red is kept for errors. */
const NAME_COLORS = [32, 33, 34, 35, 36, 92, 93, 94, 95, 96] as const;

/** A stable colour (an SGR code) for a name: the same name always gets the same colour. */
export function nameColor(name: string): number {
  // FNV-1a over the UTF-16 code units.
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return NAME_COLORS[hash % NAME_COLORS.length]!;
}

/** Where the terminal's width is unknown (a pipe), a reply's quote line is cut to this many columns. */
const QUOTE_COLUMNS_UNKNOWN = 100;
/** A message's reactions as printed show at most this many emoji (the room allows 20; a hostile server more). */
const REACTIONS_SHOWN_MAX = 20;

export interface FormatterOptions {
  color: boolean;
  selfId?: () => string | undefined;
  /** The terminal's width now (it may change), undefined when not a terminal: cuts a reply's quote line to fit. */
  columns?: () => number | undefined;
}

export class Formatter {
  readonly color: boolean;
  readonly #selfId: () => string | undefined;
  readonly #columns: () => number | undefined;

  constructor(options: FormatterOptions) {
    this.color = options.color;
    this.#selfId = options.selfId ?? (() => undefined);
    this.#columns = options.columns ?? (() => undefined);
  }

  #paint(codes: string, text: string): string {
    return this.color ? `${codes}${text}${SGR.reset}` : text;
  }

  dim(text: string): string {
    return this.#paint(SGR.dim, text);
  }

  /** A member's name, sanitised, in its colour (bold when it is us). */
  name(member: Member | string): string {
    const raw = typeof member === "string" ? member : member.name;
    const self = typeof member !== "string" && member.id === this.#selfId();
    const color = `\x1b[${nameColor(raw)}m`;
    return this.#paint(self ? `${SGR.bold}${color}` : color, sanitize(raw));
  }

  /**
   * The lines for one room event. A message starts with its seq (`#42`,
   * dim), the number /edit and /delete take; more lines are indented under
   * its first. Moderation events are one sentence (moderationText.ts).
   */
  event(event: RoomEvent): string[] {
    const time = this.dim(clockTime(event.ts));
    switch (event.type) {
      case "message":
        return this.message(event);
      case "joined":
        return [`${time} ${this.dim("-->")} ${this.name(event.member)} ${this.dim("joined")}`];
      case "left":
        return [`${time} ${this.dim("<--")} ${this.name(event.member)} ${this.dim("left")}`];
      case "renamed":
        return [`${time} ${this.dim("---")} ${this.name(event.from)} ${this.dim("is now")} ${this.name(event.member)}`];
      case "edited":
      case "deleted":
      case "kicked":
      case "banned":
      case "settings":
        return [this.moderation(event.ts, moderationEventText(event, this.#selfId()) ?? event.type)];
      case "reactions":
        return [this.reactions(event)];
      default:
        return unreachable(event);
    }
  }

  /**
   * A message as it reads now: "(edited)" after an edited one, its reactions
   * after that (`(👍 3 ❤️ 1)`, as the room counted them when it sent the
   * event), "(message deleted)" for a deleted one. A reply starts with a
   * line quoting what it answers, `↳ #41 alice: first words…`, under the
   * message's name column and cut to the terminal's width.
   */
  message(event: MessageEvent, options: { full?: boolean; linked?: boolean } = {}): string[] {
    const time = this.dim(clockTime(event.ts));
    const seq = `#${event.seq}`;
    // A message link's message: its number in reverse video and a pointer after it (the pointer alone without colour).
    const shownSeq = options.linked === true && this.color ? `${SGR.found}${seq}${SGR.reset}` : this.dim(seq);
    const pointer = options.linked === true ? ` ${this.dim("← linked")}` : "";
    if ("deleted" in event) return [`${time} ${this.dim(`${seq} <${sanitize(event.from.name)}> (message deleted)`)}${pointer}`];
    const head = event.action === true ? `* ${this.name(event.from)} ` : `<${this.name(event.from)}> `;
    // A message that mentions us (the room says whom it mentions) reads in bold yellow; the bell is the caller's.
    const mentioned = mentionsMe(event, this.#selfId()) && event.from.id !== this.#selfId();
    const base = mentioned ? SGR.mention : "";
    // "<name> " and "* name " are both three columns wider than the name; "HH:MM #seq " is 7 wider than the seq.
    const width = 3 + [...sanitize(event.from.name)].length;
    const indent = " ".repeat(7 + seq.length + width);
    let lines = this.#textLines(event.text);
    // On a terminal, a very long message is cut; /show #SEQ prints it all.
    const columns = this.#columns();
    let more = "";
    if (columns !== undefined && options.full !== true) {
      const cut = collapse(lines, indent.length, columns);
      if (cut.hidden > 0) {
        lines = cut.lines;
        more = `… (${cut.hidden} more ${cut.hidden === 1 ? "line" : "lines"}: /show ${seq})`;
      }
    }
    const painted = lines.map((pieces) => this.#paintLine(pieces, base));
    if (more !== "") painted.push(this.dim(more));
    const reactions = event.reactions === undefined ? "" : reactionCountsText(event.reactions);
    const tail = `${event.edited === undefined ? "" : ` ${this.dim("(edited)")}`}${reactions === "" ? "" : ` ${this.dim(`(${reactions})`)}`}${pointer}`;
    const [first = "", ...rest] = painted;
    return [
      ...(event.replyTo === undefined ? [] : [this.quote(event.replyTo, 7 + seq.length)]),
      `${time} ${shownSeq} ${head}${first}${rest.length === 0 ? tail : ""}`,
      ...rest.map((line, i) => `${indent}${line}${i === rest.length - 1 ? tail : ""}`),
    ];
  }

  /**
   * A message's text as lines of pieces. With colour, its light formatting
   * (format.ts) is painted and its markers are gone: bold, italic, code in
   * cyan, links underlined, a fenced block's lines two columns further in,
   * in cyan, without the fence lines. Without colour the text is shown as
   * written, markers and fences included: they are how plain text says it.
   * Either way a link prints as it really goes (a look-alike host in
   * punycode, no bidi controls), and everything is sanitised.
   */
  #textLines(text: string): Piece[][] {
    if (!this.color) return sanitize(readableLinks(text), { multiline: true }).split("\n").map((line) => [{ text: line, codes: "" }]);
    const lines: Piece[][] = [];
    for (const block of formatBlocks(text)) {
      if (block.kind === "code") {
        for (const line of block.text.split("\n")) lines.push([{ text: `  ${sanitize(line, { multiline: true })}`, codes: SGR.code }]);
      } else {
        for (const spans of spanLines(block.spans)) {
          lines.push(spans.map((span) => ({ text: sanitize(span.text, { multiline: true }), codes: SPAN_SGR[span.kind] })));
        }
      }
    }
    return lines.length === 0 ? [[]] : lines;
  }

  /** A line of pieces painted, on top of the line's own style `base` (a mention's colour, or none). */
  #paintLine(pieces: readonly Piece[], base: string): string {
    if (!this.color) return pieces.map((piece) => piece.text).join("");
    const body = pieces.map((piece) => (piece.codes === "" ? piece.text : `${piece.codes}${piece.text}${SGR.reset}${base}`)).join("");
    return base === "" ? body : `${base}${body}${SGR.reset}`;
  }

  /**
   * A run of consecutive joins and leaves as one line, in the words both
   * apps use (presenceRun.ts): `HH:MM --> ann, ben and 3 others joined; cat
   * left`, at the time of the last of them. The arrow says which way when
   * all went one way (`-->` joined, `<--` left), else `---`.
   */
  presenceRun(events: readonly PresenceEvent[]): string {
    const last = events[events.length - 1]!;
    const outcomes = new Set(presenceClauses(events).map((clause) => clause.outcome));
    const arrow = outcomes.size === 1 && outcomes.has("joined") ? "-->" : outcomes.size === 1 && outcomes.has("left") ? "<--" : "---";
    const sentence = presenceRunParts(events)
      .map((part) => (part.kind === "text" ? this.dim(part.text) : this.name(part.member)))
      .join("");
    return `${this.dim(clockTime(last.ts))} ${this.dim(arrow)} ${sentence}`;
  }

  /**
   * The line above a reply: what it answers, as the room quoted it (`↳ #41
   * alice: first words…`, `… (edited)`, or `(deleted)`), dim, starting
   * `indent` columns in and cut to fit the terminal on one row.
   */
  quote(quote: ReplyQuote, indent: number): string {
    const head = `↳ #${quote.seq} ${sanitize(quote.from.name)}: `;
    const columns = Math.max(20, (this.#columns() ?? QUOTE_COLUMNS_UNKNOWN + indent) - 1) - indent;
    if ("deleted" in quote) return `${" ".repeat(indent)}${this.dim(cutToWidth(`${head}(deleted)`, columns))}`;
    const edited = quote.edited === true ? " (edited)" : "";
    const room = columns - displayWidth(head) - displayWidth(edited);
    // Too narrow for any of the text: the name and seq alone, cut.
    const text = room < 8 ? cutToWidth(head.trimEnd(), columns) : `${head}${cutToWidth(sanitize(quote.snippet), room)}${edited}`;
    return `${" ".repeat(indent)}${this.dim(text)}`;
  }

  /**
   * One message a search found, on one row: `#42 13:05 alice: …snippet…`
   * (the date too when not today), the query's words in reverse video, cut
   * to the terminal's width. The seq comes first: it is what /reply, /react
   * and /edit take, and it sets these lines apart from live messages.
   */
  searchResult(result: SearchResult, q: string, now = Date.now()): string {
    const when = dayKey(result.ts) === dayKey(now) ? clockTime(result.ts) : `${shortDay(result.ts, now)} ${clockTime(result.ts)}`;
    const name = sanitize(result.from.name);
    const head = `#${result.seq} ${when} ${name}: `;
    const columns = this.#columns();
    const room = columns === undefined ? Infinity : Math.max(20, columns - 1) - displayWidth(head);
    // Too narrow for any of the text: the seq, time and name alone, cut.
    if (room < 8) return this.dim(cutToWidth(head.trimEnd(), Math.max(20, (columns ?? 80) - 1)));
    const shown = cutToWidth(sanitize(result.snippet), room);
    return `${this.dim(`#${result.seq}`)} ${this.dim(when)} ${this.name(result.from.name)}: ${this.#highlight(shown, q)}`;
  }

  /** `text` with the words the query `q` matched in reverse video (as they are when colour is off). */
  #highlight(text: string, q: string): string {
    if (!this.color) return text;
    let out = "";
    let at = 0;
    for (const { start, end } of searchHighlights(text, q)) {
      out += `${text.slice(at, start)}${this.#paint(SGR.found, text.slice(start, end))}`;
      at = end;
    }
    return out + text.slice(at);
  }

  /** A reactions event: `HH:MM --- alice reacted 👍 to #42 (👍 3 ❤️ 1)`, or `… took back 👍 on #42 (…)`. */
  reactions(event: ReactionsEvent): string {
    const counts = reactionCountsText(event.counts);
    const now = counts === "" ? "none left" : counts;
    const what = event.on ? `reacted ${event.emoji} to` : `took back ${event.emoji} on`;
    return this.moderation(event.ts, `${event.by.name} ${what} #${event.target} (${now})`);
  }

  /** A line about moderation at time `ts` (edits, deletes, kicks, bans, settings): `HH:MM --- sentence`. */
  moderation(ts: number, sentence: string): string {
    return `${this.dim(clockTime(ts))} ${this.dim("---")} ${sanitize(sentence)}`;
  }

  /** A notice from the client itself (connection state, command output). */
  notice(text: string): string {
    return this.dim(`--- ${text}`);
  }

  error(text: string): string {
    return this.#paint(SGR.red, `!!! ${text}`);
  }

  warning(text: string): string {
    return this.#paint(SGR.yellow, `--- ${text}`);
  }

  /** A separator when the date changes between events, e.g. `--- Tue 3 Nov 2026 ---`. */
  day(ts: number): string {
    return this.dim(`--- ${shortDate(ts)} ---`);
  }

  /** The member list for /who; a crowd is only counted. */
  members({ members, online, crowd }: RoomPresence): string {
    if (crowd) return this.dim(`--- ${online} online (too many to list)`);
    const names = members.map((m) => `${this.name(m)}${m.role === "owner" ? " (owner)" : ""}${m.id === this.#selfId() ? " (you)" : ""}`);
    return `${this.dim(`--- ${online} online:`)} ${names.join(", ")}`;
  }
}

/**
 * A message's reactions in one short run, `👍 3 ❤️ 1`, in the room's order
 * (first used first); empty for none. Only positive whole counts, at most
 * REACTIONS_SHOWN_MAX emoji, each sanitised (the room checks they are emoji;
 * a client does not rely on it).
 */
export function reactionCountsText(counts: ReactionCounts): string {
  const shown: string[] = [];
  for (const [emoji, count] of Object.entries(counts)) {
    if (!Number.isSafeInteger(count) || count < 1) continue;
    if (shown.length === REACTIONS_SHOWN_MAX) {
      shown.push("…");
      break;
    }
    shown.push(`${sanitize(emoji)} ${count}`);
  }
  return shown.join(" ");
}

/**
 * Lines of a message cut to fit COLLAPSED_ROWS rows when they take more
 * than COLLAPSE_ROWS at `columns` (each line starts `indent` columns in);
 * `hidden` counts the rows left out (0: nothing was cut).
 */
function collapse(lines: readonly Piece[][], indent: number, columns: number): { lines: Piece[][]; hidden: number } {
  const cols = Math.max(20, columns);
  const rowsOf = (pieces: readonly Piece[]) => Math.max(1, Math.ceil((indent + displayWidth(pieces.map((p) => p.text).join(""))) / cols));
  const total = lines.reduce((sum, line) => sum + rowsOf(line), 0);
  if (total <= COLLAPSE_ROWS) return { lines: [...lines], hidden: 0 };
  const kept: Piece[][] = [];
  let rows = 0;
  for (const line of lines) {
    const need = rowsOf(line);
    if (rows + need <= COLLAPSED_ROWS) {
      kept.push(line);
      rows += need;
      continue;
    }
    // A long line that only partly fits: as much of it as the rows left take, ending in "…".
    const left = COLLAPSED_ROWS - rows;
    if (left > 0) {
      kept.push(cutPieces(line, left * cols - indent - 1));
      rows += left;
    }
    break;
  }
  return { lines: kept, hidden: total - rows };
}

/** Pieces cut to at most `columns` columns, the last ending in "…" (cutToWidth, across pieces). */
function cutPieces(pieces: readonly Piece[], columns: number): Piece[] {
  const out: Piece[] = [];
  let room = columns;
  for (const piece of pieces) {
    const width = displayWidth(piece.text);
    if (width < room) {
      out.push(piece);
      room -= width;
      continue;
    }
    out.push({ text: cutToWidth(`${piece.text}…`, room), codes: piece.codes });
    break;
  }
  return out;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
// Emoji shown as pictures, and East Asian wide and full-width characters, take two columns.
const WIDE = /\p{Extended_Pictographic}|\p{Regional_Indicator}|[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}]/u;
// Marks that join the character before them take no column of their own.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200B-\u200D\uFE00-\uFE0F]+$/u;

// A pictograph shown as text by default ("©", "‼", "↔") unless a VS16 asks for the picture.
const TEXT_STYLE = /^\p{Extended_Pictographic}$/u;
const PICTURE_STYLE = /\p{Emoji_Presentation}|\uFE0F/u;

function graphemeWidth(grapheme: string): number {
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (!WIDE.test(grapheme)) return 1;
  return TEXT_STYLE.test(grapheme) && !PICTURE_STYLE.test(grapheme) ? 1 : 2;
}

/** The columns a one-line string takes in a terminal (close enough: terminals disagree about some emoji). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of graphemes.segment(text)) width += graphemeWidth(segment);
  return width;
}

/** `text` cut to at most `columns` columns, ending in "…" when cut; never splits a character or emoji. */
export function cutToWidth(text: string, columns: number): string {
  if (displayWidth(text) <= columns) return text;
  let width = 0;
  let out = "";
  for (const { segment } of graphemes.segment(text)) {
    const w = graphemeWidth(segment);
    if (width + w > columns - 1) break;
    out += segment;
    width += w;
  }
  return `${out.trimEnd()}…`;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** HH:MM on a 24-hour clock in local time, whatever the locale: every line's text starts in the same column. */
export function clockTime(ts: number): string {
  const date = new Date(ts);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A date for the line between two days, e.g. `Tue 3 Nov 2026`: English, like the rest of the terminal's words. */
export function shortDate(ts: number): string {
  const d = new Date(ts);
  return `${DAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

/** A day for a search result that is not from today: `3 Nov`, with the year when not this one (`3 Nov 2025`). */
export function shortDay(ts: number, now = Date.now()): string {
  const d = new Date(ts);
  const year = d.getFullYear() === new Date(now).getFullYear() ? "" : ` ${d.getFullYear()}`;
  return `${d.getDate()} ${MONTHS[d.getMonth()]}${year}`;
}

/** A short label for a room: public names as they are, private ids shortened. */
export function roomLabel(room: string): string {
  return /^[0-9a-f]{64}$/.test(room) ? `${room.slice(0, 8)}…` : room;
}
