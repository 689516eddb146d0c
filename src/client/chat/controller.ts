/**
 * The chat controller both apps share. It turns what a person types into
 * protocol actions on the room client (messages, /me, /nick, /history, /quit)
 * and into notices (notices.ts), and it decides which of the room's errors a
 * person needs to hear about. The apps keep only input and rendering: they
 * word each notice their own way, except the moderation notices, whose
 * sentences (moderationText.ts) both share.
 *
 * Editing and moderating (/edit, /delete and the owners' commands, the same
 * actions for menus) live in moderation.ts, which an app opts into with
 * `commands.moderation`: a page that does not offer them does not carry them.
 *
 * With it, the controller also keeps the messages it has seen as they read
 * now (edited, deleted): `moderation.message(seq)` and `message-changed`
 * notices, for "(edited)" and "message deleted" in place.
 *
 * It depends on the room client through `ChatRoom`, the few members of
 * RoomClient it uses, so it can be tested without a socket.
 */
import {
  unreachable,
  type AdvertisedLimits,
  type Ban,
  type ErrorFrame,
  type Member,
  type MembersFrame,
  type RoomSettings,
  type SearchFrame,
} from "../../protocol/frames.ts";
import { normalizeName, type ProtocolError, type Result } from "../../protocol/validate.ts";
import type { PendingMessage, RoomClientEvents, RoomPresence } from "../RoomClient.ts";
import { commandHelp, parseCommand, type CommandExtras } from "./commands.ts";
import type { Moderation } from "./moderation.ts";
import type { ChatNotice } from "./notices.ts";
import { olderEvents, type HistorySource } from "./olderEvents.ts";

/** The room client events the controller listens to. */
export type ChatRoomEvents = Pick<RoomClientEvents, "welcome" | "event" | "error" | "rejected" | "malformed" | "newcomer" | "closed">;

/** The owners' and editing part of RoomClient (see its docs). */
export interface ModeratedRoom {
  readonly isOwner: boolean;
  readonly settings: RoomSettings;
  readonly outbox: readonly PendingMessage[];
  edit(seq: number, text: string): ProtocolError | undefined;
  deleteMessage(seq: number): ProtocolError | undefined;
  react(seq: number, emoji: string, on: boolean): ProtocolError | undefined;
  kick(member: string, reason?: string): ProtocolError | undefined;
  ban(member: string, options?: { minutes?: number; reason?: string }): ProtocolError | undefined;
  unban(ban: string): ProtocolError | undefined;
  updateSettings(changes: Partial<RoomSettings>): ProtocolError | undefined;
  bans(): Promise<Ban[] | null>;
  members(after?: string): Promise<MembersFrame | null>;
}

/** The subset of RoomClient the controller uses (`state` and `history` come with HistorySource). */
export interface ChatRoom extends HistorySource, ModeratedRoom {
  readonly self: Member | undefined;
  readonly presence: RoomPresence;
  readonly limits: AdvertisedLimits;
  on<K extends keyof ChatRoomEvents>(type: K, listener: (value: ChatRoomEvents[K]) => void): () => void;
  send(text: string, options?: { action?: boolean; replyTo?: number }): Result<PendingMessage>;
  search(q: string, before?: number): Promise<SearchFrame | null>;
  rename(name: string): ProtocolError | undefined;
  typing(): void;
}

/** What became of a line the person typed. */
export type InputOutcome =
  /** Queued in the outbox; the room's own event for it follows. */
  | { kind: "sent"; message: PendingMessage }
  /** Text the room would refuse: nothing was queued (a `not-sent` notice says why). */
  | { kind: "not-sent"; problem: ProtocolError }
  /** A command was carried out: the line is done with. */
  | { kind: "done" }
  /** Nothing was done (an empty line, a mistyped command): keep the line to fix it. */
  | { kind: "kept" }
  /** /quit: the app leaves. */
  | { kind: "quit" };

/** What became of text sent as it is. */
export type SendOutcome = Extract<InputOutcome, { kind: "sent" | "not-sent" }>;

export interface ChatControllerOptions {
  /** The commands this app adds to the common ones (the terminal: /history and /quit). */
  commands?: CommandExtras;
  /** Shows a notice; called synchronously, in order. */
  notify(notice: ChatNotice): void;
}

