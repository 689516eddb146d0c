/**
 * The plain-text session: what a client with no Parley code at all (websocat,
 * a classroom telnet habit, a shell script) sends and receives on a room's
 * socket opened with `?format=text` (or on `/chat`, the lobby).
 *
 * Each text frame the client sends is one line: a message, or one of the
 * commands both apps know (`/me`, `/nick`, `/who`, `/help`); `//text` sends
 * "/text". The room answers with one line per event, words a person reads
 * rather than JSON, and errors as lines starting with `! `. The room does
 * everything else exactly as for a JSON client (limits, rate, moderation), so
 * these functions are only the translation, both ways.
 */
import { unreachable, type ClientFrame, type Member, type RoomEvent, type ServerFrame, type SpokenMessage } from "./frames.ts";

/** What a line from a plain-text client asks for. */
export type TextInput =
  | { kind: "frame"; frame: ClientFrame }
  | { kind: "who" }
  | { kind: "help" }
  | { kind: "empty" }
  | { kind: "invalid"; message: string };

/** The commands a plain-text client may type, for `/help`. */
export const TEXT_HELP = [
  "Type a line and press Enter to say it. Commands:",
  "  /me ACTION   say what you are doing (/me waves)",
  "  /nick NAME   change your name",
  "  /who         who is here",
  "  /help        this help",
  "  //text       say a line that starts with /",
].join("\n");

/** A guest's name when the client gave none: `guest-` and 4 random hex digits. */
export function guestName(): string {
  const [n = 0] = crypto.getRandomValues(new Uint16Array(1));
  return `guest-${n.toString(16).padStart(4, "0")}`;
}

/** What a line means; the room validates the frame like any other. */
export function parseTextLine(raw: string): TextInput {
  const line = raw.replace(/\r?\n$/, "");
  if (line.trim() === "") return { kind: "empty" };
  if (line.startsWith("//")) return { kind: "frame", frame: { type: "message", text: line.slice(1) } };
  const command = /^\/([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(line.trim());
  if (!command) return { kind: "frame", frame: { type: "message", text: line } };
  const argument = (command[2] ?? "").trim();
  switch (command[1]!.toLowerCase()) {
    case "me":
      return argument === "" ? { kind: "invalid", message: "usage: /me ACTION" } : { kind: "frame", frame: { type: "message", text: argument, action: true } };
    case "nick":
    case "name":
      return argument === "" ? { kind: "invalid", message: "usage: /nick NAME" } : { kind: "frame", frame: { type: "rename", name: argument } };
    case "who":
    case "names":
      return { kind: "who" };
    case "help":
      return { kind: "help" };
    default:
      return { kind: "invalid", message: `unknown command /${command[1]}; /help lists them, //text says a line starting with /` };
  }
}

/** The line a plain-text client reads for an event; undefined for what it need not see. */
export function eventLine(event: RoomEvent): string | undefined {
  switch (event.type) {
    case "message":
      return "deleted" in event ? undefined : messageLine(event);
    case "joined":
      return `* ${event.member.name} joined`;
    case "left":
      return `* ${event.member.name} left`;
    case "renamed":
      return `* ${event.from} is now ${event.member.name}`;
    case "edited":
      return "deleted" in event ? undefined : `* ${event.by.name} edited a message: ${event.text}`;
    case "deleted":
      return `* ${event.by.name} deleted a message`;
    case "reactions":
      return event.on ? `* ${event.by.name} reacted ${event.emoji}` : undefined;
    case "kicked":
      return `* ${event.member.name} was removed by ${event.by.name}${reasonOf(event.reason)}`;
    case "banned":
      return `* ${event.member.name} was banned by ${event.by.name}${reasonOf(event.reason)}`;
    case "settings":
      return `* ${event.by.name} changed the room's settings: topic "${event.topic}", slow mode ${event.slowModeSeconds > 0 ? `${event.slowModeSeconds} s` : "off"}, ${event.locked ? "locked" : "open"}`;
    default:
      return unreachable(event);
  }
}

function messageLine(message: SpokenMessage): string {
  const to = message.replyTo ? ` (to ${message.replyTo.from.name})` : "";
  const edited = message.edited === undefined ? "" : " (edited)";
  const reactions = message.reactions ? ` [${Object.entries(message.reactions).map(([emoji, n]) => `${emoji} ${n}`).join(", ")}]` : "";
  const said = message.action ? `* ${message.from.name}${to} ${message.text}` : `${message.from.name}${to}: ${message.text}`;
  return `${said}${edited}${reactions}`;
}

const reasonOf = (reason: string | undefined) => (reason === undefined ? "" : ` (${reason})`);

/** The first lines of a session: where you are, as whom, and who is here. */
export function welcomeLine(room: string, self: Member, online: number, members: readonly Member[]): string {
  return `* you are ${self.name} in ${room}; ${whoLine(online, members).slice(2)}. /help for commands`;
}

/** The answer to /who. */
export function whoLine(online: number, members: readonly Member[]): string {
  if (members.length === 0) return `* ${online} online`;
  return `* ${online} online: ${members.map((m) => m.name).join(", ")}`;
}

/** An error, as a line a person reads: `! ` and the room's explanation. */
export function errorLine(message: string): string {
  return `! ${message}`;
}

/**
 * The lines a plain-text client reads for a frame the room would send a JSON
 * client: none for what only an app needs (typing, owners' lists, answers to
 * frames a plain client cannot send).
 */
export function frameLines(frame: ServerFrame): string[] {
  switch (frame.type) {
    case "welcome":
      return [...linesOf(frame.events), welcomeLine(frame.room, frame.self, frame.online, frame.members)];
    case "events":
      return linesOf(frame.events);
    case "presence":
      return frame.crowd ? [`* ${frame.online} online`] : [whoLine(frame.online, frame.members)];
    case "error":
      return [errorLine(frame.message)];
    case "newcomer":
      return [`* ${frame.member.name} joined`];
    case "typing":
    case "history":
    case "bans":
    case "members":
    case "search":
      return [];
    default: {
      const line = eventLine(frame);
      return line === undefined ? [] : [line];
    }
  }
}

function linesOf(events: readonly RoomEvent[]): string[] {
  const lines: string[] = [];
  for (const event of events) {
    const line = eventLine(event);
    if (line !== undefined) lines.push(line);
  }
  return lines;
}
