/**
 * One run of the terminal client: a RoomClient (which owns reconnecting,
 * resuming, exactly-once delivery, the outbox and pacing) wired to a terminal
 * or to pipes.
 *
 * - Interactive (stdin is a terminal, no --json): a prompt, commands, lines
 *   from the room printed above the prompt.
 * - Scripted (stdin is not a terminal, or --json): each non-empty input line
 *   is one message; the run ends when input has ended and the room has
 *   acknowledged every message. Transcript (or JSON lines) on stdout,
 *   notices on stderr.
 *
 * `run` resolves with the exit code; it never calls process.exit.
 */
import * as readline from "node:readline";
import { RoomClient, roomSocketUrl, type ConnectionState } from "../client/RoomClient.ts";
import type { ErrorFrame, RoomEvent } from "../protocol/frames.ts";
import { DEFAULT_LIMITS, HISTORY_PAGE_MAX } from "../protocol/limits.ts";
import { normalizeText } from "../protocol/validate.ts";
import type { CliOptions } from "./args.ts";
import type { Command } from "../client/commands.ts";
import { COMMAND_HELP, parseInput } from "./commands.ts";
import { closedOutcome, EXIT, type Outcome } from "./exitCodes.ts";
import { dayKey, Formatter, roomLabel, useColor } from "./format.ts";
import type { RoomInfo } from "./preflight.ts";
import { sanitize } from "./sanitize.ts";
import { PromptScreen } from "./screen.ts";

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

export function runSession(options: CliOptions, info: RoomInfo, io: Io): Promise<number> {
  return new Session(options, info, io).done;
}

class Session {
  readonly done: Promise<number>;
  readonly #resolve: (code: number) => void;
  readonly #options: CliOptions;
  readonly #io: Io;
  readonly #client: RoomClient;
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
  #oldestSeq: number | undefined;
  #hasOlder = false;
  #historyBusy = false;
  #pendingSince = 0;
  #joinTimer: ReturnType<typeof setTimeout> | undefined;
  #progressTimer: ReturnType<typeof setTimeout> | undefined;
  #promptTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #cleanups: (() => void)[] = [];

