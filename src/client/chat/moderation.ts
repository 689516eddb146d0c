/**
 * Editing and moderating in the chat controller: /edit, /delete, /reply,
 * /react and the owners' commands (/kick, /ban, /unban, /bans, /topic, /slow, /lock,
 * /unlock), the same actions for menus, and the notices about moderation
 * (moderationText.ts words them, the same in both apps). An app opts in with
 * `commands: { moderation: MODERATION }`; the controller reaches this module
 * only through that object, so a page that does not offer it does not carry it.
 *
 * A member is named as typed (found among who is online, by the room's name
 * key; an owner in a crowd pages through the member list); a message by the
 * seq the apps show next to it, with or without its `#`. An owners' command
 * from someone who is not an owner answers "Only owners can …" and sends
 * nothing; so do an edit of someone else's message and a member's delete of
 * one, when this client has seen the message.
 */
import {
  unreachable,
  type Ban,
  type DeletedEvent,
  type EditedEvent,
  type ErrorFrame,
  type Member,
  type MessageEvent,
  type ReactionsEvent,
  type RoomEvent,
  type RoomSettings,
} from "../../protocol/frames.ts";
import { BAN_MINUTES_MAX, SLOW_MODE_MAX_SECONDS } from "../../protocol/limits.ts";
import { quoteAfter } from "../../protocol/replyQuote.ts";
import { canonicalEmoji, type ProtocolError } from "../../protocol/validate.ts";
import type { ClosedReason } from "../RoomClient.ts";
import type { CommandHelp } from "./commands.ts";
import type { ChatRoom, InputOutcome, SendOutcome } from "./controller.ts";
import { findMember, type MemberLookup } from "./memberLookup.ts";
import { banText, changeText, endedText, moderationEventText, ownerOnlyText, slowModeText, topicText, type OwnerAction } from "./moderationText.ts";
import type { ChatNotice } from "./notices.ts";

/** What an editing or moderating command asks for. */
export type ModerationCommand =
  /** /edit SEQ TEXT; without SEQ, the sender's last message. */
  | { kind: "edit"; seq?: number; text: string }
  | { kind: "delete"; seq: number }
  /** /reply #SEQ TEXT: answer message SEQ. */
  | { kind: "reply"; seq: number; text: string }
  /** /react #SEQ EMOJI: put the reaction on, or take it back if it is yours already. */
  | { kind: "react"; seq: number; emoji: string }
  /** /kick NAME [REASON]: `target` is the rest of the line, the member's name first. */
  | { kind: "kick"; target: string }
  /** /ban NAME [MINUTES] [REASON]: `target` as for kick, the duration and reason still in it. */
  | { kind: "ban"; target: string }
  /** /unban BAN-ID or NAME. */
  | { kind: "unban"; target: string }
  | { kind: "bans" }
  /** /topic TEXT sets it, `/topic -` clears it, `/topic` alone shows it. */
  | { kind: "topic"; topic?: string }
  /** /slow SECONDS or off; `/slow` alone shows it. */
  | { kind: "slow"; seconds?: number }
  | { kind: "lock"; locked: boolean };

/** What moderation needs of the controller. */
export interface ModerationHost {
  readonly room: ChatRoom;
  notify(notice: ChatNotice): void;
  /** Sends a message with the controller's notices (not sent, queued offline). */
  send(text: string, options: { replyTo?: number }): SendOutcome;
  /** The controller was disposed: answers that arrive later are dropped. */
  disposed(): boolean;
}

/** The commands' grammar and help, and the part that carries them out. */
export interface ModerationExtension {
  readonly help: readonly CommandHelp[];
  /** The command `/name argument` means, if it is one of these; undefined if not. */
  parse(name: string, argument: string): ModerationCommand | { kind: "invalid"; message: string } | undefined;
  create(host: ModerationHost): Moderation;
}

