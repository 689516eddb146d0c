/**
 * Running the terminal client in tests: as a child process with pipes, or in
 * a pseudo-terminal (util-linux `script`) whose output is replayed on a small
 * virtual terminal, so a test can look at the screen a person would see.
 * Every process is started in its own process group (harness/processGroups.ts)
 * and killed with it.
 */
import type { ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { spawnGroup } from "../../harness/processGroups.ts";
import { sleep } from "../support/node.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const MAIN = resolve(ROOT, "src/cli/main.ts");

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // gone
  }
}

/** Environment for the client: no colour unless a test asks, fixed time zone. */
function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", TZ: "UTC", ...extra };
  delete env.FORCE_COLOR;
  for (const [key, value] of Object.entries(extra)) if (value === undefined) delete env[key];
  return env;
}

/** Polls `condition`; on timeout, fails with `what` (a function: described at that moment). */
export async function waitUntil(condition: () => boolean, what: string | (() => string), timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    }
    await sleep(25);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;

  constructor(child: ChildProcess) {
    this.child = child;
    this.exited = new Promise((done) =>
      child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        done(this.#exit);
      }),
    );
  }

  get exit(): Exit | undefined {
    return this.#exit;
  }

  /** Resolves with the exit code; rejects (and kills the process) after `timeoutMs`. */
  async waitExit(timeoutMs = 15_000): Promise<number | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`process did not exit within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
    });
    try {
      return (await Promise.race([this.exited, timeout])).code;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    killGroup(this.child, signal);
  }

  /** Sends a signal to the client alone (not its process group). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  describe(): string {
    return "";
  }
}

/** The client with stdin, stdout and stderr as pipes (the scripted mode). */
export class CliProcess extends Proc {
  stdout = "";
  stderr = "";

  constructor(args: readonly string[], env: Record<string, string | undefined> = {}) {
    super(
      spawnGroup("parley cli", process.execPath, [MAIN, ...args], {
        cwd: ROOT,
        stdio: ["pipe", "pipe", "pipe"],
        env: cliEnv(env),
      }),
    );
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.child.stdin!.on("error", () => undefined); // EPIPE after the client exited
  }

  /** Non-empty stdout lines. */
  get lines(): string[] {
    return this.stdout.split("\n").filter((line) => line !== "");
  }

  write(text: string): void {
    this.child.stdin!.write(text);
  }

  end(text?: string): void {
    this.child.stdin!.end(text);
  }

  waitStdout(pattern: RegExp | string, timeoutMs = 10_000): Promise<void> {
    return waitUntil(() => matches(this.stdout, pattern), () => `stdout to match ${pattern}\n${this.describe()}`, timeoutMs);
  }

  waitStderr(pattern: RegExp | string, timeoutMs = 10_000): Promise<void> {
    return waitUntil(() => matches(this.stderr, pattern), () => `stderr to match ${pattern}\n${this.describe()}`, timeoutMs);
  }

  override describe(): string {
    return `--- stdout:\n${this.stdout}--- stderr:\n${this.stderr}`;
  }
}

/** Runs the client to the end with the given stdin; resolves with its exit code and output. */
export async function runCli(args: readonly string[], input = "", env: Record<string, string | undefined> = {}, timeoutMs = 20_000) {
  const cli = new CliProcess(args, env);
  cli.end(input);
  const code = await cli.waitExit(timeoutMs);
  return { code, stdout: cli.stdout, stderr: cli.stderr, lines: cli.lines };
}

const matches = (text: string, pattern: RegExp | string) => (typeof pattern === "string" ? text.includes(pattern) : pattern.test(text));

/** The client in a pseudo-terminal: what a person at a terminal runs. */
export class PtyCli extends Proc {
  readonly term: VirtualTerminal;
  raw = "";

  constructor(args: readonly string[], options: { env?: Record<string, string | undefined>; cols?: number; rows?: number } = {}) {
    const cols = options.cols ?? 80;
    const rows = options.rows ?? 24;
    const command = [process.execPath, MAIN, ...args].map(shellQuote).join(" ");
    super(
      spawnGroup("parley cli (pty)", "script", ["-q", "-f", "-e", "-E", "never", "-c", `stty cols ${cols} rows ${rows}; exec ${command}`, "/dev/null"], {
        cwd: ROOT,
        stdio: ["pipe", "pipe", "pipe"],
        env: cliEnv({ TERM: "xterm-256color", ...options.env }),
      }),
    );
    this.term = new VirtualTerminal(cols);
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.raw += chunk;
      this.term.write(chunk);
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.raw += chunk));
    this.child.stdin!.on("error", () => undefined);
  }

  /** Types keys (raw bytes: "\r" is Enter, "\x04" Ctrl-D, "\x03" Ctrl-C). */
  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  /** The screen as text lines, trailing blanks trimmed. */
  get screen(): string[] {
    return this.term.lines();
  }

  waitScreen(predicate: (lines: string[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return waitUntil(() => predicate(this.screen), () => `${what}\n${this.describe()}`, timeoutMs);
  }

  /** Waits for a screen line matching the pattern. */
  waitLine(pattern: RegExp | string, timeoutMs = 10_000): Promise<void> {
    return this.waitScreen((lines) => lines.some((line) => matches(line, pattern)), `a line matching ${pattern}`, timeoutMs);
  }

  override describe(): string {
    return `--- screen:\n${this.screen.join("\n")}\n--- raw: ${JSON.stringify(this.raw.slice(-2000))}`;
  }
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Enough of a VT100/xterm to replay what readline and the client write: text
 * with autowrap (and xterm's pending-wrap at the right margin), CR, LF, BS,
 * cursor movement (CSI A B C D E F G H), erase (CSI J, K); colours and modes
 * are ignored. The screen grows downwards without limit (scrollback kept).
 */
export class VirtualTerminal {
  readonly cols: number;
  #rows: string[][] = [[]];
  #row = 0;
  #col = 0;
  #pendingWrap = false;
  #partial = "";

  constructor(cols: number) {
    this.cols = cols;
  }

  write(data: string): void {
    const text = this.#partial + data;
    this.#partial = "";
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === "\x1b") {
        const seq = /^\x1b(?:\[([0-9;?]*)([ -/]*)([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[ -/]*[0-~])/.exec(text.slice(i));
        if (!seq) {
          // Incomplete sequence at the end of a chunk: wait for the rest.
          this.#partial = text.slice(i);
          return;
        }
        if (seq[3] !== undefined) this.#csi(seq[1] ?? "", seq[3]);
        i += seq[0].length;
        continue;
      }
      i += 1;
      switch (ch) {
        case "\r":
          this.#col = 0;
          this.#pendingWrap = false;
          break;
        case "\n":
          this.#moveTo(this.#row + 1, this.#col);
          break;
        case "\b":
          this.#moveTo(this.#row, Math.max(0, this.#col - 1));
          break;
        case "\x07":
          break;
        default:
          if (ch < " ") break;
          this.#put(ch);
      }
    }
  }

  #put(ch: string): void {
    if (this.#pendingWrap) this.#moveTo(this.#row + 1, 0);
    const line = this.#line(this.#row);
    while (line.length < this.#col) line.push(" ");
    line[this.#col] = ch;
    if (this.#col === this.cols - 1) this.#pendingWrap = true;
    else this.#col += 1;
  }

  #csi(params: string, final: string): void {
    if (params.startsWith("?")) return; // modes
    const nums = params.split(";").map((p) => (p === "" ? undefined : Number(p)));
    const n = nums[0] ?? 1;
    switch (final) {
      case "A":
        return this.#moveTo(Math.max(0, this.#row - n), this.#col);
      case "B":
        return this.#moveTo(this.#row + n, this.#col);
      case "C":
        return this.#moveTo(this.#row, Math.min(this.cols - 1, this.#col + n));
      case "D":
        return this.#moveTo(this.#row, Math.max(0, this.#col - n));
      case "E":
        return this.#moveTo(this.#row + n, 0);
      case "F":
        return this.#moveTo(Math.max(0, this.#row - n), 0);
      case "G":
        return this.#moveTo(this.#row, Math.min(this.cols - 1, n - 1));
      case "H":
      case "f":
        return this.#moveTo((nums[0] ?? 1) - 1, (nums[1] ?? 1) - 1);
      case "J": {
        const mode = nums[0] ?? 0;
        if (mode === 0) {
          this.#line(this.#row).length = Math.min(this.#line(this.#row).length, this.#col);
          this.#rows.length = this.#row + 1;
        } else if (mode === 2 || mode === 3) {
          this.#rows = [[]];
          this.#row = 0;
        }
        return;
      }
      case "K": {
        const mode = nums[0] ?? 0;
        const line = this.#line(this.#row);
        if (mode === 0) line.length = Math.min(line.length, this.#col);
        else if (mode === 1) for (let c = 0; c <= this.#col && c < line.length; c++) line[c] = " ";
        else line.length = 0;
        return;
      }
      default:
        return; // SGR and anything else: no effect on the text
    }
  }

  #moveTo(row: number, col: number): void {
    this.#row = row;
    this.#col = col;
    this.#pendingWrap = false;
    this.#line(row);
  }

  #line(row: number): string[] {
    while (this.#rows.length <= row) this.#rows.push([]);
    return this.#rows[row]!;
  }

  lines(): string[] {
    const out = this.#rows.map((r) => r.join("").replace(/\s+$/, ""));
    while (out.length > 0 && out[out.length - 1] === "") out.pop();
    return out;
  }

  get cursor(): { row: number; col: number } {
    return { row: this.#row, col: this.#col };
  }
}
