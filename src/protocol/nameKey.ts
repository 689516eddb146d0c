/**
 * When two display names count as the same person in a room.
 *
 * The room refuses a join or a rename whose key equals the key of someone
 * online (`name_taken`); both clients use the same function to warn early.
 * A key is for comparing only, never for display: it mixes scripts and
 * replaces letters (`"Emil"` → `"ernll"`).
 *
 * Two names share a key when they differ only by:
 * - letter case (full folding: `ß` = `ss`, `ς` = `σ`, `ı` = `i`);
 * - compatibility forms (NFKC: full-width `ａｌｉｃｅ`, `𝐚𝐥𝐢𝐜𝐞`, `ﬁ`, `Ⓐ`);
 * - whitespace and invisible characters (zero-width, the Hangul fillers,
 *   bidirectional controls, every default-ignorable code point);
 * - diacritics on Latin, Greek or Cyrillic letters (`José` = `Jose`,
 *   `й` = `и`, `alice\u0301` = `alice`; Armenian, Cherokee, Coptic and Lisu
 *   too): they pass for one another at a glance. Marks on other scripts are
 *   kept, where they often are the vowels;
 * - Latin, Greek and Cyrillic look-alikes from Unicode's confusables
 *   (UTS #39): `аlice` (Cyrillic а), `bοb` (Greek ο), `ɡ`, `ł`, `ø`…, and
 *   those of Armenian, Cherokee, Coptic and Lisu (`օ`, `Ꭺ`, `ⲟ`, `ꓮ`); see
 *   scripts/gen-name-confusables.ts for how the table is made;
 * - the ASCII look-alikes of UTS #39: `0` = `o`, `1` = `l` = `I` = `|`
 *   (and so `i`, since case is folded), `m` = `rn`.
 */
import { CONFUSABLES, LOWERCASE_LOOKALIKES_AMONG_LATIN } from "./nameConfusables.ts";

// Same set that validate.ts refuses a name made only of.
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/gu;
// On the letters (and digits) the table maps, so a mark left on one would not
// end up on its ASCII look-alike.
const MARKS_ON_MAPPED = /(?<=[\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}\p{sc=Armenian}\p{sc=Cherokee}\p{sc=Coptic}\p{sc=Lisu}0-9|])\p{M}+/gu;
const LATIN_LETTER = /\p{sc=Latin}/u;

const table = parseTable(CONFUSABLES);
const amongLatin = parseTable(LOWERCASE_LOOKALIKES_AMONG_LATIN);

/** The key under which two display names count as the same person in a room. */
export function nameKey(name: string): string {
  let text = name.normalize("NFKC");
  // A few Greek and Cyrillic lowercase letters look like one Latin letter and
  // their capitals like another (ν ≈ v but Ν ≈ N). Folding case first would
  // lose the difference, so in a name that also has Latin letters, where such
  // a letter can only be an impostor, the lowercase one is mapped first.
  if (LATIN_LETTER.test(text)) text = text.replace(/./gsu, (char) => amongLatin.get(char) ?? char);
  let key = "";
  for (const char of foldName(text)) key += table.get(char) ?? char;
  return key;
}

/**
 * The steps of nameKey that need no table: NFKC, without invisible
 * characters, case-folded, decomposed, without diacritics on the letters of
 * the scripts the table maps. Exported for the script that generates the table.
 */
export function foldName(name: string): string {
  return name
    .normalize("NFKC")
    .replace(INVISIBLE, "")
    // Through the capitals, so that ß, ς, ı and ſ fold like SS, Σ, I and S
    // (toLowerCase alone keeps them), and ẞ like ß.
    .toLowerCase()
    .toUpperCase()
    .toLowerCase()
    .normalize("NFD")
    .replace(MARKS_ON_MAPPED, "");
}

/** `"аa мrn"` (a code point, then what it stands for; separated by white space) as a map. */
function parseTable(entries: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries.trim().split(/\s+/)) {
    const [from = "", ...to] = entry;
    map.set(from, to.join(""));
  }
  return map;
}
