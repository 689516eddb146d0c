/**
 * What the page offers when its room client stopped for good (not because
 * the person left): the name form again when the room refused the name,
 * otherwise a banner saying why, with a button to join again.
 */
import type { ClosedReason } from "../../client/RoomClient.ts";
import { CLOSE_CODES } from "../../protocol/frames.ts";
import { localeDateTime } from "../readableText.ts";

export type StopOffer =
  | { kind: "ask-name"; error: string }
  /** `sameMember`: rejoin with the session (this tab takes it back), else as a newcomer. */
  | { kind: "rejoin"; message: string; action: string; sameMember: boolean };

/** The offer for why the client stopped. */
export function stopOffer(reason: ClosedReason): StopOffer {
  if (reason.error?.code === "name_invalid") return { kind: "ask-name", error: `The room refused that name: ${reason.error.message}.` };
  if (reason.error?.code === "name_taken") {
    return { kind: "ask-name", error: "Someone here already goes by that name (or one that looks the same). Pick another." };
  }
  if (reason.code === CLOSE_CODES.banned || reason.error?.code === "banned") {
    const until = reason.error?.until;
    const when = until === undefined ? "until an owner lifts the ban" : `until ${localeDateTime(until)}`;
    return { kind: "rejoin", message: `You are banned from this room ${when}.${because(reason)}`, action: "Try again", sameMember: false };
  }
  if (reason.code === CLOSE_CODES.kicked) {
    return { kind: "rejoin", message: `An owner removed you from this room.${because(reason)} You may join again.`, action: "Join again", sameMember: false };
  }
  if (reason.error?.code === "room_locked") {
    return { kind: "rejoin", message: "This room is locked: only people already in it and its owners can join now.", action: "Try again", sameMember: false };
  }
  if (reason.code === CLOSE_CODES.replaced) {
    return { kind: "rejoin", message: "This room is open in another tab or window, so this tab stopped.", action: "Use this tab", sameMember: true };
  }
  if (reason.code === CLOSE_CODES.policy) {
    return { kind: "rejoin", message: "You were disconnected for sending too much too quickly.", action: "Rejoin", sameMember: false };
  }
  if (reason.error) return { kind: "rejoin", message: `Could not join: ${reason.error.message}.`, action: "Try again", sameMember: false };
  return { kind: "rejoin", message: "Disconnected from the room.", action: "Reconnect", sameMember: false };
}

/** The room's words for a kick or a ban (the close reason), when it gave some. */
function because(reason: ClosedReason): string {
  const text = reason.reason.trim();
  return text === "" || text === reason.error?.message ? "" : ` The room said: “${text}”.`;
}
