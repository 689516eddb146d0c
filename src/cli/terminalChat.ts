/**
 * One run of the terminal client: a RoomClient (which owns reconnecting,
 * resuming, exactly-once delivery, the outbox and pacing) and the shared chat
 * controller (commands, and which notices to give), wired to a terminal or to
 * pipes. This file keeps the terminal's side: the prompt, lines, exit codes.
 *
 * - Interactive (stdin is a terminal, no --json): a prompt, commands, lines
 *   from the room printed above the prompt.
 * - Scripted (stdin is not a terminal, or --json): each non-empty input line
 *   is one message; the run ends when input has ended and the room has
 *   acknowledged every message. Transcript (or JSON lines) on stdout,
 *   notices on stderr.
 *
 * `runChat` resolves with the exit code; it never calls process.exit.
 */
import * as readline from "node:readline";
import { ChatController } from "../client/chat/controller.ts";
import { groupPresence, isPresenceEvent, type PresenceEvent } from "../client/chat/presenceRun.ts";
import { dayKey } from "../client/chat/localDay.ts";
import { olderEvents } from "../client/chat/olderEvents.ts";
import { mentionsMe } from "../client/chat/mentions.ts";
import type { ChatNotice } from "../client/chat/notices.ts";
import { RoomClient, roomSocketUrl, type ConnectionState } from "../client/RoomClient.ts";
import { moderationEventText, slowModeText } from "../client/chat/moderationText.ts";
import {
  unreachable,
  type DeletedEvent,
  type EditedEvent,
  type ErrorFrame,
  type MessageEvent,
  type RoomEvent,
  type RoomSettings,
  type SearchResult,
} from "../protocol/frames.ts";
import type { RoomInfo } from "../protocol/http.ts";
import type { CliOptions } from "./args.ts";
import { closedOutcome, EXIT, type Outcome } from "./exitCodes.ts";
import { sanitize } from "./sanitize.ts";
import { PromptScreen } from "./screen.ts";
import { commandHelpLines, TERMINAL_COMMANDS } from "./terminalCommands.ts";
import { clockTime, Formatter, roomLabel, useColor } from "./terminalText.ts";

