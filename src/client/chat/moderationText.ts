/**
 * The words both apps use for owners, edits, deletes and moderation, so the
 * browser and the terminal say the same thing: whole sentences, plain text
 * (each app escapes or sanitises what came from the room as it shows it).
 */
import { CLOSE_CODES, type Ban, type ErrorFrame, type Member, type RoomEvent, type RoomSettings } from "../../protocol/frames.ts";
import type { ClosedReason } from "../roomSession.ts";

/** An edit or delete, as it happens: "alice edited message #42." */
export function changeText(event: { type: "edited" | "deleted"; target: number; by: Member }): string {
  return `${event.by.name} ${event.type} message #${event.target}.`;
}

/** What only an owner may do, as the "only owners can …" sentence names it. */
export type OwnerAction = "kick" | "ban" | "unban" | "bans" | "topic" | "slow" | "lock" | "unlock" | "delete-others";

const OWNER_ACTIONS: Record<OwnerAction, string> = {
  kick: "kick members",
  ban: "ban members",
  unban: "lift bans",
  bans: "see the bans",
  topic: "set the topic",
  slow: "change slow mode",
  lock: "lock the room",
  unlock: "unlock the room",
  "delete-others": "delete other people's messages",
};

/** "Only owners can kick members." */
export function ownerOnlyText(action: OwnerAction): string {
  return `Only owners can ${OWNER_ACTIONS[action]}.`;
}

/** When a ban or wait ends, in the reader's local time: `15:30`, or `3 Dec 15:30` on another day. */
export function whenText(ts: number, now = Date.now()): string {
  const date = new Date(ts);
  const time = `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
  return new Date(now).toDateString() === date.toDateString() ? time : `${date.getDate()} ${MONTHS[date.getMonth()]} ${time}`;
}
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "one message every 10 seconds" / "off". */
export function slowModeText(seconds: number): string {
  if (seconds === 0) return "off";
  return `one message every ${seconds === 1 ? "second" : durationText(seconds)} each`;
}

function durationText(seconds: number): string {
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds % 60 === 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

const withReason = (reason: string | undefined) => (reason === undefined || reason === "" ? "" : `: ${reason}`);

/** The room's current settings in one sentence, for `/topic` and `/slow` without arguments and for the join notice. */
export function topicText(settings: RoomSettings): string {
  return settings.topic === "" ? "No topic is set." : `Topic: ${settings.topic}`;
}

/**
 * What changed between two settings, one sentence per change, naming who
 * changed it: "alice set the topic: Release day", "alice locked the room".
 * With no earlier settings known, the whole state is described.
 */
export function settingsChangeTexts(by: Member, next: RoomSettings, previous: RoomSettings | undefined): string[] {
  const texts: string[] = [];
  if (previous === undefined || next.topic !== previous.topic) {
    texts.push(next.topic === "" ? `${by.name} cleared the topic.` : `${by.name} set the topic: ${next.topic}`);
  }
  if (previous === undefined || next.slowModeSeconds !== previous.slowModeSeconds) {
    texts.push(
      next.slowModeSeconds === 0 ? `${by.name} turned slow mode off.` : `${by.name} turned slow mode on: ${slowModeText(next.slowModeSeconds)}.`,
    );
  }
  if (previous === undefined || next.locked !== previous.locked) {
    texts.push(next.locked ? `${by.name} locked the room: only its members and owners can join.` : `${by.name} unlocked the room.`);
  }
  return texts;
}

/**
 * The sentence for a moderation event (edited, deleted, kicked, banned,
 * settings), or undefined for the others (messages, joins, leaves, renames).
 * `selfId` words what happened to the reader in the second person.
 */
export function moderationEventText(event: RoomEvent, selfId: string | undefined, previous?: RoomSettings): string | undefined {
  switch (event.type) {
    case "edited":
    case "deleted":
      return changeText(event);
    case "kicked":
      return event.member.id === selfId
        ? `${event.by.name} removed you from the room${withReason(event.reason)}`
        : `${event.member.name} was removed by ${event.by.name}${withReason(event.reason)}`;
    case "banned": {
      const until = event.until === undefined ? "" : ` until ${whenText(event.until)}`;
      return event.member.id === selfId
        ? `${event.by.name} banned you from the room${until}${withReason(event.reason)}`
        : `${event.member.name} was banned by ${event.by.name}${until}${withReason(event.reason)}`;
    }
    case "settings":
      return settingsChangeTexts(event.by, event, previous).join(" ");
    default:
      return undefined;
  }
}

/** One line of the ban list: `#b1 bob, by alice until 15:30: spam`. */
export function banText(ban: Ban): string {
  const until = ban.until === undefined ? ", until unbanned" : ` until ${whenText(ban.until)}`;
  return `${ban.ban}: ${ban.member.name}, banned by ${ban.by.name}${until}${withReason(ban.reason)}`;
}

/**
 * Why the session ended for good when the room ended it (kicked, banned) or
 * refused the join (name taken, banned, locked); undefined for other ends,
 * which each app words itself.
 */
export function endedText(reason: ClosedReason): string | undefined {
  // The room's close reason says who and why ("kicked by alice: spam").
  const why = reason.reason === "" ? "" : ` (${reason.reason})`;
  if (reason.error) return refusalText(reason.error);
  if (reason.code === CLOSE_CODES.kicked) return `You were removed from the room${why}. You may join again.`;
  if (reason.code === CLOSE_CODES.banned) return `You were banned from this room${why}.`;
  return undefined;
}

function bannedText(error: ErrorFrame | undefined): string {
  return error?.until === undefined ? "You are banned from this room." : `You are banned from this room until ${whenText(error.until)}.`;
}

/** A join the room refused: what it means for the person; undefined for codes without special words. */
export function refusalText(error: ErrorFrame): string | undefined {
  switch (error.code) {
    case "name_taken":
      return "That name is taken by someone online in this room (names that look alike count as the same); choose another.";
    case "banned":
      return bannedText(error);
    case "room_locked":
      return "This room is locked: only its members and owners can join now.";
    default:
      return undefined;
  }
}
