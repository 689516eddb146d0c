/** An in-memory stand-in for the room client, for the chat controller's tests. */
import type { ConnectionState, PendingMessage, RoomPresence } from "../../../src/client/RoomClient.ts";
import type { ChatRoom, ChatRoomEvents } from "../../../src/client/chat/controller.ts";
import type { CommandExtras } from "../../../src/client/chat/commands.ts";
import type { ActionFrame } from "../../../src/protocol/validate.ts";
import type { Ban, HistoryFrame, Member, MembersFrame, RoomEvent, RoomSettings, SearchFrame, WelcomeFrame } from "../../../src/protocol/frames.ts";
import { DEFAULT_ADVERTISED_LIMITS } from "../../../src/protocol/limits.ts";
import { checkAction, normalizeName, normalizeText, type ProtocolError, type Result } from "../../../src/protocol/validate.ts";

export const ALICE: Member = { id: "a1", name: "alice" };
export const BOB: Member = { id: "b2", name: "bob" };
export const TERMINAL: CommandExtras = { history: { default: 20, max: 500 }, quit: true };

export type Listeners = { [K in keyof ChatRoomEvents]: Set<(value: ChatRoomEvents[K]) => void> };

/** A room client in memory: it records what the controller asks of it, and the test plays the room. */
export class FakeRoom implements ChatRoom {
  state: ConnectionState = "live";
  self: Member | undefined = ALICE;
  presence: RoomPresence = { members: [ALICE, BOB], online: 2, crowd: false };
  limits = { ...DEFAULT_ADVERTISED_LIMITS, textMax: 10, nameMax: 8 };
  readonly sent: PendingMessage[] = [];
  readonly renames: string[] = [];
  readonly historyAsks: { before: number; limit: number | undefined }[] = [];
  /** Answers to history asks, in order; without one, an ask waits until `answerHistory`. */
  readonly historyPages: Omit<HistoryFrame, "type" | "before">[] = [];
  typingCalls = 0;
  /** What the controller searched for, in order. */
  readonly searchAsks: { q: string; before: number | undefined }[] = [];
  /** Answers to searches, in order; without one, a search waits until `answerSearch` (offline: null at once). */
  readonly searchPages: Omit<SearchFrame, "type">[] = [];
  readonly #searchWaiting: ((frame: SearchFrame | null) => void)[] = [];
  readonly #waiting: ((frame: HistoryFrame) => void)[] = [];
  readonly #listeners: Listeners = {
    welcome: new Set(),
    event: new Set(),
    error: new Set(),
    rejected: new Set(),
    malformed: new Set(),
    newcomer: new Set(),
    closed: new Set(),
  };
  isOwner = false;
  settings: RoomSettings = { topic: "", slowModeSeconds: 0, locked: false };
  outbox: readonly PendingMessage[] = [];
  /** The owners' and editing frames asked for, in order. */
  readonly actions: ActionFrame[] = [];
  /** What `bans()` answers (null: offline); `members()` answers these pages in order. */
  banList: Ban[] | null = [];
  readonly memberPages: MembersFrame[] = [];
  readonly memberAsks: (string | undefined)[] = [];

  #act(frame: ActionFrame): ProtocolError | undefined {
    const checked = checkAction(frame, { NAME_MAX: this.limits.nameMax, TEXT_MAX: this.limits.textMax, FRAME_MAX_BYTES: this.limits.frameMaxBytes });
    if (!checked.ok) return checked.error;
    if (this.state !== "live") return { code: "not_joined", message: "not connected to the room; try again once it is back" };
    this.actions.push(frame);
    return undefined;
  }
  edit(seq: number, text: string) {
    return this.#act({ type: "edit", seq, text });
  }
  deleteMessage(seq: number) {
    return this.#act({ type: "delete", seq });
  }
  react(seq: number, emoji: string, on: boolean) {
    return this.#act({ type: "react", seq, emoji, on });
  }
  kick(member: string, reason?: string) {
    return this.#act({ type: "kick", member, ...(reason === undefined ? {} : { reason }) });
  }
  ban(member: string, options: { minutes?: number; reason?: string } = {}) {
    return this.#act({ type: "ban", member, ...options });
  }
  unban(ban: string) {
    return this.#act({ type: "unban", ban });
  }
  updateSettings(changes: Partial<RoomSettings>) {
    return this.#act({ type: "settings", ...changes });
  }
  bans(): Promise<Ban[] | null> {
    return Promise.resolve(this.banList);
  }
  members(after?: string): Promise<MembersFrame | null> {
    this.memberAsks.push(after);
    return Promise.resolve(this.memberPages.shift() ?? null);
  }

  on<K extends keyof ChatRoomEvents>(type: K, listener: (value: ChatRoomEvents[K]) => void): () => void {
    const set = this.#listeners[type];
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof ChatRoomEvents>(type: K, value: ChatRoomEvents[K]): void {
    for (const listener of this.#listeners[type]) listener(value);
  }

  listenerCount(): number {
    return Object.values(this.#listeners).reduce((n, set) => n + set.size, 0);
  }

  send(text: string, options: { action?: boolean; replyTo?: number } = {}): Result<PendingMessage> {
    const checked = normalizeText(text, this.limits.textMax);
    if (!checked.ok) return checked;
    const replyTo = options.replyTo === undefined ? {} : { replyTo: options.replyTo };
    const message: PendingMessage = { id: `m${this.sent.length + 1}`, text: checked.value, action: options.action === true, ...replyTo };
    this.sent.push(message);
    return { ok: true, value: message };
  }

  rename(name: string): ProtocolError | undefined {
    const checked = normalizeName(name, this.limits.nameMax);
    if (!checked.ok) return checked.error;
    this.renames.push(checked.value);
    return undefined;
  }

  typing(): void {
    this.typingCalls += 1;
  }

  history(before: number, limit?: number): Promise<HistoryFrame> {
    this.historyAsks.push({ before, limit });
    const page = this.historyPages.shift();
    if (page) return Promise.resolve({ type: "history", before, ...page });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  search(q: string, before?: number): Promise<SearchFrame | null> {
    if (this.state !== "live" || q.trim() === "") return Promise.resolve(null);
    this.searchAsks.push({ q, before });
    const page = this.searchPages.shift();
    if (page) return Promise.resolve({ type: "search", ...page });
    return new Promise((resolve) => this.#searchWaiting.push(resolve));
  }

  /** Answers the oldest waiting search (null: the connection went first). */
  answerSearch(frame: Omit<SearchFrame, "type"> | null): void {
    this.#searchWaiting.shift()?.(frame && { type: "search", ...frame });
  }

  /** Answers the oldest waiting history ask. */
  answerHistory(frame: Omit<Extract<HistoryFrame, { before: number }>, "type">): void {
    this.#waiting.shift()?.({ type: "history", ...frame });
  }

  /** The room's welcome, with `events` delivered after it as the client does. */
  welcome(options: { fresh: boolean; hasMore: boolean; events?: RoomEvent[] }): void {
    const welcome: WelcomeFrame = {
      type: "welcome",
      protocol: 1,
      room: "lobby",
      self: ALICE,
      session: "s".repeat(32),
      members: [ALICE, BOB],
      online: 2,
      settings: { topic: "", slowModeSeconds: 0, locked: false },
      events: options.events ?? [],
      lastSeq: options.events?.at(-1)?.seq ?? 0,
      hasMore: options.hasMore,
      limits: this.limits,
    };
    this.self = ALICE;
    this.emit("welcome", { welcome, fresh: options.fresh });
    for (const event of options.events ?? []) this.emit("event", event);
  }
}