export interface Io {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Live joins and leaves are held this long (from the first) and then shown
 * as one line; anything else printed meanwhile shows them first, so nothing
 * waits for them and the order stays the room's.
 */
export const PRESENCE_HOLD_MS = 1500;
/** `/show #SEQ` (or `/show SEQ`): a long message in full; the terminal's own command. */
const SHOW = /^\/show(?:\s+#?(\d+))?\s*$/i;
/** After this long unacknowledged on a live connection, a message counts as "unsent" in the prompt. */
const PENDING_SHOWN_AFTER_MS = 1000;
/** A message link shows the message with this many events before it and after it (reactions changes not counted). */
const LINK_CONTEXT_BEFORE = 3;
const LINK_CONTEXT_AFTER = 2;
/** Shorten echoed message text in notices. */
const clip = (text: string, max = 40) => {
  const one = sanitize(text.replace(/\s+/g, " "));
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Past events as a page of history shows them: without reactions changes,
 * since each message shows its reactions as they are now and the changes
 * that led there would only repeat them.
 */
const pastWorthShowing = (events: readonly RoomEvent[]) => events.filter((event) => event.type !== "reactions");

/** Events the chat controller announces as notices rather than the transcript printing them. */
const MODERATION_EVENTS: ReadonlySet<RoomEvent["type"]> = new Set(["edited", "deleted", "reactions", "kicked", "banned", "settings"]);

/**
 * An error from the room about something this member did, in the browser's
 * words (src/web/chat/noticeView.ts): a reaction or an edit of a message that
 * is gone (`not_found`, the room's message says which), a reaction the room
 * cannot take, a name it refused…
 */
function roomErrorText(error: ErrorFrame): string {
  const message = sanitize(error.message).replace(/\.$/, "");
  switch (error.code) {
    case "name_invalid":
      return `Could not change your name: ${message}.`;
    case "too_many_reactions":
      return "That message can take no more kinds of reaction: add to one already on it.";
    case "reaction_invalid":
      return "That reaction was not taken: a reaction is a single emoji.";
    case "not_found":
      return `Could not do that: ${message}.`;
    default:
      return `The room refused that: ${message}.`;
  }
}

/** The room's settings worth saying at join: the topic, slow mode, the lock (nothing when none is set). */
function settingsLines(settings: RoomSettings): string[] {
  const lines: string[] = [];
  if (settings.topic !== "") lines.push(`topic: ${sanitize(settings.topic)}`);
  if (settings.slowModeSeconds > 0) lines.push(`slow mode: ${slowModeText(settings.slowModeSeconds)}`);
  if (settings.locked) lines.push("the room is locked: only its members and owners can join");
  return lines;
}

/** Chats in the room until the person leaves, input ends or the room stops us; resolves with the exit code. */
export function runChat(options: CliOptions, info: Pick<RoomInfo, "room">, io: Io): Promise<number> {
  return new TerminalChat(options, info, io).done;
}

class TerminalChat {
  readonly done: Promise<number>;
  readonly #resolve: (code: number) => void;
  readonly #options: CliOptions;
  readonly #io: Io;
  readonly #client: RoomClient;
  readonly #controller: ChatController;
  readonly #interactive: boolean;
  /** Interactive on a terminal: the prompt. Otherwise undefined. */
  readonly #screen: PromptScreen | undefined;
  /** Reads input lines when there is no PromptScreen. */
  readonly #lines: readline.Interface;
  readonly #out: Formatter;
  readonly #err: Formatter;
  readonly #label: string;

  #finished = false;
  #welcomed = false;
  #inputEnded = false;
  #quitting = false;
  #refused = 0;
  #lastDay: string | undefined;
  /**
   * Reactions events up to this seq belong to the history shown at join (or
   * afresh after a reset): not printed, since each message there already
   * shows its counts as they are now. Those after it (live, or replayed on a
   * resume, about lines printed earlier) are.
   */
  #historyEnd = 0;
  #pendingSince = 0;
  /** A message link's message is being loaded: a scripted run waits for it before leaving. */
  #linkPending = false;
  /** Live joins and leaves not shown yet (PRESENCE_HOLD_MS), and the timer that shows them. */
  #heldPresence: PresenceEvent[] = [];
  #presenceTimer: ReturnType<typeof setTimeout> | undefined;
  #joinTimer: ReturnType<typeof setTimeout> | undefined;
  #progressTimer: ReturnType<typeof setTimeout> | undefined;
  #promptTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #cleanups: (() => void)[] = [];

  constructor(options: CliOptions, info: Pick<RoomInfo, "room">, io: Io) {
    let resolve!: (code: number) => void;
    this.done = new Promise((r) => (resolve = r));
    this.#resolve = resolve;
    this.#options = options;
    this.#io = io;
    this.#label = roomLabel(info.room);
    this.#interactive = io.stdin.isTTY === true && !options.json;

    this.#client = new RoomClient({
      url: roomSocketUrl(options.baseUrl, options.room),
      name: options.name,
      ...(options.ownerKey === undefined ? {} : { ownerKey: options.ownerKey }),
      ...(options.quiet ? { quiet: true } : {}),
    });
    this.#controller = new ChatController(this.#client, { commands: TERMINAL_COMMANDS, notify: (notice) => this.#showNotice(notice) });
    const selfId = () => this.#client.self?.id;
    this.#out = new Formatter({
      color: !options.json && useColor(io.stdout.isTTY === true, io.env),
      selfId,
      columns: () => (io.stdout.isTTY === true ? io.stdout.columns : undefined),
    });
    this.#err = new Formatter({ color: useColor(io.stderr.isTTY === true, io.env), selfId });

    if (this.#interactive && io.stdout.isTTY === true) {
      this.#screen = new PromptScreen(io.stdin, io.stdout, this.#promptText());
      this.#lines = this.#screen.rl;
    } else {
      this.#lines = readline.createInterface({ input: io.stdin, terminal: false, crlfDelay: Infinity });
    }
    this.#wireClient();
    this.#wireInput();
    this.#wireProcess();