const HELP: readonly CommandHelp[] = [
  { usage: "/edit [#SEQ] TEXT", description: "change one of your messages (without #SEQ: your last one)" },
  { usage: "/delete #SEQ", description: "delete your message (owners: anyone's)" },
  { usage: "/reply #SEQ TEXT", description: "answer message SEQ (it is quoted above yours)" },
  { usage: "/react #SEQ EMOJI", description: "react with one emoji; again takes it back" },
  { usage: "/topic [TEXT|-]", description: "show the topic; owners: set it (- clears it)" },
  { usage: "/kick NAME [REASON]", description: "owners: remove someone (they may come back)" },
  { usage: "/ban NAME [MINUTES] [REASON]", description: "owners: remove and keep someone out (no MINUTES: until unbanned)" },
  { usage: "/bans", description: "owners: list the bans in force" },
  { usage: "/unban ID|NAME", description: "owners: lift a ban" },
  { usage: "/slow [SECONDS|off]", description: "show slow mode; owners: one message per SECONDS each, or off" },
  { usage: "/lock, /unlock", description: "owners: only members and owners may join, or anyone again" },
];

/** The commands' grammar (pure). */
export function parseModeration(name: string, argument: string): ModerationCommand | { kind: "invalid"; message: string } | undefined {
  switch (name) {
    case "edit":
      return parseEdit(argument);
    case "delete":
    case "del": {
      const seq = parseSeq(argument);
      return seq === undefined ? { kind: "invalid", message: "Usage: /delete #SEQ (the number shown with the message)" } : { kind: "delete", seq };
    }
    case "reply":
      return parseSeqAndRest(argument, "reply", REPLY_USAGE);
    case "react":
      return parseSeqAndRest(argument, "react", REACT_USAGE);
    case "kick":
      return argument === "" ? { kind: "invalid", message: "Usage: /kick NAME [REASON]" } : { kind: "kick", target: argument };
    case "ban":
      return argument === "" ? { kind: "invalid", message: "Usage: /ban NAME [MINUTES] [REASON]" } : { kind: "ban", target: argument };
    case "unban":
      return argument === "" ? { kind: "invalid", message: "Usage: /unban ID|NAME (see /bans)" } : { kind: "unban", target: argument };
    case "bans":
      return { kind: "bans" };
    case "topic":
      return argument === "" ? { kind: "topic" } : { kind: "topic", topic: argument === "-" ? "" : argument };
    case "slow":
      return parseSlow(argument);
    case "lock":
      return { kind: "lock", locked: true };
    case "unlock":
      return { kind: "lock", locked: false };
  }
  return undefined;
}

/** A message's seq as the apps show it: `42` or `#42`. */
function parseSeq(raw: string): number | undefined {
  const match = /^#?(\d{1,15})$/.exec(raw);
  const seq = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(seq) && seq >= 1 ? seq : undefined;
}

const REPLY_USAGE = "Usage: /reply #SEQ TEXT (the number shown with the message)";
const REACT_USAGE = "Usage: /react #SEQ EMOJI (for example /react 42 👍)";

/** `/reply 42 text` or `/react #42 👍`: a seq, then the rest of the line. */
function parseSeqAndRest(argument: string, kind: "reply" | "react", usage: string): ModerationCommand | { kind: "invalid"; message: string } {
  const [first = ""] = argument.split(/\s/, 1);
  const seq = parseSeq(first);
  const rest = argument.slice(first.length).trim();
  if (seq === undefined || rest === "") return { kind: "invalid", message: usage };
  return kind === "reply" ? { kind, seq, text: rest } : { kind, seq, emoji: rest };
}

const EDIT_USAGE = "Usage: /edit [#SEQ] TEXT (without #SEQ: your last message)";