export class ChatController {
  readonly #room: ChatRoom;
  readonly #commands: CommandExtras;
  readonly #notify: (notice: ChatNotice) => void;
  readonly #unsubscribe: (() => void)[];
  /** "Room full" was said since the last welcome; the client retries by itself, so once is enough. */
  #toldFull = false;
  /** Where /history continues: the oldest event shown, and whether the room has older ones. */
  #oldestSeq: number | undefined;
  #hasOlder = false;
  #historyBusy = false;
  #disposed = false;
  /** The last search answered (for /more): its words, and the seq its older matches come before (undefined: none). */
  #lastSearch: { q: string; before: number | undefined } | undefined;
  /** Searches asked and not answered yet. */
  #searching = 0;
  /** Editing and moderating, when the app asked for them (CommandExtras.moderation). */
  readonly #moderation: Moderation | undefined;

  constructor(room: ChatRoom, options: ChatControllerOptions) {
    this.#room = room;
    this.#commands = options.commands ?? {};
    this.#notify = options.notify;
    this.#moderation = this.#commands.moderation?.create({
      room,
      notify: (notice) => this.#notify(notice),
      send: (text, sendOptions) => this.send(text, sendOptions),
      disposed: () => this.#disposed,
    });
    this.#unsubscribe = [
      room.on("welcome", ({ welcome, fresh }) => {
        this.#toldFull = false;
        this.#moderation?.welcome(welcome.settings);
        if (fresh) {
          this.#oldestSeq = undefined;
          this.#hasOlder = welcome.hasMore;
          this.#moderation?.forgetMessages();
          this.#lastSearch = undefined;
        }
      }),
      room.on("event", (event) => {
        this.#oldestSeq ??= event.seq;
        this.#moderation?.onEvent(event);
      }),
      room.on("error", (error) => this.#onRoomError(error)),
      room.on("rejected", ({ message, error }) => this.#notify({ kind: "refused", message, error })),
      room.on("malformed", (problem) => this.#notify({ kind: "malformed", problem })),
      room.on("newcomer", (member) => this.#moderation?.onNewcomer(member)),
      room.on("closed", (reason) => this.#moderation?.onClosed(reason)),
    ];
  }

  /** Carries out a line the person typed: a message, or a command. */
  submit(line: string): InputOutcome {
    const input = parseCommand(line, this.#commands);
    switch (input.kind) {
      case "empty":
        return { kind: "kept" };
      case "say":
        return this.send(input.text);
      case "me":
        return this.send(input.text, { action: true });
      case "nick":
        return this.#rename(input.name);
      case "who":
        this.#notify(this.#who());
        return { kind: "done" };
      case "help":
        this.#notify({ kind: "help", commands: commandHelp(this.#commands) });
        return { kind: "done" };
      case "history":
        this.#history(input.count);
        return { kind: "done" };
      case "search":
        void this.search(input.q);
        return { kind: "done" };
      case "search-more":
        this.#searchMore();
        return { kind: "done" };
      case "quit":
        return { kind: "quit" };
      case "moderation":
        return this.#moderation?.run(input.command) ?? { kind: "kept" };
      case "invalid":
        this.#notify({ kind: "usage", message: input.message });
        return { kind: "kept" };
      default:
        return unreachable(input);
    }
  }

  /** Sends text as it is, never as a command (the terminal's scripted input). */
  send(text: string, options: { action?: boolean; replyTo?: number } = {}): SendOutcome {
    const sent = this.#room.send(text, options);
    if (!sent.ok) {
      this.#notify({ kind: "not-sent", text, problem: sent.error });
      return { kind: "not-sent", problem: sent.error };
    }
    if (this.#room.state !== "live") this.#notify({ kind: "queued-offline", message: sent.value });
    return { kind: "sent", message: sent.value };
  }

  /**
   * Searches the room (as `/search`), answering with a `search` notice, or
   * `search-offline`; `before` asks for the page after an earlier one.
   */
  async search(q: string, before?: number): Promise<void> {
    this.#searching += 1;
    const found = await this.#room.search(q, before).finally(() => (this.#searching -= 1));
    if (this.#disposed) return;
    if (!found) return this.#notify({ kind: "search-offline" });
    const oldest = found.results.at(-1)?.seq;
    // What /more continues: this search, from its oldest match (none left: nothing to continue).
    this.#lastSearch = { q: found.q, before: found.hasMore && oldest !== undefined ? oldest : undefined };
    this.#notify({ kind: "search", q: found.q, results: found.results, more: found.hasMore, ...(before === undefined ? {} : { before }) });
  }

  /** /more: the next page of the last search, or why there is none. */
  #searchMore(): void {
    const last = this.#lastSearch;
    if (this.#searching > 0) return this.#notify({ kind: "usage", message: "Still searching: wait for the answer, then /more." });
    if (!last) return this.#notify({ kind: "usage", message: "Nothing to continue: /search WORDS first, then /more for older matches." });
    if (last.before === undefined) return this.#notify({ kind: "usage", message: `No older messages match "${last.q}".` });
    void this.search(last.q, last.before);
  }

  /** The person is writing `draft`: the room hears they are typing, unless it is a command. */
  typing(draft: string): void {
    const text = draft.trim();
    if (text !== "" && !text.startsWith("/")) this.#room.typing();
  }

  /**
   * Editing and moderating from menus (the same checks and notices as the
   * commands), when the app asked for them with `commands.moderation`.
   */
  get moderation(): Moderation | undefined {
    return this.#moderation;
  }

  /** Stops listening to the room; a /history under way ends without a notice. */
  dispose(): void {
    this.#disposed = true;
    for (const off of this.#unsubscribe) off();
  }

  #rename(raw: string): InputOutcome {
    const checked = normalizeName(raw, this.#room.limits.nameMax);
    if (!checked.ok) {
      this.#notify({ kind: "name-invalid", problem: checked.error });
      return { kind: "kept" };
    }
    const name = checked.value;
    // The room ignores a rename to the same name; say why nothing happens.
    if (name === this.#room.self?.name) {
      this.#notify({ kind: "already-named", name });
      return { kind: "done" };
    }
    const problem = this.#room.rename(name);
    if (problem) {
      this.#notify({ kind: "name-invalid", problem });
      return { kind: "kept" };
    }
    if (this.#room.state !== "live") this.#notify({ kind: "rename-queued", name });
    return { kind: "done" };
  }

  #who(): ChatNotice {
    const self = this.#room.self;
    return self ? { kind: "who", presence: this.#room.presence, selfId: self.id } : { kind: "not-joined" };
  }

  #history(count: number): void {
    if (this.#historyBusy) return this.#notify({ kind: "history-busy" });
    this.#historyBusy = true;
    void this.#showHistory(count).finally(() => (this.#historyBusy = false));
  }

  async #showHistory(count: number): Promise<void> {
    if (this.#room.state !== "live") return this.#notify({ kind: "history-offline", dropped: false });
    if (this.#oldestSeq === undefined || !this.#hasOlder) return this.#notify({ kind: "history-none" });
    const older = await olderEvents(this.#room, this.#oldestSeq, count);
    if (this.#disposed) return;
    if (older.kind === "offline") return this.#notify({ kind: "history-offline", dropped: older.dropped });
    this.#hasOlder = older.hasMore;
    const first = older.events[0];
    if (!first) return this.#notify({ kind: "history-none" });
    this.#oldestSeq = first.seq;
    for (const event of older.events) if (event.type === "message") this.#moderation?.keep(event);
    this.#notify({ kind: "history", events: older.events, more: older.hasMore });
  }

  /** Which errors from the room a person hears about. */
  #onRoomError(error: ErrorFrame): void {
    if (this.#moderation?.onError(error)) return;
    // Pacing is the room client's business, and a refused message arrives as "rejected".
    if (error.code === "rate_limited" || error.ref !== undefined) return;
    if (error.code === "room_full") {
      if (!this.#toldFull) this.#notify({ kind: "room-full", joined: this.#room.self !== undefined, message: error.message });
      this.#toldFull = true;
      return;
    }
    this.#notify({ kind: "room-error", error });
  }

}
