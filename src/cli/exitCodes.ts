/**
 * Exit codes of the terminal client, and how the ways a run can end map
 * onto them. `--help` prints the same table (see help.ts).
 */
import { endedText } from "../client/chat/moderationText.ts";
import type { ClosedReason } from "../client/RoomClient.ts";
import { CLOSE_CODES } from "../protocol/frames.ts";
import { sanitize } from "./sanitize.ts";

export const EXIT = {
  /** Left normally; in piped mode: every message was acknowledged. */
  ok: 0,
  /** Could not reach the server or stay connected, or messages were not delivered. */
  failure: 1,
  /** Bad command line: unknown flag, invalid room, name or URL. */
  usage: 2,
  /** The server or room refused us: name refused or taken, room full or locked, no such private room, session taken over. */
  refused: 3,
  /** An owner removed us from the room (close 4003); joining again is allowed. */
  kicked: 4,
  /** Banned from the room: closed with 4004, or a join refused with `banned`. */
  banned: 5,
  /** Ctrl-C / SIGINT. */
  interrupted: 130,
  /** SIGTERM. */
  terminated: 143,
  /** SIGHUP: the terminal went away. */
  hungUp: 129,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface Outcome {
  code: ExitCode;
  message: string;
}

/** What it means when the room client stopped by itself (not because we left). Server text is sanitised. */
export function closedOutcome(reason: ClosedReason): Outcome {
  // Moderation and its refusals: the same sentences as the browser's (moderationText.ts).
  const ended = endedText(reason);
  if (ended !== undefined) {
    const banned = reason.code === CLOSE_CODES.banned || reason.error?.code === "banned";
    const code = banned ? EXIT.banned : reason.code === CLOSE_CODES.kicked && !reason.error ? EXIT.kicked : EXIT.refused;
    return { code, message: sanitize(ended) };
  }
  if (reason.error) {
    const what = reason.error.code === "name_invalid" ? "the room refused the name" : "the room refused to let us join";
    return { code: EXIT.refused, message: `${what}: ${sanitize(reason.error.message)} (${sanitize(reason.error.code)})` };
  }
  switch (reason.code) {
    case CLOSE_CODES.replaced:
      return { code: EXIT.refused, message: "this session was taken over by a newer connection (close 4001)" };
    case CLOSE_CODES.policy:
      return { code: EXIT.refused, message: "the room closed the connection: too many frames while rate limited (close 1008)" };
    case CLOSE_CODES.normal:
      return { code: EXIT.failure, message: "the server ended the session" };
    case 1002:
      return { code: EXIT.usage, message: `cannot open the room's WebSocket: ${sanitize(reason.reason)}` };
    default:
      return { code: EXIT.failure, message: `connection closed (${reason.code}${reason.reason ? `: ${sanitize(reason.reason)}` : ""})` };
  }
}