/** `/edit 42 new text`, `/edit #42 new text`, or `/edit new text` for the last message. */
function parseEdit(argument: string): ModerationCommand | { kind: "invalid"; message: string } {
  if (argument === "") return { kind: "invalid", message: EDIT_USAGE };
  const [first = "", ...rest] = argument.split(/\s+/);
  const seq = parseSeq(first);
  // "#x" is a mistyped seq more likely than text that starts with it.
  if (seq === undefined) return /^#\S/.test(first) ? { kind: "invalid", message: EDIT_USAGE } : { kind: "edit", text: argument };
  // A number alone is more likely a forgotten text than a new text "42".
  const text = argument.slice(first.length).trim();
  return rest.length === 0 || text === "" ? { kind: "invalid", message: EDIT_USAGE } : { kind: "edit", seq, text };
}

function parseSlow(argument: string): ModerationCommand | { kind: "invalid"; message: string } {
  if (argument === "") return { kind: "slow" };
  if (/^(off|0)$/i.test(argument)) return { kind: "slow", seconds: 0 };
  const match = /^(\d{1,5})\s*s?$/i.exec(argument);
  const seconds = match ? Number(match[1]) : NaN;
  return seconds >= 1 && seconds <= SLOW_MODE_MAX_SECONDS
    ? { kind: "slow", seconds }
    : { kind: "invalid", message: `Usage: /slow SECONDS (1 to ${SLOW_MODE_MAX_SECONDS}) or /slow off` };
}

/**
 * The duration and reason after a banned member's name: `30 spamming`,
 * `2h`, `1d flood`, or only a reason. Minutes, or with h or d; at most a year.
 */
export function parseBanTerms(rest: string): { minutes?: number; reason?: string } | { error: string } {
  const [first = "", ...words] = rest.trim().split(/\s+/);
  const match = /^(\d{1,7})(m|min|h|d)?$/i.exec(first);
  if (!match) return rest.trim() === "" ? {} : { reason: rest.trim() };
  const unit = (match[2] ?? "m").toLowerCase();
  const minutes = Number(match[1]) * (unit === "h" ? 60 : unit === "d" ? 1440 : 1);
  if (minutes < 1 || minutes > BAN_MINUTES_MAX) return { error: `a ban lasts 1 to ${BAN_MINUTES_MAX} minutes (a year); leave it out to ban until unbanned` };
  const reason = words.join(" ").trim();
  return reason === "" ? { minutes } : { minutes, reason };
}

/**
 * One controller's editing and moderating: its typed commands (`run`), the
 * same actions for menus, messages as they read now, and the notices about
 * moderation. Made by `MODERATION.create`; reached as `controller.moderation`.
 */
export class Moderation {
  readonly #host: ModerationHost;
  readonly #room: ChatRoom;
  readonly #notify: (notice: ChatNotice) => void;
  /** The room's settings before the latest settings event, to say what it changed. */
  #settings: RoomSettings | undefined;
  /** A slow-mode wait was already announced until this time: one notice per wait. */
  #slowToldUntil = 0;
  /** Messages seen (live, replayed, scrolled back), as they read now, by seq; the newest MESSAGES_KEPT. */
  readonly #messages = new Map<number, MessageEvent>();
  /** This member's own reactions, by message seq, from the reactions events about them (live and replayed). */
  readonly #mine = new Map<number, Set<string>>();

  constructor(host: ModerationHost) {
    this.#host = host;
    this.#room = host.room;
    this.#notify = (notice) => host.notify(notice);
  }

  /** Carries out a typed command. */
  run(input: ModerationCommand): InputOutcome {
    switch (input.kind) {
      case "edit":
        return this.#edit(input.seq, input.text);
      case "delete":
        return this.#delete(input.seq);
      case "reply":
        return this.reply(input.seq, input.text);
      case "react":
        return this.react(input.seq, input.emoji);
      case "kick":
        return this.#ownerOnly("kick", () => void this.#kick(input.target));
      case "ban":
        return this.#ownerOnly("ban", () => void this.#ban(input.target));
      case "unban":
        return this.#ownerOnly("unban", () => void this.#unban(input.target));
      case "bans":
        return this.#ownerOnly("bans", () => void this.#showBans());
      case "topic":
        if (input.topic === undefined) return this.#showSettings(topicText(this.#room.settings));
        return this.#ownerOnly("topic", () => this.#settingsChange({ topic: input.topic }));
      case "slow":
        if (input.seconds === undefined) return this.#showSettings(`Slow mode: ${slowModeText(this.#room.settings.slowModeSeconds)}.`);
        return this.#ownerOnly("slow", () => this.#settingsChange({ slowModeSeconds: input.seconds }));
      case "lock":
        return this.#ownerOnly(input.locked ? "lock" : "unlock", () => this.#settingsChange({ locked: input.locked }));
      default:
        return unreachable(input);
    }
  }

