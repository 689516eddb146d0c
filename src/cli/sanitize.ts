/**
 * Makes untrusted text from a room safe to print on a terminal. The server
 * already refuses control characters in names and text, but a client does not
 * rely on that: a hostile or buggy server must not be able to move the cursor,
 * retitle the window, hide or reorder text, or forge lines.
 *
 * - Escape sequences (CSI, OSC, DCS, APC, PM, SOS and two-byte ESC
 *   sequences, 7-bit and 8-bit forms) are removed whole.
 * - Other control characters become visible: C0 and DEL in caret notation
 *   (`^[`, `^M`, `^?`), C1 as `<U+0085>`.
 * - Bidirectional controls and line/paragraph separators become visible as
 *   `<U+202E>` etc. (they could reorder or hide what is shown).
 * - Unpaired surrogates become U+FFFD.
 * - Newlines (and tabs) are kept only where `multiline` allows them.
 */

// CSI: ESC [ or 8-bit CSI, parameters, intermediates, a final byte.
const CSI = String.raw`(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]`;
// OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \ or 8-bit ST).
const STRING_SEQ = String.raw`(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c)`;
// Any other ESC sequence: intermediates then one final byte. The introducers
// above ([ ] P X ^ _) are not final bytes: unfinished, they stay visible.
const ESC_SEQ = String.raw`\x1b[\x20-\x2f]*[\x30-\x4f\x51-\x57\x59\x5a\x5c\x60-\x7e]`;
const ESCAPE_SEQUENCE = new RegExp(`${CSI}|${STRING_SEQ}|${ESC_SEQ}`, "g");

const BIDI_AND_SEPARATORS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/;
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/g;

export interface SanitizeOptions {
  /** Keep `\n` and `\t` (message text); names and other one-line fields get them escaped. */
  multiline?: boolean;
}

export function sanitize(raw: string, options: SanitizeOptions = {}): string {
  const text = raw.toWellFormed().replace(ESCAPE_SEQUENCE, "");
  return text.replace(UNSAFE, (ch) => {
    if (options.multiline && (ch === "\n" || ch === "\t")) return ch;
    return visible(ch);
  });
}

function visible(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return "^?";
  if (code <= 0x9f || BIDI_AND_SEPARATORS.test(ch)) return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
  return ch;
}

/** A one-line, safe version of a name or other short field. */
export const safeName = (raw: string): string => sanitize(raw);
