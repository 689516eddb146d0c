/**
 * Finding the member a command names (`/kick bob spam`, `/ban "Bob Smith" 30`)
 * among the people online. Names are unique in a room by their key (the
 * room folds case, compatibility forms, invisible characters and look-alikes),
 * so "ALICE" or "ａｌｉｃｅ" typed finds alice, and a name with spaces needs
 * no quotes: the longest run of words that is someone's name wins.
 */
import type { Member } from "../../protocol/frames.ts";
import { nameKey } from "../../protocol/nameKey.ts";

export type MemberLookup =
  /** `rest`: what follows the name (a duration, a reason), trimmed. */
  | { kind: "found"; member: Member; rest: string }
  /** Nobody online has the name; `name` is what was taken for one (the first word, or the quoted part). */
  | { kind: "unknown"; name: string };

/** The member named at the start of `argument` (`@` before the name and quotes around it are allowed). */
export function findMember(argument: string, members: readonly Member[]): MemberLookup {
  const text = argument.trim();
  const quoted = /^@?"([^"]+)"\s*([\s\S]*)$/.exec(text);
  if (quoted) {
    const member = byName(quoted[1]!, members);
    return member ? { kind: "found", member, rest: quoted[2]!.trim() } : { kind: "unknown", name: quoted[1]! };
  }
  const bare = text.startsWith("@") ? text.slice(1) : text;
  const words = bare.split(/\s+/);
  for (let n = words.length; n >= 1; n--) {
    const member = byName(words.slice(0, n).join(" "), members);
    if (member) return { kind: "found", member, rest: words.slice(n).join(" ") };
  }
  return { kind: "unknown", name: words[0] ?? "" };
}

function byName(name: string, members: readonly Member[]): Member | undefined {
  const key = nameKey(name);
  if (key === "") return undefined;
  return members.find((m) => nameKey(m.name) === key);
}