  // -- messages as they read now ------------------------------------------------

  /** A message as it reads now (edited, deleted), if this client has seen it. */
  message(seq: number): MessageEvent | undefined {
    return this.#messages.get(seq);
  }

  /** The emoji this member has on message `seq`, as far as this client has seen. */
  myReactions(seq: number): ReadonlySet<string> {
    return this.#mine.get(seq) ?? NO_REACTIONS;
  }

  /** The seq of this member's newest message that is not deleted, if one was seen: what `/edit TEXT` edits. */
  get lastOwnMessage(): number | undefined {
    const selfId = this.#room.self?.id;
    let last: number | undefined;
    for (const [seq, message] of this.#messages) {
      if (message.from.id === selfId && !("deleted" in message) && (last === undefined || seq > last)) last = seq;
    }
    return last;
  }

  // -- the controller's news -------------------------------------------------

  /** A welcome: the room's settings as they are now. */
  welcome(settings: RoomSettings): void {
    this.#settings = settings;
  }

  /** The room's history was reset: what was kept belongs to another one. */
  forgetMessages(): void {
    this.#messages.clear();
    this.#mine.clear();
  }

  /** Each room event, in order (the controller forwards them). */
  onEvent(event: RoomEvent): void {
    switch (event.type) {
      case "message":
        return this.keep(event);
      case "edited":
      case "deleted":
        return this.#onChanged(event);
      case "reactions":
        return this.#onReactions(event);
      case "kicked":
      case "banned":
      case "settings":
        return this.#onModeration(event);
      case "joined":
      case "left":
      case "renamed":
        return;
      default:
        unreachable(event);
    }
  }

  /** A message seen (live, replayed or scrolled back). */
  keep(message: MessageEvent): void {
    this.#messages.set(message.seq, message);
    if (this.#messages.size > MESSAGES_KEPT) {
      const oldest = Math.min(...this.#messages.keys());
      this.#messages.delete(oldest);
    }
  }

  #onChanged(event: EditedEvent | DeletedEvent): void {
    const before = this.#messages.get(event.target);
    const message = before && changedMessage(before, event);
    if (message) this.#messages.set(message.seq, message);
    if (event.type === "deleted" || "deleted" in event) this.#mine.delete(event.target);
    this.#notify({ kind: "message-changed", event, message, text: changeText(event) });
    // Replies quote the message: their quotes follow it (the room rewrote its stored copies the same way).
    for (const reply of this.#messages.values()) {
      if ("deleted" in reply || reply.replyTo?.seq !== event.target) continue;
      const updated = { ...reply, replyTo: quoteAfter(reply.replyTo, event) };
      this.#messages.set(reply.seq, updated);
      this.#notify({ kind: "quote-changed", message: updated });
    }
  }

