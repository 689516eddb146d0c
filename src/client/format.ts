/**
 * Light formatting of message text, for both apps: `**bold**`, `_italic_`,
 * `` `code` ``, fenced code blocks (```) and links (linkify.ts: http(s) URLs
 * and `www.` hosts). The result is plain data, never markup: the browser
 * builds nodes from it with textContent, the terminal paints it with its
 * colours; neither ever parses HTML.
 *
 * The rules are a chat app's, not all of Markdown:
 *
 * - Markers hug their text and stand apart from words: `**a**` is bold,
 *   `** a **` is not; `snake_case_words`, `__init__` and `2**3**4` stay as
 *   written. A single `*` is never formatting (`*their`, `2*3*4`).
 * - Bold, italic and inline code stay on one line; they do not nest (what is
 *   inside is shown as written), and an unclosed marker stays literal.
 * - Inline code is a run of backticks closed by a run of the same length on
 *   the same line; nothing inside it is formatted or linked.
 * - A fenced block starts with a line that is ``` (and maybe a language
 *   word) and ends with a line that is ```; without its closing fence it is
 *   ordinary text. Its lines are kept exactly.
 * - Markers inside a link do not count (`https://x.org/a_b_c`). A link may
 *   sit inside bold or italic text: it comes out as its own `link` span
 *   there, between the pieces of the bold or italic text.
 */
import { findLinks, type FoundLink } from "./linkify.ts";

/** A run of text in one style. `text` is what to show: markers are gone, a link's text is linkify's. */
export type InlineSpan =
  | { kind: "text" | "bold" | "italic" | "code"; text: string }
  | { kind: "link"; text: string; href: string };

/**
 * A piece of a message: running text (its `text` spans may hold newlines;
 * nothing else does), or a fenced code block's lines without the fences.
 */
export type FormatBlock = { kind: "text"; spans: InlineSpan[] } | { kind: "code"; text: string; lang?: string };

const OPEN_FENCE = /^```\s*([A-Za-z0-9_+#.-]*)\s*$/;
const CLOSE_FENCE = /^```\s*$/;

/** A message's text as blocks: running text and fenced code, in order; empty text gives none. */
export function formatBlocks(text: string): FormatBlock[] {
  const lines = text.split("\n");
  const blocks: FormatBlock[] = [];
  let pending: string[] = [];
  const flushText = () => {
    if (pending.length > 0) blocks.push({ kind: "text", spans: formatSpans(pending.join("\n")) });
    pending = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN_FENCE.exec(lines[i]!);
    const close = open ? lines.findIndex((line, j) => j > i && CLOSE_FENCE.test(line)) : -1;
    if (!open || close === -1) {
      pending.push(lines[i]!);
      continue;
    }
    flushText();
    const lang = open[1]!;
    blocks.push({ kind: "code", text: lines.slice(i + 1, close).join("\n"), ...(lang === "" ? {} : { lang }) });
    i = close;
  }
  flushText();
  return blocks.filter((block) => block.kind === "code" || block.spans.length > 0);
}

/** Running text (no fenced blocks) as spans; lines are parsed one at a time and joined by newlines in `text` spans. */
export function formatSpans(text: string): InlineSpan[] {
  const spans: InlineSpan[] = [];
  text.split("\n").forEach((line, i) => {
    if (i > 0) spans.push({ kind: "text", text: "\n" });
    spans.push(...lineSpans(line));
  });
  return merge(spans);
}

/** Spans cut at the newlines in them: one list per line (an empty line is an empty list). */
export function spanLines(spans: readonly InlineSpan[]): InlineSpan[][] {
  const lines: InlineSpan[][] = [[]];
  for (const span of spans) {
    const parts = span.text.split("\n");
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part !== "") lines[lines.length - 1]!.push({ ...span, text: part });
    });
  }
  return lines;
}

/** One line: inline code first (nothing inside it counts), then links, bold and italic in the rest. */
function lineSpans(line: string): InlineSpan[] {
  const spans: InlineSpan[] = [];
  let plainStart = 0;
  let i = 0;
  while (i < line.length) {
    if (line[i] !== "`") {
      i += 1;
      continue;
    }
    const run = backtickRun(line, i);
    const close = findBacktickRun(line, i + run, run);
    const content = close === -1 ? "" : line.slice(i + run, close);
    if (close === -1 || content.trim() === "") {
      i += run;
      continue;
    }
    spans.push(...emphasis(line.slice(plainStart, i)));
    spans.push({ kind: "code", text: content });
    i = close + run;
    plainStart = i;
  }
  spans.push(...emphasis(line.slice(plainStart)));
  return spans;
}