    this.#notice(`joining ${this.#label} on ${options.baseUrl} as ${sanitize(options.name)}…`);
    this.#joinTimer = setTimeout(() => {
      this.#finish({
        code: EXIT.failure,
        message: `could not join ${this.#label} on ${options.baseUrl} within ${options.timeoutMs / 1000} s`,
      });
    }, options.timeoutMs);
    this.#client.connect();
    this.#screen?.prompt();
  }

  // -- the room ------------------------------------------------------------

  #wireClient(): void {
    const client = this.#client;
    client.on("state", (state) => this.#onState(state));
    client.on("welcome", ({ welcome, fresh }) => {
      clearTimeout(this.#joinTimer);
      if (!this.#welcomed || fresh) this.#historyEnd = welcome.lastSeq;
      if (!this.#welcomed) {
        const others = welcome.members.filter((m) => m.id !== welcome.self.id);
        const fmt = this.#noticeFormatter;
        const who = welcome.crowd
          ? `${welcome.online} people are here`
          : others.length === 0
            ? "nobody else is here"
            : `also here: ${others.map((m) => `${fmt.name(m)}${m.role === "owner" ? " (owner)" : ""}`).join(", ")}`;
        // After the history, which the room client delivers right after this.
        queueMicrotask(() => {
          const owner = welcome.self.role === "owner" ? " (owner)" : "";
          this.#notice(`you are in ${this.#label} as ${fmt.name(welcome.self)}${owner}; ${who}`);
          if (this.#options.quiet) this.#notice("joined quietly: nobody is told you are here, and no member list shows you");
          for (const line of settingsLines(welcome.settings)) this.#notice(line);
          if (this.#interactive) {
            this.#notice(`type to chat; /help for commands${welcome.hasMore ? "; /history for earlier events" : ""}`);
          }
          if (this.#options.linkedSeq !== undefined) this.#showLinked(this.#options.linkedSeq, welcome.lastSeq);
        });
      } else if (fresh) {
        this.#warning("the room's history was reset on the server; showing it afresh");
      } else {
        this.#notice("reconnected");
      }
      if (welcome.truncated) this.#warning("some messages were missed: the room no longer keeps them");
      this.#welcomed = true;
      this.#armProgressTimer();
      this.#checkDone();
    });
    client.on("event", (event) => this.#showEvent(event));
    client.on("outbox", (outbox) => {
      if (outbox.length === 0) this.#pendingSince = 0;
      else if (this.#pendingSince === 0) this.#pendingSince = Date.now();
      this.#armProgressTimer();
      this.#updatePrompt();
      this.#checkDone();
    });
    client.on("closed", (reason) => {
      if (!this.#finished) this.#finish(closedOutcome(reason));
    });
  }

  #onState(state: ConnectionState): void {
    if (state === "reconnecting") {
      this.#warning(this.#welcomed ? "connection lost; reconnecting…" : "could not connect yet; retrying…");
    }
    this.#updatePrompt();
  }

  #showEvent(event: RoomEvent): void {
    if (this.#options.json) {
      this.#io.stdout.write(`${JSON.stringify(event)}\n`);
      return;
    }
    // The chat controller's notices show these (message-changed, moderation), in the browser's words.
    if (MODERATION_EVENTS.has(event.type)) return;
    const lines: string[] = [];
    const day = dayKey(event.ts);
    if (day !== this.#lastDay && !(this.#lastDay === undefined && day === dayKey(Date.now()))) {
      lines.push(this.#out.day(event.ts));
    }
    this.#lastDay = day;
    if (isPresenceEvent(event)) {
      // A run of joins and leaves is one line: held a moment for more (the history at join comes all at once).
      if (lines.length > 0) this.#transcript(lines);
      this.#heldPresence.push(event);
      this.#presenceTimer ??= setTimeout(() => this.#flushPresence(), PRESENCE_HOLD_MS);
      return;
    }
    lines.push(...this.#out.event(event));
    this.#transcript(lines);
    // Someone mentioned us just now: the bell, once (not for the history shown at join, nor for a script).
    const self = this.#client.self?.id;
    if (this.#interactive && !this.#finished && event.seq > this.#historyEnd && mentionsMe(event, self) && event.type === "message" && event.from.id !== self) {
      this.#io.stdout.write("\x07");
    }
  }

  // -- input ---------------------------------------------------------------

  #wireInput(): void {
    this.#lines.on("line", (line) => {
      if (this.#finished) return;
      if (this.#interactive) {
        this.#screen?.eraseSubmitted(line);
        this.#screen?.prompt();
        this.#onTyped(line);
      } else if (line.trim() !== "" && this.#controller.send(line).kind === "not-sent") {
        this.#refused += 1;
      }
    });
    this.#lines.on("close", () => {
      this.#inputEnded = true;
      if (this.#finished) return;
      if (this.#interactive) this.#quit();
      else {
        this.#armProgressTimer();
        this.#checkDone();
      }
    });
    if (this.#screen) {
      const screen = this.#screen;
      // Ctrl-C (readline holds the terminal in raw mode, so it arrives here, not as a signal).
      screen.rl.on("SIGINT", () => this.#interrupt(EXIT.interrupted, "interrupted"));
      const onKey = () => this.#controller.typing(screen.input);
      this.#io.stdin.on("keypress", onKey);
      this.#cleanups.push(() => this.#io.stdin.off("keypress", onKey));
    }
  }

  /** A line typed at the prompt: the controller carries it out; the terminal only reacts to the outcome. */
  #onTyped(line: string): void {
    const show = SHOW.exec(line.trim());
    if (show) return this.#show(show[1] === undefined ? undefined : Number(show[1]));
    const outcome = this.#controller.submit(line);
    switch (outcome.kind) {
      case "sent":
      case "done":
      case "kept":
        return;
      case "not-sent":
        // Give it back for editing rather than losing it.
        if (outcome.problem.code === "text_too_long") this.#screen?.rl.write(line);
        return;
      case "quit":
        return this.#quit();
      default:
        unreachable(outcome);
    }
  }

  /** /show #SEQ: a message in full, as it reads now (one cut for being long, or any this run has seen). */
  #show(seq: number | undefined): void {
    if (seq === undefined) return this.#error("Usage: /show #SEQ (the number shown with the message)");
    const message = this.#controller.moderation?.message(seq);
    if (!message) return this.#error(`No message #${seq} here to show; /history shows earlier ones.`);
    this.#transcript(this.#out.message(message, { full: true }));
  }

  /**
   * A message link (`…/r/room#m42`), once joined: the message in full and
   * marked, with a few events before and after it, as they read now. One
   * history page around it: the room's history frame takes `before`, so the
   * page ends just after the message.
   */
  #showLinked(seq: number, lastSeq: number): void {
    if (this.#options.json) return this.#notice(`--json prints the room's events only: the link's message #${seq} is not shown apart`);
    if (seq > lastSeq) return this.#warning(`the link points at message #${seq}, but this room's newest event is #${lastSeq}`);
    this.#linkPending = true;
    void olderEvents(this.#client, seq + LINK_CONTEXT_AFTER + 1, LINK_CONTEXT_BEFORE + LINK_CONTEXT_AFTER + 1)
      .then((page) => {
        if (this.#finished) return;
        if (page.kind === "offline") return this.#warning(`could not load message #${seq}: not connected; open the link again`);
        const linked = page.events.find((event) => event.seq === seq);
        if (linked?.type !== "message") return this.#warning(`message #${seq} is no longer in this room's history`);
        for (const event of page.events) if (event.type === "message") this.#controller.moderation?.keep(event);
        this.#transcript(this.#linkedLines(page.events, linked));
      })
      .finally(() => {
        this.#linkPending = false;
        this.#checkDone();
      });
  }

  // -- leaving -------------------------------------------------------------

  /** /quit, Ctrl-D: leave once the room has acknowledged what we sent (bounded by --timeout). */
  #quit(): void {
    if (this.#quitting) return;
    this.#quitting = true;
    const pending = this.#client.outbox.length;
    if (pending > 0) {
      this.#notice(`waiting for the room to acknowledge ${plural(pending, "message")}… (Ctrl-C leaves at once)`);
      this.#armProgressTimer();
    }
    this.#checkDone();
  }

  /**
   * Finishes when there is nothing left to wait for. Checked a moment later,
   * so that the event which acknowledged the last message is shown first.
   */
  #checkDone(): void {
    queueMicrotask(() => this.#checkDoneNow());
  }

  #checkDoneNow(): void {
    if (this.#finished) return;
    const leaving = this.#interactive ? this.#quitting : this.#inputEnded;
    if (!leaving || this.#client.outbox.length > 0 || this.#linkPending) return;
    // Scripted runs show the history before leaving (`parley room --json < /dev/null`).
    if (!this.#interactive && !this.#welcomed) return;
    if (this.#refused > 0 && !this.#interactive) {
      this.#finish({ code: EXIT.failure, message: `${plural(this.#refused, "message")} could not be sent` });
      return;
    }
    this.#finish({ code: EXIT.ok, message: "" });
  }

  /**
   * While leaving with messages pending, give up if the room acknowledges
   * nothing for --timeout (progress restarts the clock: a long paced input
   * is fine). Joining has its own deadline, set in the constructor.
   */
  #armProgressTimer(): void {
    clearTimeout(this.#progressTimer);
    this.#progressTimer = undefined;
    const leaving = this.#interactive ? this.#quitting : this.#inputEnded;
    if (!leaving || this.#finished || this.#client.outbox.length === 0) return;
    this.#progressTimer = setTimeout(() => {
      const n = this.#client.outbox.length;
      const state = this.#client.state === "live" ? "" : ` (${this.#client.state})`;
      this.#finish({
        code: EXIT.failure,
        message: `gave up: ${plural(n, "message")} not acknowledged by the room within ${this.#options.timeoutMs / 1000} s${state}`,
      });
    }, this.#options.timeoutMs);
  }

  #wireProcess(): void {
    const signals: [NodeJS.Signals, number][] = [
      ["SIGINT", EXIT.interrupted],
      ["SIGTERM", EXIT.terminated],
      ["SIGHUP", EXIT.hungUp],
    ];
    for (const [signal, code] of signals) {
      const handler = () => this.#interrupt(code, signal === "SIGINT" ? "interrupted" : `stopped by ${signal}`);
      process.on(signal, handler);
      this.#cleanups.push(() => process.off(signal, handler));
    }
    // `parley … | head -1`: the reader went away; leave quietly.
    const onPipeError = (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") this.#finish({ code: EXIT.ok, message: "" });
    };
    this.#io.stdout.on("error", onPipeError);
    this.#cleanups.push(() => this.#io.stdout.off("error", onPipeError));
  }

  #interrupt(code: number, why: string): void {
    const unsent = this.#client.outbox.length;
    this.#finish({ code, message: unsent > 0 ? `${why}: ${plural(unsent, "message")} not sent` : "" });
  }

  #finish(outcome: { code: number; message: string } | Outcome): void {
    if (this.#finished) return;
    // Joins and leaves still held are shown before the goodbye.
    this.#flushPresence();
    this.#finished = true;
    clearTimeout(this.#joinTimer);
    clearTimeout(this.#progressTimer);
    clearTimeout(this.#promptTimer);
    this.#controller.dispose();
    if (this.#screen) this.#screen.close();
    else this.#lines.close();
    if (this.#client.state !== "closed") this.#client.close();
    if (this.#interactive && outcome.code === EXIT.ok) this.#io.stdout.write(`${this.#out.notice(`left ${this.#label}`)}\n`);
    if (outcome.message !== "") this.#io.stderr.write(`parley: ${outcome.message}\n`);
    for (const cleanup of this.#cleanups) cleanup();
    this.#resolve(outcome.code);
  }

  // -- output --------------------------------------------------------------

  /** Room events (not JSON): stdout, above the prompt when there is one; held joins and leaves go first. */
  #transcript(lines: readonly string[]): void {
    if (this.#finished && !this.#options.json) return;
    this.#flushPresence();
    if (this.#screen) this.#screen.print(lines);
    else this.#io.stdout.write(`${lines.join("\n")}\n`);
  }

  /** Shows the held joins and leaves, if any, as one line. */
  #flushPresence(): void {
    clearTimeout(this.#presenceTimer);
    this.#presenceTimer = undefined;
    if (this.#heldPresence.length === 0) return;
    const run = this.#heldPresence;
    this.#heldPresence = [];
    this.#transcript([this.#out.presenceRun(run)]);
  }

  /** Words a notice from the chat controller: `--- …` for news, `!!! …` for problems. */
  #showNotice(notice: ChatNotice): void {
    const out = this.#out;
    switch (notice.kind) {
      case "help":
        return this.#transcript(commandHelpLines(notice.commands).map((line) => out.dim(`    ${line}`)));
      case "who":
        return this.#transcript([out.members(notice.presence)]);
      case "not-joined":
        return this.#notice("not joined yet");
      case "usage":
        return this.#error(sanitize(notice.message));
      case "not-sent":
        return this.#error(`not sent: "${clip(notice.text)}": ${notice.problem.message}`);
      case "queued-offline":
        // A script has nobody to tell; at the prompt, the person sees it is waiting.
        if (this.#interactive) this.#notice("not connected: it will be sent when the connection is back");
        return;
      case "refused":
        this.#refused += 1;
        return this.#error(`not sent: "${clip(notice.message.text)}": ${sanitize(notice.error.message)} (${sanitize(notice.error.code)})`);
      case "name-invalid":
        return this.#error(notice.problem.message);
      case "already-named":
        return this.#notice(`you are already ${out.name(notice.name)}`);
      case "rename-queued":
        return this.#notice(`you will be ${out.name(notice.name)} once reconnected`);
      case "history":
        return this.#transcript(this.#historyLines(notice.events, notice.more));
      case "history-none":
        return this.#notice("no earlier events: that is the beginning of the room");
      case "history-offline":
        return this.#notice(`${notice.dropped ? "the connection dropped" : "not connected"}; try /history again when live`);
      case "history-busy":
        return this.#notice("still fetching earlier events…");
      case "search":
        return this.#transcriptOrStderr(this.#searchLines(notice.q, notice.results, notice.more, notice.before !== undefined));
      case "search-offline":
        return this.#notice("not connected (or the connection dropped); try /search again when live");
      case "room-full":
        // Never in: the room cannot take us, and a script should not wait for it.
        if (!notice.joined) return this.#finish({ code: EXIT.refused, message: `the room is full: ${sanitize(notice.message)}` });
        return this.#warning("the room is full; retrying…");
      case "room-error":
        return this.#error(roomErrorText(notice.error));
      case "malformed":
        return this.#warning(`ignored a frame from the server that breaks the protocol: ${sanitize(notice.problem)}`);
      case "owner-only":
      case "not-yours":
      case "nothing-to-edit":
      case "not-found":
      case "action-invalid":
        return this.#error(sanitize(notice.text));
      case "settings":
      case "slow-mode-wait":
      case "unban-sent":
        return this.#notice(sanitize(notice.text));
      case "bans":
        return this.#transcriptOrStderr(notice.text.split("\n").map((line) => this.#noticeFormatter.notice(sanitize(line))));
      // With --json these events are printed as they came, as JSON lines; the sentences would break them.
      case "message-changed":
        if (this.#options.json) return;
        return this.#transcript([this.#changedLine(notice.event, notice.message)]);
      case "reactions":
        // One line per change, as it happens; the message's own line above keeps the counts it was printed with.
        if (this.#options.json || notice.event.seq <= this.#historyEnd) return;
        return this.#transcript([out.reactions(notice.event)]);
      case "quote-changed":
        // Nothing: the "edited message #41" or "deleted message #41" line just printed says it, and the
        // reply's quote line names #41. A terminal cannot take back the quote it printed; /history shows it as it reads now.
        return;
      case "moderation":
        if (this.#options.json) return;
        return this.#transcript([out.moderation(notice.event.ts, notice.text)]);
      case "newcomer":
        if (this.#options.json) return this.#notice(sanitize(notice.text));
        return this.#transcript([`${out.dim(clockTime(Date.now()))} ${out.dim("-->")} ${out.name(notice.member)} ${out.dim("joined")}`]);
      case "ended":
        // The exit message says it (closedOutcome words it the same way).
        return;
      default:
        unreachable(notice);
    }
  }

  /**
   * An edit or delete as it happens: the sentence, and for an edit the new
   * text; the message's own line above stays as it was (a terminal cannot
   * change what it printed), /history shows it as it reads now.
   */
  #changedLine(event: EditedEvent | DeletedEvent, message: MessageEvent | undefined): string {
    const out = this.#out;
    const sentence = moderationEventText(event, this.#client.self?.id) ?? "";
    if (event.type === "deleted" || "deleted" in event) return out.moderation(event.ts, sentence);
    const author = message ? ` (${sanitize(message.from.name)})` : "";
    return `${out.moderation(event.ts, sentence.replace(/\.$/, `${author}:`))} ${clip(event.text, 200)}`;
  }

  /** Lines that answer a command: the transcript at the prompt, stderr for a script. */
  #transcriptOrStderr(lines: readonly string[]): void {
    if (this.#interactive) this.#transcript(lines);
    else for (const line of lines) this.#say(line);
  }

  /**
   * What /search (or /more) found: a header that counts and names the
   * query, one row per message, newest first, and how to see older ones.
   */
  #searchLines(q: string, results: readonly SearchResult[], more: boolean, older: boolean): string[] {
    const out = this.#noticeFormatter;
    const words = `"${clip(q, 60)}"`;
    const n = results.length;
    const which = older ? "older " : "";
    const header = n === 0 ? `no ${which}message matches ${words}` : `${n} ${which}${n === 1 ? "message matches" : "messages match"} ${words}`;
    return [
      out.notice(header),
      ...results.map((result) => out.searchResult(result, q)),
      ...(more ? [out.notice("older matches: /more")] : []),
    ];
  }

  /** Earlier events for /history: counted, with the date wherever the day changes (first of all: they are out of order). */
  #historyLines(events: readonly RoomEvent[], more: boolean): string[] {
    const shown = pastWorthShowing(events);
    return [
      this.#out.notice(`${plural(shown.length, "earlier event")}:`),
      ...this.#pastLines(shown),
      this.#out.notice(more ? "end of earlier events (/history for more)" : "that is the beginning of the room"),
    ];
  }

  /** A message link's message among the events around it, between two notices (they are out of order too). */
  #linkedLines(events: readonly RoomEvent[], linked: MessageEvent): string[] {
    const out = this.#out;
    const shown = pastWorthShowing(events);
    const at = shown.indexOf(linked);
    const around = shown.slice(Math.max(0, at - LINK_CONTEXT_BEFORE), at + LINK_CONTEXT_AFTER + 1);
    return [
      out.notice(`the linked message #${linked.seq}, with what came just before and after it:`),
      ...this.#pastLines(around, linked),
      out.notice(`end of the linked message${linked.seq < this.#historyEnd ? "; the newest messages are above it" : ""}`),
    ];
  }

  /**
   * Events from the past (see `pastWorthShowing`), with the date first and
   * wherever the day changes; `marked` in full and marked as a link's message.
   */
  #pastLines(shown: readonly RoomEvent[], marked?: MessageEvent): string[] {
    const out = this.#out;
    const lines: string[] = [];
    let day: string | undefined;
    // A run of joins and leaves is one line here too; a new day starts a new run.
    for (const item of groupPresence(shown)) {
      const events = item.kind === "event" ? [item.event] : item.events;
      let run: PresenceEvent[] = [];
      for (const event of events) {
        if (dayKey(event.ts) !== day) {
          if (run.length > 0) lines.push(out.presenceRun(run));
          run = [];
          lines.push(out.day(event.ts));
        }
        day = dayKey(event.ts);
        if (isPresenceEvent(event)) run.push(event);
        else if (event === marked) lines.push(...out.message(event, { full: true, linked: true }));
        else lines.push(...out.event(event));
      }
      if (run.length > 0) lines.push(out.presenceRun(run));
    }
    return lines;
  }

  /** Notices go with the transcript when interactive, else to stderr: coloured for where they go. */
  get #noticeFormatter(): Formatter {
    return this.#interactive ? this.#out : this.#err;
  }

  #notice(text: string): void {
    this.#say(this.#noticeFormatter.notice(text));
  }

  #warning(text: string): void {
    this.#say(this.#noticeFormatter.warning(text));
  }

  #error(text: string): void {
    this.#say(this.#noticeFormatter.error(text));
  }

  #say(line: string): void {
    if (this.#finished) return;
    if (this.#interactive) this.#transcript([line]);
    else this.#io.stderr.write(`${line}\n`);
  }

  /** The prompt: the room, and the connection state or unsent messages when there is something to say. */
  #promptText(): string {
    const notes: string[] = [];
    const state = this.#client.state;
    if (state === "connecting" || state === "reconnecting") notes.push(state);
    const pending = this.#client.outbox.length;
    if (pending > 0 && (state !== "live" || Date.now() - this.#pendingSince >= PENDING_SHOWN_AFTER_MS)) {
      notes.push(`${pending} unsent`);
    }
    return `${this.#label}${notes.length > 0 ? ` [${notes.join(", ")}]` : ""}> `;
  }

  #updatePrompt(): void {
    if (!this.#screen) return;
    this.#screen.setPrompt(this.#promptText());
    clearTimeout(this.#promptTimer);
    if (this.#client.outbox.length > 0 && this.#client.state === "live") {
      const wait = Math.max(0, this.#pendingSince + PENDING_SHOWN_AFTER_MS - Date.now());
      this.#promptTimer = setTimeout(() => this.#updatePrompt(), wait + 10);
    }
  }
}