  #onReactions(event: ReactionsEvent): void {
    if (event.by.id === this.#room.self?.id) {
      const mine = this.#mine.get(event.target) ?? new Set<string>();
      if (event.on) mine.add(event.emoji);
      else mine.delete(event.emoji);
      if (mine.size > 0) this.#mine.set(event.target, mine);
      else this.#mine.delete(event.target);
    }
    const before = this.#messages.get(event.target);
    let message: MessageEvent | undefined;
    if (before && !("deleted" in before)) {
      const { reactions: _old, ...rest } = before;
      message = Object.keys(event.counts).length === 0 ? rest : { ...rest, reactions: event.counts };
      this.#messages.set(message.seq, message);
    }
    this.#notify({ kind: "reactions", event, message, mine: this.myReactions(event.target) });
  }

  /** A kick, ban or settings change: worded, naming what changed. */
  #onModeration(event: Extract<RoomEvent, { type: "kicked" | "banned" | "settings" }>): void {
    const text = moderationEventText(event, this.#room.self?.id, this.#settings);
    if (event.type === "settings") this.#settings = { topic: event.topic, slowModeSeconds: event.slowModeSeconds, locked: event.locked };
    if (text !== undefined && text !== "") this.#notify({ kind: "moderation", event, text });
  }

  /** An error from the room; true if it was about moderation and has been dealt with. */
  onError(error: ErrorFrame): boolean {
    if (error.code !== "slow_mode" || error.ref === undefined) return false;
    this.#onSlowMode(error, error.ref);
    return true;
  }

  onNewcomer(member: Member): void {
    this.#notify({ kind: "newcomer", member, text: `${member.name} joined.` });
  }

  onClosed(reason: ClosedReason): void {
    const text = endedText(reason);
    if (text !== undefined) this.#notify({ kind: "ended", reason, text });
  }

  // -- the same actions from menus (message and member menus, a settings panel) --
  //
  // Each checks and answers exactly as its command does (owner-only, not
  // yours, too long…), with the same notices, so both ways read the same.

  /** A message's Edit: as `/edit SEQ TEXT`. */
  editMessage(seq: number, text: string): InputOutcome {
    return this.#edit(seq, text);
  }

  /** A message's Reply: as `/reply SEQ TEXT`. */
  reply(seq: number, text: string): InputOutcome {
    const known = this.#messages.get(seq);
    if (known && "deleted" in known) {
      this.#notify({ kind: "not-found", text: `Message #${seq} is deleted: there is nothing to reply to.` });
      return { kind: "kept" };
    }
    return this.#host.send(text, { replyTo: seq });
  }

  /**
   * A reaction chip or the picker: as `/react SEQ EMOJI`. Without `on`, it
   * toggles: takes the reaction back if this member has it on the message.
   */
  react(seq: number, emoji: string, on = !this.myReactions(seq).has(canonicalEmoji(emoji.trim()))): InputOutcome {
    const known = this.#messages.get(seq);
    if (known && "deleted" in known) {
      this.#notify({ kind: "not-found", text: `Message #${seq} is deleted: there is nothing to react to.` });
      return { kind: "kept" };
    }
    return this.#acted(this.#room.react(seq, emoji.trim(), on), `Could not react to message #${seq}`);
  }

  /** A message's Delete: as `/delete SEQ`. */
  deleteMessage(seq: number): InputOutcome {
    return this.#delete(seq);
  }

  /** A member's Kick (owners): as `/kick`. */
  kickMember(member: Member, reason?: string): InputOutcome {
    return this.#ownerOnly("kick", () => this.#acted(this.#room.kick(member.id, blankless(reason)), `Could not kick ${member.name}`));
  }

  /** A member's Ban (owners): as `/ban`; no `minutes`: until unbanned. */
  banMember(member: Member, terms: { minutes?: number; reason?: string } = {}): InputOutcome {
    const reason = blankless(terms.reason);
    const checked = { ...(terms.minutes === undefined ? {} : { minutes: terms.minutes }), ...(reason === undefined ? {} : { reason }) };
    return this.#ownerOnly("ban", () => this.#acted(this.#room.ban(member.id, checked), `Could not ban ${member.name}`));
  }

  /** A ban's Unban (owners), from the list `bans` notices carry. */
  liftBan(ban: Ban): InputOutcome {
    return this.#ownerOnly("unban", () => this.#sendUnban(ban));
  }

  /** The ban list (owners): answered with a `bans` notice. */
  listBans(): InputOutcome {
    return this.#ownerOnly("bans", () => void this.#showBans());
  }

  /** The settings panel (owners): what is left out stays as it is. */
  changeSettings(changes: Partial<RoomSettings>): InputOutcome {
    const action: OwnerAction = changes.topic !== undefined ? "topic" : changes.slowModeSeconds !== undefined ? "slow" : changes.locked === false ? "unlock" : "lock";
    return this.#ownerOnly(action, () => this.#settingsChange(changes));
  }

  // -- carrying them out -------------------------------------------------------

  #edit(seq: number | undefined, text: string): InputOutcome {
    const target = seq ?? this.lastOwnMessage;
    if (target === undefined) {
      this.#notify({ kind: "nothing-to-edit", text: "You have no message here to edit yet; /edit #SEQ TEXT edits the message with that number." });
      return { kind: "kept" };
    }
    const known = this.#messages.get(target);
    if (known && (known.from.id !== this.#room.self?.id || "deleted" in known)) {
      const why = "deleted" in known ? `Message #${target} is deleted: there is nothing to edit.` : "You can only edit your own messages.";
      this.#notify({ kind: "not-yours", seq: target, text: why });
      return { kind: "kept" };
    }
    return this.#acted(this.#room.edit(target, text), `Could not edit message #${target}`);
  }

  #delete(seq: number): InputOutcome {
    const known = this.#messages.get(seq);
    if (known && "deleted" in known) {
      this.#notify({ kind: "not-found", text: `Message #${seq} is already deleted.` });
      return { kind: "done" };
    }
    if (known && known.from.id !== this.#room.self?.id && !this.#room.isOwner) {
      this.#notify({ kind: "owner-only", action: "delete-others", text: ownerOnlyText("delete-others") });
      return { kind: "done" };
    }
    return this.#acted(this.#room.deleteMessage(seq), `Could not delete message #${seq}`);
  }

  /** Runs an owners' command, or says only owners can, sending nothing. */
  #ownerOnly(action: OwnerAction, run: () => InputOutcome | void): InputOutcome {
    if (!this.#room.isOwner) {
      this.#notify({ kind: "owner-only", action, text: ownerOnlyText(action) });
      return { kind: "done" };
    }
    return run() ?? { kind: "done" };
  }

  async #kick(argument: string): Promise<void> {
    const found = await this.#lookUp(argument);
    if (found.kind === "found") this.kickMember(found.member, found.rest);
  }

  async #ban(argument: string): Promise<void> {
    const found = await this.#lookUp(argument);
    if (found.kind !== "found") return;
    const terms = parseBanTerms(found.rest);
    if ("error" in terms) {
      this.#notify({ kind: "usage", message: `Usage: /ban NAME [MINUTES] [REASON]: ${terms.error}` });
      return;
    }
    this.banMember(found.member, terms);
  }

  async #unban(target: string): Promise<void> {
    const bans = await this.#room.bans();
    if (this.#host.disposed()) return;
    if (bans === null) return this.#offline("Could not lift the ban");
    const wanted = target.replace(/^#/, "");
    const byId = bans.find((b) => b.ban === wanted);
    const byName = byId ? undefined : findMember(target, bans.map((b) => b.member));
    const ban = byId ?? (byName?.kind === "found" ? bans.find((b) => b.member.id === byName.member.id) : undefined);
    if (!ban) {
      this.#notify({ kind: "not-found", text: `No ban matches "${target}"; /bans lists them.` });
      return;
    }
    this.#sendUnban(ban);
  }

  #sendUnban(ban: Ban): InputOutcome {
    const problem = this.#room.unban(ban.ban);
    if (problem) return this.#acted(problem, `Could not lift the ban on ${ban.member.name}`);
    this.#notify({ kind: "unban-sent", ban, text: `Lifting the ban on ${ban.member.name}.` });
    return { kind: "done" };
  }

  async #showBans(): Promise<void> {
    const bans = await this.#room.bans();
    if (this.#host.disposed()) return;
    if (bans === null) return this.#offline("Could not list the bans");
    const text = bans.length === 0 ? "No bans are in force." : [`Bans in force (${bans.length}):`, ...bans.map(banText)].join("\n");
    this.#notify({ kind: "bans", bans, text });
  }

  #settingsChange(changes: Partial<RoomSettings>): InputOutcome {
    return this.#acted(this.#room.updateSettings(changes), "Could not change the room's settings");
  }

  #showSettings(text: string): InputOutcome {
    this.#notify({ kind: "settings", settings: this.#room.settings, text });
    return { kind: "done" };
  }

  /**
   * The member a command names: among the people online, or for an owner in
   * a crowd (no member list), through the owners' paged member list.
   */
  async #lookUp(argument: string): Promise<MemberLookup> {
    const presence = this.#room.presence;
    let found = findMember(argument, presence.members);
    if (found.kind === "unknown" && presence.crowd && this.#room.isOwner) {
      let after: string | undefined;
      for (let page = 0; page < MEMBER_PAGES_MAX; page++) {
        const frame = await this.#room.members(after);
        if (this.#host.disposed() || !frame) break;
        found = findMember(argument, frame.members);
        if (found.kind === "found" || frame.next === undefined) break;
        after = frame.next;
      }
    }
    if (found.kind === "unknown" && !this.#host.disposed()) this.#notify({ kind: "not-found", text: `Nobody named "${found.name}" is online here.` });
    return found;
  }

  /** The outcome of an action the room client checked: sent, or refused here with the reason. */
  #acted(problem: ProtocolError | undefined, what: string): InputOutcome {
    if (!problem) return { kind: "done" };
    this.#notify({ kind: "action-invalid", problem, text: `${what}: ${problem.message}.` });
    return { kind: "kept" };
  }

  #offline(what: string): void {
    const problem: ProtocolError = { code: "not_joined", message: "not connected to the room; try again once it is back" };
    this.#notify({ kind: "action-invalid", problem, text: `${what}: ${problem.message}.` });
  }

  /** Slow mode held one of our messages back: it goes by itself later; say so once per wait. */
  #onSlowMode(error: ErrorFrame, ref: string): void {
    const message = this.#room.outbox.find((m) => m.id === ref);
    const wait = error.retryAfterMs ?? 1000;
    const until = Date.now() + wait;
    if (!message || until <= this.#slowToldUntil) return;
    this.#slowToldUntil = until;
    const seconds = Math.max(1, Math.ceil(wait / 1000));
    const every = this.#room.settings.slowModeSeconds;
    const text = `Slow mode is on${every > 0 ? ` (${slowModeText(every)})` : ""}: your message goes out in ${seconds} s.`;
    this.#notify({ kind: "slow-mode-wait", message, retryAfterMs: wait, text });
  }
}

/** A reason as the room takes it: absent rather than blank. */
const blankless = (reason: string | undefined) => (reason === undefined || reason.trim() === "" ? undefined : reason.trim());

/** An owner's name lookup in a crowd reads at most this many pages of members. */
const MEMBER_PAGES_MAX = 20;


/** Editing and moderating, for `commands.moderation`. */
export const MODERATION: ModerationExtension = {
  help: HELP,
  parse: parseModeration,
  create: (host) => new Moderation(host),
};

const NO_REACTIONS: ReadonlySet<string> = new Set();

/** How many messages the moderation keeps as they read now (the oldest are forgotten first). */
const MESSAGES_KEPT = 5000;
/** A message after an edit or delete event about it: the new text and `edited`, or deleted with no text. */
export function changedMessage(message: MessageEvent, change: EditedEvent | DeletedEvent): MessageEvent {
  const { seq, ts, from } = message;
  const id = message.id === undefined ? {} : { id: message.id };
  if (change.type === "deleted" || "deleted" in change || "deleted" in message) return { type: "message", seq, ts, from, deleted: true, ...id };
  return { ...message, text: change.text, edited: change.ts };
}
