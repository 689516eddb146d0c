import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LOWERCASE_LOOKALIKES_AMONG_LATIN } from "../../src/protocol/nameConfusables.ts";
import { nameKey } from "../../src/protocol/nameKey.ts";

/** Groups of names that are one person in a room: every name in a row must share its key. */
const SAME: [why: string, names: string[]][] = [
  ["case", ["Alice", "alice", "ALICE", "aLiCe"]],
  ["full-width and math letters (NFKC)", ["alice", "ａｌｉｃｅ", "𝐚𝐥𝐢𝐜𝐞", "𝒶𝓁𝒾𝒸𝑒"]],
  ["ligatures (NFKC)", ["fiona", "ﬁona"]],
  ["zero-width and default-ignorable characters", ["alice", "al\u200Bice", "a\u200Clice\u200D", "al\u2060ice", "\uFEFFalice", "alic\u00ADe"]],
  ["Hangul fillers", ["alice", "\u3164alice", "alice\uFFA0", "al\u115Fice"]],
  ["bidirectional controls", ["alice", "\u202Ealice\u202C", "al\u2066ice\u2069", "alice\u200E", "\u061Calice"]],
  ["spaces of any width", ["mary ann", "maryann", "mary\u00A0ann", "mary\u2009ann", "mary\u3000ann"]],
  ["Cyrillic а, е, о, р, с, у, х", ["alice", "аlice", "alicе", "аliсе"]],
  ["Cyrillic і, ј, ѕ, ԁ, һ, ԛ, ԝ", ["jiskdhqw", "јіѕkԁһԛԝ"]],
  ["Cyrillic look-alikes in other words", ["pope", "роре"]],
  ["whole Cyrillic words that read as Latin capitals", ["AHHA", "АННА", "Анна", "анна"]],
  ["Cyrillic capitals", ["BOB", "ВОВ", "Bob"]],
  ["Greek omicron", ["bob", "bοb", "βοβ", "ΒΟΒ"]],
  ["Greek lowercase α ο ρ τ ι κ χ", ["aoptikx", "αορτικχ"]],
  ["Greek capitals", ["Nick", "Νick", "ΝΙCΚ"]],
  ["Greek capitals Η Μ Υ Ζ Ε", ["HMYZE", "ΗΜΥΖΕ"]],
  ["Greek lowercase ν among Latin letters", ["steve", "steνe"]],
  ["Greek lowercase υ among Latin letters", ["paul", "paυl"]],
  ["Greek lowercase η among Latin letters", ["jonny", "joηny"]],
  ["Latin look-alikes: script g, alpha, small capitals, dotless i", ["gail", "ɡail", "gɑil", "ɡɑɪl", "gaıl"]],
  ["1, l, I and i are one letter", ["Ivan", "lvan", "1van", "ivan", "Ιvan", "Іvan", "ӏvan"]],
  ["0 and o", ["bob", "b0b", "B0B"]],
  ["rn and m", ["mary", "rnary", "МARY"]],
  ["combining marks", ["alice", "alice\u0301", "alicé", "ALICÉ", "a\u0300l\u0308i\u0302c\u0327e\u0301\u0301\u0301"]],
  ["acute accents", ["Jose", "José", "JOSÉ"]],
  ["diaereses", ["Zoe", "Zoë"]],
  ["strokes (ł)", ["Lukasz", "Łukasz"]],
  ["strokes (ø)", ["Soren", "Søren", "SØREN"]],
  ["Turkish dotted and dotless I", ["ilker", "İlker", "Ilker", "ılker"]],
  ["full case folding", ["strasse", "Straße", "STRASSE", "STRAẞE", "Straβe"]],
  ["Greek case, accents and final sigma", ["Σοφία", "ΣΟΦΙΑ", "σοφια", "Σοφιά"]],
  ["Greek names in any case", ["Νίκη", "ΝΙΚΗ", "νίκη", "NIKH"]],
  ["Cyrillic ё and case", ["Алёна", "Алена", "АЛЁНА"]],
  ["Cyrillic й and case", ["Андрей", "Андреи", "АНДРЕЙ"]],
  ["Cherokee and Lisu capitals", ["ALICE", "ᎪᏞᎥᏟᎬ", "ꓮꓡꓲꓚꓰ"]],
  ["Armenian and Coptic o", ["bob", "bօb", "bⲟb"]],
  ["mixed scripts", ["Alexander", "Аlеxаndеr", "Αlεxαndεr", "АLЕХАNDЕR"]],
];

/** Pairs of different people: the two names must have different keys. */
const DIFFERENT: [string, string][] = [
  ["alice", "alicia"],
  ["ann", "anne"],
  ["anna", "ana"],
  ["alice", "al ice."],
  ["alice_1", "alice_2"],
  ["agent7", "agent1"],
  ["bob", "rob"],
  ["李", "杨"],
  ["王", "玉"],
  ["Дмитрий", "Dmitry"],
  ["Борис", "Boris"],
  ["Саша", "Маша"],
  ["Иван", "Ivan"],
  ["Νίκος", "Νίκη"],
  ["Ελένη", "Ειρήνη"],
  // Marks are kept on scripts where they carry vowels or voicing.
  ["राम", "रम"],
  ["さとう", "さどう"],
  ["김", "긴"],
  ["محمد", "أحمد"],
];

describe("nameKey", () => {
  for (const [why, names] of SAME) {
    it(`folds ${why}`, () => {
      const first = nameKey(names[0]!);
      for (const name of names) expect({ name, key: nameKey(name) }).toEqual({ name, key: first });
    });
  }

  it.each(DIFFERENT)("keeps %s and %s apart", (a, b) => {
    expect(nameKey(a)).not.toBe(nameKey(b));
  });

  it("gives a name made only of invisible characters the empty key (validate.ts refuses such names)", () => {
    expect(nameKey("\u200B\u3164\u2060 \uFEFF")).toBe("");
  });

  it("ignores case: a name, its capitals and its lowercase share a key", () => {
    // Not in a name that mixes Latin with a letter whose capital passes for
    // another Latin letter than it does (Νick vs νick): see nameKey.ts.
    const amongLatin = new RegExp(`[${LOWERCASE_LOOKALIKES_AMONG_LATIN.replace(/\s+/g, "").replace(/[a-z0-9]/g, "")}]`, "iu");
    const letters = fc.constantFrom(..."aAbBiIlLmMsSzZßéÉıİ0 1-_аАвВнНбБйЙёЁσςΣνΝηΗβΒάΆ李ğĞǅǆ".split(""));
    fc.assert(
      fc.property(fc.array(letters, { minLength: 1, maxLength: 12 }), (chars) => {
        const name = chars.join("");
        fc.pre(!(/\p{sc=Latin}/u.test(name) && amongLatin.test(name)));
        const key = nameKey(name);
        expect(nameKey(name.toUpperCase())).toBe(key);
        expect(nameKey(name.toLowerCase())).toBe(key);
      }),
      { numRuns: 2000 },
    );
  });

  it("is stable: the key of a key is the key", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 16 }), (name) => {
        expect(nameKey(nameKey(name))).toBe(nameKey(name));
      }),
      { numRuns: 5000 },
    );
  });
});
