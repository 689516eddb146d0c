/**
 * Generates src/protocol/nameConfusables.ts, the look-alike table of nameKey,
 * from Unicode's confusables data (UTS #39):
 *
 *   npx node scripts/gen-name-confusables.ts <confusables.txt | data.json> "<what and which version>"
 *
 * The input is either Unicode's security/confusables.txt or a JSON object of
 * source → prototype strings built from it (the npm package unhomoglyph ships
 * one as data.json). The full data is ~100 KB (~28 KB gzipped), too much for
 * the browser bundle, and most of it maps scripts the room does not fold, so
 * only what nameKey needs is kept:
 * - a source whose normalized forms differ from it is left out: NFKC (full
 *   width, math letters, circled letters…) and mark stripping already reduce
 *   it to the character it is made of, which has its own entry;
 * - the key is the source after foldName (case-folded), and must be one
 *   letter of SCRIPTS: Latin, Greek and Cyrillic, which the issue asks for,
 *   and Armenian, Cherokee, Coptic and Lisu, whose letters pass for Latin ones
 *   too (`օ`, `Ꭺ`, `ⲟ`, `ꓮ`) and cost 0.3 KB gzipped more; or an ASCII digit
 *   or `|`;
 * - the value is the prototype after foldName and the ASCII look-alikes below,
 *   and must be ASCII letters and digits (a prototype such as `ʙ` or `ĸ` that
 *   is itself no ASCII letter is left out, so each key ends on one value);
 * - UTS #39 maps capitals and lowercase letters separately, and case is folded
 *   before the table applies; when a capital and its lowercase letter point to
 *   different letters (Ν → N, ν → v), the capital wins: capitals are the exact
 *   copies (Η, Ν, Β look like H, N, B pixel for pixel, η, ν, β only nearly)
 *   and a name begins with one. The lowercase one's own look-alike goes into
 *   LOWERCASE_LOOKALIKES_AMONG_LATIN, which nameKey applies before folding
 *   case, in names that also have Latin letters;
 * - the ASCII sources of UTS #39 (`0` → `O`, `1` → `l`, `I` → `l`, `|` → `l`,
 *   `m` → `rn`) are kept and applied to every value, so that `i`, `1`, `l`,
 *   `|` end on `l`, `0` on `o` and `m` on `rn` (`I` is `l` in UTS #39 and `i`
 *   once case is folded, so the two classes are one).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { foldName } from "../src/protocol/nameKey.ts";

const OUTPUT = resolve(dirname(fileURLToPath(import.meta.url)), "../src/protocol/nameConfusables.ts");
const VALUE = /^[a-z0-9]+$/;
// The scripts whose look-alikes are kept, one block each in the output.
const SCRIPTS = [
  /^[\p{sc=Latin}0-9|]$/u,
  /^\p{sc=Greek}$/u,
  /^\p{sc=Cyrillic}$/u,
  /^\p{sc=Armenian}$/u,
  /^\p{sc=Cherokee}$/u,
  /^\p{sc=Coptic}$/u,
  /^\p{sc=Lisu}$/u,
];
const isKey = (char: string) => SCRIPTS.some((script) => script.test(char));

interface Candidate {
  value: string;
  fromCapital: boolean;
}

function main(): void {
  const [input, label] = process.argv.slice(2);
  if (input === undefined || label === undefined) {
    throw new Error('usage: npx node scripts/gen-name-confusables.ts <confusables.txt | data.json> "<what and which version>"');
  }
  const pairs = readPairs(input);

  const ascii = new Map<string, string>();
  for (const [source, prototype] of pairs) {
    const key = foldName(source);
    const value = foldName(prototype);
    if (/^[\x21-\x7e]$/.test(source) && isKey(key) && VALUE.test(value) && key !== value) ascii.set(key, value);
  }
  const mergeAscii = (text: string): string => {
    for (let i = 0; i < 4; i++) text = [...text].map((char) => ascii.get(char) ?? char).join("");
    return text;
  };

  const candidates = new Map<string, Candidate[]>();
  for (const [source, prototype] of pairs) {
    if ([...source].length !== 1 || source.normalize("NFKC") !== source || source.normalize("NFD") !== source) continue;
    const key = foldName(source);
    if (!isKey(key)) continue;
    const value = mergeAscii(foldName(prototype));
    if (!VALUE.test(value) || value === key) continue;
    const list = candidates.get(key) ?? [];
    list.push({ value, fromCapital: source !== key });
    candidates.set(key, list);
  }

  const table = new Map<string, string>();
  const amongLatin = new Map<string, string>();
  for (const [key, list] of candidates) {
    const capital = list.find((c) => c.fromCapital);
    const own = list.find((c) => !c.fromCapital);
    const chosen = capital ?? own;
    if (chosen === undefined) continue;
    table.set(key, chosen.value);
    if (own !== undefined && capital !== undefined && own.value !== capital.value && !/\p{sc=Latin}/u.test(key)) {
      amongLatin.set(key, own.value);
    }
  }

  writeFileSync(OUTPUT, render(label, table, amongLatin));
  console.log(`${OUTPUT}: ${table.size} look-alikes, ${amongLatin.size} lowercase ones among Latin letters`);
}

/** Source → prototype pairs from confusables.txt (`0441 ;\t0063 ;\tMA\t# …`) or a JSON object. */
function readPairs(path: string): [string, string][] {
  const text = readFileSync(path, "utf8");
  if (path.endsWith(".json")) return Object.entries(JSON.parse(text) as Record<string, string>);
  const pairs: [string, string][] = [];
  for (const line of text.split("\n")) {
    const match = /^([0-9A-F ]+);\s*([0-9A-F ]+);/.exec(line.replace(/^\uFEFF/, ""));
    if (match === null) continue;
    const [source, prototype] = [match[1], match[2]].map((hex) =>
      String.fromCodePoint(...(hex ?? "").trim().split(/\s+/).map((h) => parseInt(h, 16))),
    );
    pairs.push([source ?? "", prototype ?? ""]);
  }
  return pairs;
}

function render(label: string, table: Map<string, string>, amongLatin: Map<string, string>): string {
  const sorted = (map: Map<string, string>) => [...map].sort(([a], [b]) => a.codePointAt(0)! - b.codePointAt(0)!);
  // One block per script, 16 entries a line, so a reviewer can find a letter.
  const group = (entries: [string, string][]) =>
    SCRIPTS.map((script) => {
      const words = entries.filter(([key]) => script.test(key)).map(([key, value]) => key + value);
      const lines: string[] = [];
      for (let i = 0; i < words.length; i += 16) lines.push(words.slice(i, i + 16).join(" "));
      return lines.join("\n");
    })
      .filter((block) => block !== "")
      .join("\n\n");
  return `// Generated by scripts/gen-name-confusables.ts; do not edit. Source:
// ${label}.
// The look-alikes of UTS #39 (Unicode's confusables) that nameKey folds: each
// entry is a character after case folding, then the ASCII it passes for.
// Read that script for which entries are kept and why.

/** Look-alikes of ASCII letters and digits, keyed by their case-folded form, one block per script. */
export const CONFUSABLES = \`
${group(sorted(table))}
\`;

/** Lowercase letters that pass for another Latin letter than their capital does (ν ≈ v, Ν ≈ N). */
export const LOWERCASE_LOOKALIKES_AMONG_LATIN = \`
${group(sorted(amongLatin))}
\`;
`;
}

main();
