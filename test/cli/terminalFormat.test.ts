/**
 * How the terminal shows light formatting, long messages and runs of joins
 * and leaves (terminalText.ts), without a server: the lines Formatter makes.
 */
import { describe, expect, it } from "vitest";
import type { MessageEvent } from "../../src/protocol/frames.ts";
import { displayWidth, Formatter } from "../../src/cli/terminalText.ts";

const strip = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, "");
const message = (text: string, extra: Partial<MessageEvent> = {}): MessageEvent =>
  ({ type: "message", seq: 42, ts: Date.UTC(2026, 0, 1, 13, 5), from: { id: "c", name: "carol" }, text, ...extra }) as MessageEvent;

describe("formatted messages", () => {
  it("paints with colour, markers gone; fenced blocks two columns in; everything sanitised", () => {
    const out = new Formatter({ color: true });
    const lines = out.message(message("**hi** _you_ `x` www.a.io\n```\nrm \x1b[2J-rf\n```"));
    expect(lines[0]).toContain("\x1b[1mhi\x1b[0m \x1b[3myou\x1b[0m \x1b[36mx\x1b[0m \x1b[4mwww.a.io\x1b[0m");
    expect(lines.map(strip).map((l) => l.replace(/^\d\d:\d\d/, "HH:MM"))).toEqual(["HH:MM #42 <carol> hi you x www.a.io", "                    rm -rf"]);
  });

  it("keeps a mention's colour around formatted pieces", () => {
    const out = new Formatter({ color: true, selfId: () => "me" });
    const [line] = out.message(message("@me **now**", { mentions: ["me"] } as Partial<MessageEvent>));
    expect(line).toContain("\x1b[1;33m@me \x1b[1mnow\x1b[0m\x1b[1;33m\x1b[0m");
  });

  it("shows the text as written without colour", () => {
    const out = new Formatter({ color: false });
    expect(out.message(message("**hi** _you_\n```\ncode\n```")).map((l) => l.slice(6))).toEqual([
      "#42 <carol> **hi** _you_",
      "            ```",
      "            code",
      "            ```",
    ]);
  });

  it("cuts a message taller than 12 rows at the terminal's width to 10, and /show's full form does not", () => {
    const out = new Formatter({ color: false, columns: () => 40 });
    const text = Array.from({ length: 13 }, (_, i) => `line ${i + 1}`).join("\n");
    const cut = out.message(message(text));
    expect(cut).toHaveLength(11);
    expect(cut[10]).toBe("                  … (3 more lines: /show #42)");
    expect(out.message(message(text), { full: true })).toHaveLength(13);
    // Twelve rows fit; one long line counts its rows and is cut within.
    expect(out.message(message(Array.from({ length: 12 }, () => "x").join("\n")))).toHaveLength(12);
    const long = out.message(message("word ".repeat(200)));
    // …as one line that wraps to at most 10 rows, ending in "…", and the line that says how much more there is.
    expect(long).toHaveLength(2);
    expect(long[0]).toMatch(/word…$/);
    expect(displayWidth(long[0]!)).toBeLessThanOrEqual(10 * 40);
    expect(displayWidth(long[0]!)).toBeGreaterThan(9 * 40);
    expect(long[1]).toMatch(/^ +… \(\d+ more lines: \/show #42\)$/);
    // Not on a terminal (no width): never cut.
    expect(new Formatter({ color: false }).message(message(text))).toHaveLength(13);
  });
});

describe("presence runs", () => {
  const ev = (type: "joined" | "left", name: string, ts = Date.UTC(2026, 0, 1, 13, 5)) => ({ type, seq: 1, ts, member: { id: name, name } });
  it("is one line, with an arrow when all went one way", () => {
    const out = new Formatter({ color: false });
    expect(out.presenceRun([ev("joined", "ann"), ev("joined", "b\x1b[31mad")]).slice(6)).toBe("--> ann and bad joined");
    expect(out.presenceRun([ev("left", "ann")]).slice(6)).toBe("<-- ann left");
    expect(out.presenceRun([ev("joined", "ann"), ev("left", "cat")]).slice(6)).toBe("--- ann joined; cat left");
  });
});
