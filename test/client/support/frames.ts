/** Server frames for client unit tests, with defaults that keep each test short. */
import type {
  AdvertisedLimits,
  JoinedEvent,
  LeftEvent,
  Member,
  MessageEvent,
  RenamedEvent,
  RoomEvent,
  WelcomeFrame,
} from "../../../src/protocol/frames.ts";
import { DEFAULT_ADVERTISED_LIMITS } from "../../../src/protocol/limits.ts";

export const alice: Member = { id: "a11ce", name: "alice" };
export const bob: Member = { id: "b0b", name: "bob" };
export const carol: Member = { id: "ca201", name: "carol" };

/** Pacing that never holds anything back in a test that is not about pacing. */
export const UNPACED: AdvertisedLimits = { ...DEFAULT_ADVERTISED_LIMITS, rateBurst: 10_000, ratePerSecond: 10_000 };

/**
 * A welcome for `self` (alice unless said): everyone in `members` online,
 * `lastSeq` the last event's seq unless given.
 */
export function welcome(fields: Partial<WelcomeFrame> = {}): WelcomeFrame {
  const self = fields.self ?? alice;
  const members = fields.members ?? (fields.crowd ? [] : [self]);
  const events = fields.events ?? [];
  return {
    type: "welcome",
    protocol: 1,
    room: "lobby",
    self,
    session: "token-1",
    members,
    online: members.length,
    events,
    lastSeq: events.at(-1)?.seq ?? 0,
    hasMore: false,
    settings: { topic: "", slowModeSeconds: 0, locked: false },
    limits: UNPACED,
    ...fields,
  };
}

const TS = 1_700_000_000_000;

export const message = (seq: number, from: Member, text: string, id?: string): MessageEvent => ({
  type: "message",
  seq,
  ts: TS + seq,
  from,
  text,
  ...(id === undefined ? {} : { id }),
});
export const joined = (seq: number, member: Member): JoinedEvent => ({ type: "joined", seq, ts: TS + seq, member });
export const left = (seq: number, member: Member): LeftEvent => ({ type: "left", seq, ts: TS + seq, member });
export const renamed = (seq: number, member: Member, from: string): RenamedEvent => ({ type: "renamed", seq, ts: TS + seq, member, from });

/** Messages from `from` with seqs `first`..`last`, texts `m<seq>`. */
export function messages(first: number, last: number, from: Member = bob): RoomEvent[] {
  return Array.from({ length: last - first + 1 }, (_, i) => message(first + i, from, `m${first + i}`));
}

/** An event of a type this client does not know, as a newer server would send it. */
export const unknownEventJson = (seq: number) => JSON.stringify({ type: "poll", seq, ts: TS + seq, question: "lunch?" });
