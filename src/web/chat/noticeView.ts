/**
 * The chat controller's notices, worded and placed for the page: most as a
 * line in the conversation (spoken too where the answer is the point), a
 * message that could not be sent under the message box, a refusal on the
 * message itself.
 */
import type { ChatNotice } from "../../client/chat/notices.ts";
import type { RoomPresence } from "../../client/RoomClient.ts";
import { unreachable, type ErrorFrame, type SearchFrame } from "../../protocol/frames.ts";
import { DEFAULT_LIMITS } from "../../protocol/limits.ts";
import type { Announcer } from "./announcer.ts";
import type { Composer } from "./composer.ts";
import { helpText } from "./helpText.ts";
import { crowdSentence } from "./memberList.ts";
import type { Transcript } from "./transcript.ts";

export interface NoticeTargets {
  transcript: Transcript;
  composer: Composer;
  announcer: Announcer;
  /** The room's text limit now (a refusal for length says it). */
  textMax(): number;
  /** A name chosen offline, remembered before the room hears of it. */
  rememberName(name: string): void;
  /** A typed /search's answer, in the search panel (null: not connected). */
  found(q: string, found: SearchFrame | null): void;
}

/** Shows one notice; every kind has its words here. */
export function showNotice(notice: ChatNotice, to: NoticeTargets): void {
  switch (notice.kind) {
    case "help":
      return to.transcript.notice(helpText(notice.commands));
    case "who":
      return showWho(notice.presence, notice.selfId, to);
    case "not-joined": {
      const sentence = "Nobody is online (you are not connected).";
      to.transcript.notice(sentence);
      return to.announcer.say(sentence);
    }
    case "usage":
      to.transcript.notice(notice.message, "warning");
      return to.announcer.say(notice.message);
    case "not-sent":
      return to.composer.showError(`Not sent: ${notice.problem.message}.`);
    case "queued-offline":
      return; // the message shows as pending, "Waiting for connection…"
    case "refused":
      return to.transcript.failPending(notice.message.id, refusal(notice.error, to.textMax()));
    case "name-invalid":
      return to.transcript.notice(`Could not change your name: ${notice.problem.message}.`, "error");
    case "already-named":
      return to.transcript.notice(`You are already ${notice.name}.`);
    case "rename-queued":
      to.rememberName(notice.name);
      return to.transcript.notice(`You will be ${notice.name} once the connection is back.`);
    case "history":
    case "history-none":
    case "history-offline":
    case "history-busy":
      return; // no /history here: scrolling up loads older messages
    case "search":
      return to.found(notice.q, { type: "search", q: notice.q, results: [...notice.results], hasMore: notice.more });
    case "search-offline":
      return to.found("", null);
    case "room-full":
      return to.transcript.notice("The room is full right now. Trying again shortly…", "warning");
    case "room-error": {
      const text = roomError(notice.error);
      to.transcript.notice(text, "error");
      return to.announcer.say(text);
    }
    case "malformed":
      // For whoever runs the server; the person can do nothing about it.
      return console.warn(`Parley ignored a frame from the server that breaks the protocol: ${notice.problem}`);
    // Answers to the owners' commands; the page's menus say the same in place.
    case "owner-only":
    case "not-yours":
    case "nothing-to-edit":
    case "not-found":
    case "action-invalid":
      to.transcript.notice(notice.text, "error");
      return to.announcer.say(notice.text);
    case "settings":
    case "bans":
    case "unban-sent":
    case "slow-mode-wait":
      return to.transcript.notice(notice.text);
    case "message-changed":
    case "quote-changed":
    case "reactions":
    case "moderation":
    case "newcomer":
    case "ended":
      return; // the page draws these from the room's events itself
    default:
      unreachable(notice);
  }
}

/** /who: the names (spoken too), or in a crowd how many. */
function showWho({ members, online, crowd }: RoomPresence, selfId: string, to: NoticeTargets): void {
  if (crowd) {
    const sentence = `${crowdSentence(online)} This room is too big to list everyone.`;
    to.transcript.notice(sentence);
    return to.announcer.say(sentence);
  }
  const names = members.map((m) => (m.id === selfId ? `${m.name} (you)` : m.name));
  to.transcript.notice(`Online now (${names.length}): ${names.join(", ")}`);
  to.announcer.say(`Online now: ${names.join(", ")}`);
}

/** An error from the room, in a sentence. */
function roomError({ code, message }: ErrorFrame): string {
  switch (code) {
    case "name_invalid":
      return `Could not change your name: ${message}.`;
    case "too_many_reactions":
      return `This message already has ${DEFAULT_LIMITS.REACTIONS_MAX} different reactions: add yours to one of them instead.`;
    case "reaction_invalid":
      return "That reaction was not taken: a reaction is a single emoji.";
    default:
      return `The room refused that: ${message}.`;
  }
}

/** Why the room refused a message, for the line under it (after "Not sent: "). */
function refusal(error: ErrorFrame, textMax: number): string {
  switch (error.code) {
    case "text_too_long":
      return `too long (at most ${textMax} characters).`;
    case "text_invalid":
      return "it contains characters that cannot be sent.";
    case "text_empty":
      return "it is empty.";
    case "not_found":
      return "the message it answers is gone.";
    default:
      return `${error.message}.`;
  }
}
