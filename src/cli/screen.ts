/**
 * The interactive terminal: a readline prompt at the bottom, and lines from
 * the room printed above it without garbling what the user is typing. To
 * print, the prompt (all the rows it spans) is cleared, the lines are
 * written, and the prompt is drawn again with the partly typed input and the
 * cursor where they were.
 */
import * as readline from "node:readline";

export class PromptScreen {
  readonly rl: readline.Interface;
  readonly #out: NodeJS.WriteStream;
  #open = true;

  constructor(input: NodeJS.ReadStream, output: NodeJS.WriteStream, prompt: string) {
    this.#out = output;
    this.rl = readline.createInterface({ input, output, prompt, terminal: true, historySize: 500, tabSize: 4 });
    this.rl.on("close", () => (this.#open = false));
    // Before readline handles each key: tell it the row the cursor is really on (see #cursorRow).
    const sync = () => {
      if (this.#open) this.#readline.prevRows = this.#cursorRow();
    };
    input.prependListener("keypress", sync);
    this.rl.on("close", () => input.off("keypress", sync));
  }

  /** readline's own note of the cursor's row when it last drew the input (undocumented, but public). */
  get #readline(): { prevRows?: number } {
    return this.rl as unknown as { prevRows?: number };
  }

  /**
   * The row, counted from the prompt's first, that the terminal's cursor is
   * on. readline keeps it (`prevRows`) only when it redraws the input: text
   * that arrives in one chunk (a paste) is written straight out, and its
   * rows were never counted, so a redraw (Ctrl-U, a backspace across a
   * row…) started too low and left the first rows on screen. When the
   * input was written straight out and ends at the right margin exactly,
   * the terminal has not wrapped yet: the cursor is still on the row above.
   */
  #cursorRow(): number {
    const rl = this.rl;
    const pos = rl.getCursorPos();
    const kept = this.#readline.prevRows ?? 0;
    if (kept === pos.rows) return kept;
    return pos.cols === 0 && pos.rows > 0 && rl.cursor === rl.line.length ? pos.rows - 1 : pos.rows;
  }

  get open(): boolean {
    return this.#open;
  }

  /** What the user has typed so far (not yet sent). */
  get input(): string {
    return this.rl.line;
  }

  /** Prints lines above the prompt and redraws the prompt with the input kept. */
  print(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const text = `${lines.join("\n")}\n`;
    if (!this.#open) {
      this.#out.write(text);
      return;
    }
    this.#clearPrompt(this.#cursorRow());
    this.#out.write(text);
    this.rl.prompt(true);
  }

  setPrompt(prompt: string): void {
    if (!this.#open || prompt === this.rl.getPrompt()) return;
    this.#clearPrompt(this.#cursorRow());
    this.rl.setPrompt(prompt);
    this.rl.prompt(true);
  }

  prompt(): void {
    if (this.#open) this.rl.prompt();
  }

  /**
   * Removes the line readline echoed when Enter was pressed, so a sent
   * message shows once: as the room's event. Call it from the "line" handler.
   */
  eraseSubmitted(line: string): void {
    if (!this.#open) return;
    // readline wrote prompt + line, moved to its end and wrote "\r\n": the
    // input ended `rows` rows below the prompt's first row, and the cursor is
    // one row further down. Measure with readline's own arithmetic.
    const rl = this.rl;
    const [saveLine, saveCursor] = [rl.line, rl.cursor];
    (rl as { line: string }).line = line;
    (rl as { cursor: number }).cursor = line.length;
    const rows = rl.getCursorPos().rows;
    (rl as { line: string }).line = saveLine;
    (rl as { cursor: number }).cursor = saveCursor;
    this.#clearPrompt(rows + 1);
  }

  /** Clears the prompt and closes readline (the terminal is left clean). */
  close(): void {
    if (this.#open) {
      this.#clearPrompt(this.#cursorRow());
      this.rl.close();
    } else {
      readline.cursorTo(this.#out, 0);
      readline.clearScreenDown(this.#out);
    }
  }

  /**
   * Moves up `rows` rows to column 0 and clears from there to the end of the
   * screen: the cursor is where the prompt starts, which readline is told,
   * so that it draws the prompt again from there.
   */
  #clearPrompt(rows: number): void {
    if (rows > 0) readline.moveCursor(this.#out, 0, -rows);
    readline.cursorTo(this.#out, 0);
    readline.clearScreenDown(this.#out);
    this.#readline.prevRows = 0;
  }
}
