/**
 * How the terminal client shows things: one function per kind of line, pure,
 * with colour as a parameter. Everything that came from the room goes
 * through `sanitize` here, so callers cannot forget it.
 */
import { unreachable, type Member, type MessageEvent, type RoomEvent } from "../protocol/frames.ts";
import { moderationEventText } from "../client/chat/moderationText.ts";
import type { RoomPresence } from "../client/RoomClient.ts";
import { sanitize } from "./sanitize.ts";
import { readableLinks } from "../client/linkify.ts";

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
} as const;

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

export class Formatter {
  readonly color: boolean;
  readonly #selfId: () => string | undefined;

  constructor(options: { color: boolean; selfId?: () => string | undefined }) {
    this.color = options.color;
    this.#selfId = options.selfId ?? (() => undefined);
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
      default:
        return unreachable(event);
    }
  }

  /** A message as it reads now: "(edited)" after an edited one, "(message deleted)" for a deleted one. */
  message(event: MessageEvent): string[] {
    const time = this.dim(clockTime(event.ts));
    const seq = `#${event.seq}`;
    if ("deleted" in event) return [`${time} ${this.dim(`${seq} <${sanitize(event.from.name)}> (message deleted)`)}`];
    const head = event.action === true ? `* ${this.name(event.from)} ` : `<${this.name(event.from)}> `;
    // "<name> " and "* name " are both three columns wider than the name; "HH:MM #seq " is 7 wider than the seq.
    const width = 3 + [...sanitize(event.from.name)].length;
    // A link prints as it really goes: a look-alike host in punycode, no bidi controls.
    const [first = "", ...rest] = sanitize(readableLinks(event.text), { multiline: true }).split("\n");
    const indent = " ".repeat(7 + seq.length + width);
    const edited = event.edited === undefined ? "" : ` ${this.dim("(edited)")}`;
    return [
      `${time} ${this.dim(seq)} ${head}${first}${rest.length === 0 ? edited : ""}`,
      ...rest.map((line, i) => `${indent}${line}${i === rest.length - 1 ? edited : ""}`),
    ];
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

/** A short label for a room: public names as they are, private ids shortened. */
export function roomLabel(room: string): string {
  return /^[0-9a-f]{64}$/.test(room) ? `${room.slice(0, 8)}…` : room;
}
