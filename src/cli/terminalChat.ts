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
import { dayKey } from "../client/chat/localDay.ts";
import type { ChatNotice } from "../client/chat/notices.ts";
import { RoomClient, roomSocketUrl, type ConnectionState } from "../client/RoomClient.ts";
import { moderationEventText, slowModeText } from "../client/chat/moderationText.ts";
import { unreachable, type DeletedEvent, type EditedEvent, type MessageEvent, type RoomEvent, type RoomSettings } from "../protocol/frames.ts";
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

/** After this long unacknowledged on a live connection, a message counts as "unsent" in the prompt. */
const PENDING_SHOWN_AFTER_MS = 1000;
/** Shorten echoed message text in notices. */
const clip = (text: string, max = 40) => {
  const one = sanitize(text.replace(/\s+/g, " "));
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Events the chat controller announces as notices rather than the transcript printing them. */
const MODERATION_EVENTS: ReadonlySet<RoomEvent["type"]> = new Set(["edited", "deleted", "kicked", "banned", "settings"]);

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
  #pendingSince = 0;
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
    });
    this.#controller = new ChatController(this.#client, { commands: TERMINAL_COMMANDS, notify: (notice) => this.#showNotice(notice) });
    const selfId = () => this.#client.self?.id;
    this.#out = new Formatter({ color: !options.json && useColor(io.stdout.isTTY === true, io.env), selfId });
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
          for (const line of settingsLines(welcome.settings)) this.#notice(line);
          if (this.#interactive) {
            this.#notice(`type to chat; /help for commands${welcome.hasMore ? "; /history for earlier events" : ""}`);
          }
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
    lines.push(...this.#out.event(event));
    this.#transcript(lines);
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
    if (!leaving || this.#client.outbox.length > 0) return;
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

  /** Room events (not JSON): stdout, above the prompt when there is one. */
  #transcript(lines: readonly string[]): void {
    if (this.#finished && !this.#options.json) return;
    if (this.#screen) this.#screen.print(lines);
    else this.#io.stdout.write(`${lines.join("\n")}\n`);
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
      case "room-full":
        // Never in: the room cannot take us, and a script should not wait for it.
        if (!notice.joined) return this.#finish({ code: EXIT.refused, message: `the room is full: ${sanitize(notice.message)}` });
        return this.#warning("the room is full; retrying…");
      case "room-error":
        return this.#error(`the room says: ${sanitize(notice.error.message)} (${sanitize(notice.error.code)})`);
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

  /** Earlier events for /history: counted, with the date wherever the day changes (first of all: they are out of order). */
  #historyLines(events: readonly RoomEvent[], more: boolean): string[] {
    const out = this.#out;
    const lines = [out.notice(`${plural(events.length, "earlier event")}:`)];
    let day: string | undefined;
    for (const event of events) {
      if (dayKey(event.ts) !== day) lines.push(out.day(event.ts));
      day = dayKey(event.ts);
      lines.push(...out.event(event));
    }
    lines.push(out.notice(more ? "end of earlier events (/history for more)" : "that is the beginning of the room"));
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
