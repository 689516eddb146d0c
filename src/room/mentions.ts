/**
 * Mentions: `@name` in a message's text names a member who is online, by the
 * same key that keeps names unique (nameKey), so `@Ann`, `@ａｎｎ` and
 * `@ann` are one person, and a name with spaces (`@Ann Lee`) works too.
 * The room computes them when it stores the message (`mentions`: member ids),
 * so every client agrees on who was mentioned, and a mention of someone who
 * was not there is only text.
 *
 * Cost: nothing unless the text holds an `@`; then, per `@`, one lookup of
 * the name index per word boundary within NAME_MAX characters after it.
 */
import type { Member } from "../protocol/frames.ts";

/** Where a name may end: before whitespace or punctuation, or at the end of the text. */
const BOUNDARY = /[\s\p{P}\p{S}]/u;
/** Mentions looked at per message, so a text of @@@@… costs little. */
const MENTIONS_MAX = 20;

/**
 * The ids of the members `text` mentions, in the order first mentioned.
 * `holder` finds the online member whose name has the key of a candidate.
 */
export function mentionsIn(text: string, nameMax: number, holder: (name: string) => Member | undefined): string[] {
  if (!text.includes("@")) return [];
  const ids: string[] = [];
  let looked = 0;
  for (let at = text.indexOf("@"); at >= 0 && looked < MENTIONS_MAX; at = text.indexOf("@", at + 1)) {
    // An @ inside a word (an e-mail address) is not a mention.
    if (at > 0 && !BOUNDARY.test(text[at - 1]!)) continue;
    looked += 1;
    const after = Array.from(text.slice(at + 1, at + 1 + 2 * nameMax)).slice(0, nameMax);
    // The longest candidate that is someone's name wins: "@ann lee" over "@ann".
    for (let end = after.length; end > 0; end--) {
      if (end < after.length && !BOUNDARY.test(after[end]!)) continue;
      const candidate = after.slice(0, end).join("").trim();
      if (candidate === "") continue;
      const member = holder(candidate);
      if (member) {
        if (!ids.includes(member.id)) ids.push(member.id);
        break;
      }
    }
  }
  return ids;
}
