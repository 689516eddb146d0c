/**
 * What the chat controller tells a person, as meaning rather than words. Each
 * app words and places every kind its own way (the browser in sentences, the
 * terminal in `--- …` / `!!! …` lines) in an exhaustive switch ending in
 * `unreachable`, so a new kind makes the compiler point at both apps.
 */
import type {
  Ban,
  BannedEvent,
  DeletedEvent,
  EditedEvent,
  ErrorFrame,
  KickedEvent,
  Member,
  MessageEvent,
  ReactionsEvent,
  RoomEvent,
  RoomSettings,
  SearchResult,
  SettingsEvent,
} from "../../protocol/frames.ts";
import type { ProtocolError } from "../../protocol/validate.ts";
import type { ClosedReason, PendingMessage, RoomPresence } from "../RoomClient.ts";
import type { CommandHelp } from "./commands.ts";
import type { OwnerAction } from "./moderationText.ts";

export type ChatNotice =
  // -- answers to commands --------------------------------------------------
  /** /help: the commands this app understands, in the order to show them. */
  | { kind: "help"; commands: readonly CommandHelp[] }
  /** /who once the room has answered: who is here (a crowd is only counted). */
  | { kind: "who"; presence: RoomPresence; selfId: string }
  /** /who before the room ever answered: nobody is known yet. */
  | { kind: "not-joined" }
  /** A command used wrongly, or unknown; `message` is the command language's explanation. */
  | { kind: "usage"; message: string }
  // -- messages -------------------------------------------------------------
  /** Text the room would refuse: nothing was queued. */
  | { kind: "not-sent"; text: string; problem: ProtocolError }
  /** Queued while not connected: it goes out once the connection is back. */
  | { kind: "queued-offline"; message: PendingMessage }
  /** The room refused a queued message for good; it has left the outbox. */
  | { kind: "refused"; message: PendingMessage; error: ErrorFrame }
  // -- names (/nick) ----------------------------------------------------------
  /** The name breaks the rules for names: nothing was asked of the room. */
  | { kind: "name-invalid"; problem: ProtocolError }
  | { kind: "already-named"; name: string }
  /** Not connected: the new name goes with the next join. */
  | { kind: "rename-queued"; name: string }
  // -- scroll-back (/history) -------------------------------------------------
  /** Earlier events, oldest first (never empty); `more` when the room has older ones still. */
  | { kind: "history"; events: readonly RoomEvent[]; more: boolean }
  /** Nothing earlier: what is shown starts at the beginning of the room. */
  | { kind: "history-none" }
  /** Not connected, or (`dropped`) the connection went while fetching. */
  | { kind: "history-offline"; dropped: boolean }
  /** An earlier /history is still being fetched. */
  | { kind: "history-busy" }
  // -- search (/search) -------------------------------------------------------
  /**
   * What the room found, newest first (maybe none); `more` when older matches
   * exist. `before`: this is a later page (/more), of matches older than it.
   */
  | { kind: "search"; q: string; results: readonly SearchResult[]; more: boolean; before?: number }
  /** Not connected, or the connection went before the answer came. */
  | { kind: "search-offline" }
  // -- the room ---------------------------------------------------------------
  /** The room is at capacity; the client retries by itself. `joined`: it had been in before. */
  | { kind: "room-full"; joined: boolean; message: string }
  /** An error from the room worth showing (not pacing, not about one message). */
  | { kind: "room-error"; error: ErrorFrame }
  /** The server sent a frame that breaks the protocol; it was ignored. */
  | { kind: "malformed"; problem: string }
  // -- editing and moderating -------------------------------------------------
  // Each carries `text`: the sentence both apps show (moderationText.ts), plain
  // text that may hold names and reasons from the room (escape it as you show it).
  /** A command only owners may use, typed by someone who is not one: nothing was sent. */
  | { kind: "owner-only"; action: OwnerAction; text: string }
  /** /edit of a message someone else wrote (or one already deleted): nothing was sent. */
  | { kind: "not-yours"; seq: number; text: string }
  /** /edit without a seq before this member has said anything editable. */
  | { kind: "nothing-to-edit"; text: string }
  /** A command named someone who is not online, or a ban that does not exist. */
  | { kind: "not-found"; text: string }
  /** An action this client refused before sending (bad length, not connected…): nothing was sent. */
  | { kind: "action-invalid"; problem: ProtocolError; text: string }
  /** /topic or /slow without arguments: how the room is set now. */
  | { kind: "settings"; settings: RoomSettings; text: string }
  /** /bans (owners): the bans in force, oldest first. */
  | { kind: "bans"; bans: readonly Ban[]; text: string }
  /** /unban went out (the room announces no event for it; a later /bans shows it). */
  | { kind: "unban-sent"; ban: Ban; text: string }
  /** A message of ours waits for slow mode; it goes out by itself after `retryAfterMs`. */
  | { kind: "slow-mode-wait"; message: PendingMessage; retryAfterMs: number; text: string }
  /**
   * A message was edited or deleted: `message` is how it reads now ("(edited)"
   * with `edited`, "message deleted" with `deleted`), if this client has it.
   */
  | { kind: "message-changed"; event: EditedEvent | DeletedEvent; message: MessageEvent | undefined; text: string }
  /** A reply's quote changed because the message it quotes was edited or deleted: `message` is the reply as it reads now. */
  | { kind: "quote-changed"; message: MessageEvent }
  /**
   * The reactions on a message changed (no line to show: update the message).
   * `message` is how it reads now, if this client has it; `mine` are this
   * member's own reactions on it.
   */
  | { kind: "reactions"; event: ReactionsEvent; message: MessageEvent | undefined; mine: ReadonlySet<string> }
  /** An owner kicked or banned someone, or changed the room's settings (`text` names each change). */
  | { kind: "moderation"; event: KickedEvent | BannedEvent | SettingsEvent; text: string }
  /** To owners in a crowd, where joins are not events: someone joined. */
  | { kind: "newcomer"; member: Member; text: string }
  /** The room ended the session for good (kicked 4003, banned 4004) or refused the join (name taken, banned, locked). */
  | { kind: "ended"; reason: ClosedReason; text: string };

export type ChatNoticeKind = ChatNotice["kind"];
