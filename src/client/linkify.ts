/**
 * Finds web links in message text, for both apps. The result is plain data;
 * the browser turns `link` parts into anchors with textContent, so nothing
 * here is ever parsed as HTML, and the terminal prints each link as it reads
 * (its emulator makes links of them itself). Only http and https links qualify: `javascript:`, `data:`
 * and friends stay text. A bare `www.` host (`www.example.com/x`) is a link
 * too: its text stays as written, its href gets `https://`.
 *
 * A link's text must not lie about where it goes: bidirectional controls are
 * taken out of it (`…/\u202Egnp.exe` would show as `…/exe.png`), and a host
 * with anything but ASCII in it (`раypal.com` with a Cyrillic а, full-width
 * dots) is shown as the URL parser reads it, in punycode (`xn--…`).
 */

export type TextPart = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

// Candidates start with the scheme, or with `www.` and a dotted host (not inside a word, a path or an address);
// everything up to whitespace or a character that cannot be in a bare URL.
const CANDIDATE = /(?<![\p{L}\p{N}])https?:\/\/[^\s<>"'`]+|(?<![\p{L}\p{N}_.@/:-])www\.[\p{L}\p{N}-]+\.[^\s<>"'`]+/giu;
const WWW = /^www\./i;
// What a `www.` candidate must still be once trailing punctuation is off: www, a name, a dot and more.
const WWW_HOST = /^www\.[^./?#:]+\.[^./?#:]/i;
// Punctuation that usually ends the sentence rather than the URL.
const TRAILING = /[.,;:!?*_~]+$/;

export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const link of findLinks(text)) {
    if (link.start > last) parts.push({ kind: "text", text: text.slice(last, link.start) });
    parts.push({ kind: "link", text: link.text, href: link.href });
    last = link.end;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}

/** A link found in a text: where it is (`text.slice(start, end)` is as written), what it shows, where it goes. */
export interface FoundLink {
  start: number;
  end: number;
  text: string;
  href: string;
}

/** The links in `text`, in order, with their places (format.ts keeps markers inside a link from counting). */
export function findLinks(text: string): FoundLink[] {
  const links: FoundLink[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const raw = trimCandidate(match[0]);
    const www = WWW.test(raw);
    if (www && !WWW_HOST.test(raw)) continue;
    const href = safeHref(www ? `https://${raw}` : raw);
    if (href === null) continue;
    const shown = www ? linkText(`https://${raw}`, href).slice("https://".length) : linkText(raw, href);
    links.push({ start, end: start + raw.length, text: shown, href });
  }
  return links;
}

/** The text with every link written as `linkText` shows it: what a terminal prints. */
export function readableLinks(text: string): string {
  return linkify(text)
    .map((part) => part.text)
    .join("");
}

// Embeddings, overrides, isolates and marks: they reorder or hide text without being seen.
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
// Everything before the host, the host (with any userinfo and port), and the rest.
const AUTHORITY = /^(https?:\/\/)([^/?#]*)(.*)$/is;

/** What a link shows: its text without bidi controls, and a non-ASCII host as punycode. */
export function linkText(raw: string, href: string): string {
  const text = raw.replace(BIDI_CONTROLS, "");
  const parts = AUTHORITY.exec(text);
  if (!parts || /^[\x00-\x7F]*$/.test(parts[2]!)) return text;
  return parts[1]! + new URL(href).host + parts[3]!;
}

function trimCandidate(candidate: string): string {
  let url = candidate.replace(TRAILING, "");
  // "(see https://example.com/x)": keep a ")" only when the URL opened one.
  while (url.endsWith(")") && count(url, "(") < count(url, ")")) url = url.slice(0, -1).replace(TRAILING, "");
  return url;
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n += 1;
  return n;
}

/** The normalised URL if it is a well-formed http(s) URL with a host, else null. */
export function safeHref(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") return null;
  return url.href;
}