function backtickRun(line: string, at: number): number {
  let n = 0;
  while (line[at + n] === "`") n += 1;
  return n;
}

/** The start of the next run of exactly `length` backticks at or after `from`, or -1. */
function findBacktickRun(line: string, from: number, length: number): number {
  let i = from;
  while (i < line.length) {
    if (line[i] !== "`") {
      i += 1;
      continue;
    }
    const run = backtickRun(line, i);
    if (run === length) return i;
    i += run;
  }
  return -1;
}

const WORD = /[\p{L}\p{N}_]/u;
const SPACE = /\s/u;

interface Marker {
  text: "**" | "_";
  kind: "bold" | "italic";
}
const MARKERS: readonly Marker[] = [
  { text: "**", kind: "bold" },
  { text: "_", kind: "italic" },
];

/** Whether `marker` at `at` may open: not after a word or the marker's own character, before a non-space that is not it either. */
function canOpen(s: string, at: number, marker: string): boolean {
  const before = s[at - 1];
  const after = s[at + marker.length];
  const ch = marker[0]!;
  if (before !== undefined && (WORD.test(before) || before === ch)) return false;
  return after !== undefined && !SPACE.test(after) && after !== ch;
}

/** Whether `marker` at `at` may close: after a non-space that is not its character, not before a word or its character. */
function canClose(s: string, at: number, marker: string): boolean {
  const before = s[at - 1];
  const after = s[at + marker.length];
  const ch = marker[0]!;
  if (before === undefined || SPACE.test(before) || before === ch) return false;
  return after === undefined || (!WORD.test(after) && after !== ch);
}

/** Bold and italic in a piece of a line without inline code; links inside come out as link spans. */
function emphasis(s: string): InlineSpan[] {
  if (s === "") return [];
  const links = findLinks(s);
  const linkAt = (i: number) => links.find((link) => link.start <= i && i < link.end);
  const spans: InlineSpan[] = [];
  let plainStart = 0;
  let i = 0;
  while (i < s.length) {
    const link = linkAt(i);
    if (link) {
      i = link.end;
      continue;
    }
    const marker = MARKERS.find((m) => s.startsWith(m.text, i) && canOpen(s, i, m.text));
    const close = marker ? findCloser(s, i + marker.text.length, marker.text, linkAt) : -1;
    if (!marker || close === -1) {
      i += 1;
      continue;
    }
    spans.push(...withLinks(s, plainStart, i, "text", links));
    spans.push(...withLinks(s, i + marker.text.length, close, marker.kind, links));
    i = close + marker.text.length;
    plainStart = i;
  }
  spans.push(...withLinks(s, plainStart, s.length, "text", links));
  return spans;
}

function findCloser(s: string, from: number, marker: string, linkAt: (i: number) => FoundLink | undefined): number {
  let i = from;
  while (i < s.length) {
    const link = linkAt(i);
    if (link) {
      i = link.end;
      continue;
    }
    if (s.startsWith(marker, i) && i > from && canClose(s, i, marker)) return i;
    i += 1;
  }
  return -1;
}

/** `s.slice(start, end)` in `kind`, with the links in it as link spans. */
function withLinks(s: string, start: number, end: number, kind: "text" | "bold" | "italic", links: readonly FoundLink[]): InlineSpan[] {
  const spans: InlineSpan[] = [];
  let at = start;
  for (const link of links) {
    if (link.start < start || link.end > end) continue;
    if (link.start > at) spans.push({ kind, text: s.slice(at, link.start) });
    spans.push({ kind: "link", text: link.text, href: link.href });
    at = link.end;
  }
  if (end > at) spans.push({ kind, text: s.slice(at, end) });
  return spans;
}

/** Adjacent spans of the same kind (not links) as one. */
function merge(spans: readonly InlineSpan[]): InlineSpan[] {
  const out: InlineSpan[] = [];
  for (const span of spans) {
    const last = out[out.length - 1];
    if (last && last.kind === span.kind && span.kind !== "link" && span.kind !== "code") last.text += span.text;
    else out.push({ ...span });
  }
  return out;
}