  constructor(options: CliOptions, info: RoomInfo, io: Io) {
    let resolve!: (code: number) => void;
    this.done = new Promise((r) => (resolve = r));
    this.#resolve = resolve;
    this.#options = options;
    this.#io = io;
    this.#label = roomLabel(info.room);
    this.#interactive = io.stdin.isTTY === true && !options.json;

    this.#client = new RoomClient({ url: roomSocketUrl(options.baseUrl, options.room), name: options.name });
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
            : `also here: ${others.map((m) => fmt.name(m)).join(", ")}`;
        // After the history, which the room client delivers right after this.
        queueMicrotask(() => {
          this.#notice(`you are in ${this.#label} as ${fmt.name(welcome.self)}; ${who}`);
          if (this.#interactive) {
            this.#notice(`type to chat; /help for commands${welcome.hasMore ? "; /history for earlier events" : ""}`);
          }
        });
        this.#hasOlder = welcome.hasMore;
      } else if (fresh) {
        this.#warning("the room's history was reset on the server; showing it afresh");
        this.#oldestSeq = undefined;
        this.#hasOlder = welcome.hasMore;
      } else {
        this.#notice("reconnected");
      }
      if (welcome.truncated) this.#warning("some messages were missed: the room no longer keeps them");
      this.#welcomed = true;
      this.#armProgressTimer();
      this.#checkDone();
    });
    client.on("event", (event) => this.#showEvent(event));
    client.on("error", (error) => this.#onRoomError(error));
    client.on("rejected", ({ message, error }) => {
      this.#refused += 1;
      this.#error(`not sent: "${clip(message.text)}": ${sanitize(error.message)} (${sanitize(error.code)})`);
    });
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

  #onRoomError(error: ErrorFrame): void {
    // Pacing is the room client's business; refused messages arrive as "rejected".
    if (error.code === "rate_limited" || error.ref !== undefined) return;
    if (error.code === "room_full" && !this.#welcomed) {
      this.#finish({ code: EXIT.refused, message: `the room is full: ${sanitize(error.message)}` });
      return;
    }
    if (error.code === "room_full") {
      this.#warning("the room is full; retrying…");
      return;
    }
    this.#error(`the room says: ${sanitize(error.message)} (${sanitize(error.code)})`);
  }

  #showEvent(event: RoomEvent): void {
    this.#oldestSeq ??= event.seq;
    if (this.#options.json) {
      this.#io.stdout.write(`${JSON.stringify(event)}\n`);
      return;
    }
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
        this.#onCommand(parseInput(line), line);
      } else if (line.trim() !== "") {
        this.#sendMessage(line, false);
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
      const onKey = () => {
        const typed = screen.input;
        if (typed !== "" && !typed.startsWith("/")) this.#client.typing();
      };
      this.#io.stdin.on("keypress", onKey);
      this.#cleanups.push(() => this.#io.stdin.off("keypress", onKey));
    }
  }

  #onCommand(input: Command, line: string): void {
    const client = this.#client;
    switch (input.kind) {
      case "empty":
        return;
      case "say":
      case "me":
        return this.#sendMessage(input.text, input.kind === "me", line);
      case "nick": {
        const problem = client.rename(input.name);
        if (problem) this.#error(problem.message);
        else if (client.state !== "live") this.#notice(`you will be ${this.#out.name(input.name.trim())} once reconnected`);
        return;
      }
      case "who":
        if (!this.#welcomed) this.#notice("not joined yet");
        else this.#transcript([this.#out.members(client.presence)]);
        return;
      case "history":
        if (this.#historyBusy) return this.#notice("still fetching earlier events…");
        this.#historyBusy = true;
        void this.#showHistory(input.count).finally(() => (this.#historyBusy = false));
        return;
      case "help":
        this.#transcript(COMMAND_HELP.map((help) => this.#out.dim(`    ${help}`)));
        return;
      case "quit":
        this.#quit();
        return;
      case "invalid":
        this.#error(sanitize(input.message));
        return;
    }
  }

  #sendMessage(text: string, action: boolean, typed?: string): void {
    const checked = normalizeText(text, this.#client.limits?.textMax ?? DEFAULT_LIMITS.TEXT_MAX);
    if (!checked.ok) {
      this.#refused += this.#interactive ? 0 : 1;
      this.#error(`not sent: "${clip(text)}": ${checked.error.message}`);
      // Give it back for editing rather than losing it.
      if (typed !== undefined && checked.error.code === "text_too_long") this.#screen?.rl.write(typed);
      return;
    }
    this.#client.send(text, { action });
    if (this.#interactive && this.#client.state !== "live") this.#notice("not connected: it will be sent when the connection is back");
  }

  async #showHistory(count: number): Promise<void> {
    const client = this.#client;
    if (client.state !== "live") return this.#notice("not connected; try /history again when live");
    if (this.#oldestSeq === undefined || !this.#hasOlder) return this.#notice("no earlier events: that is the beginning of the room");
    const pages: RoomEvent[][] = [];
    let before = this.#oldestSeq;
    let got = 0;
    let more = true;
    while (got < count && more) {
      const page = await client.history(before, Math.min(HISTORY_PAGE_MAX, count - got));
      if (this.#finished) return;
      if (page.events.length === 0) {
        if (client.state !== "live") return this.#notice("the connection dropped; try /history again when live");
        more = page.hasMore;
        break;
      }
      pages.unshift(page.events);
      got += page.events.length;
      before = page.events[0]!.seq;
      more = page.hasMore;
    }
    const events = pages.flat();
    this.#hasOlder = more;
    if (events.length === 0) return this.#notice("no earlier events: that is the beginning of the room");
    this.#oldestSeq = events[0]!.seq;
    const lines = [this.#out.notice(`${plural(events.length, "earlier event")}:`)];
    let day: string | undefined;
    for (const event of events) {
      if (dayKey(event.ts) !== day) lines.push(this.#out.day(event.ts));
      day = dayKey(event.ts);
      lines.push(...this.#out.event(event));
    }
    lines.push(this.#out.notice(more ? "end of earlier events (/history for more)" : "that is the beginning of the room"));
    this.#transcript(lines);
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
