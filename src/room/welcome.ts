/**
 * The frames that welcome a joining member: the welcome itself, carrying the
 * replay (the newest events, or everything after `since`), and the rest of a
 * long replay in `events` frames. Stored events and the member list are
 * spliced in as the JSON they already are, never re-encoded.
 */
import { encodeMembers, eventArray, eventsFrame, welcomeFrame, type EventJson, type Json, type WelcomeHead } from "../protocol/encode.ts";
import { PROTOCOL_VERSION, type AdvertisedLimits, type Member, type RoomEvent, type RoomSettings, type ServerFrame } from "../protocol/frames.ts";
import { REPLAY_CHUNK, WELCOME_EVENTS } from "../protocol/limits.ts";
import type { EventLog, StoredEvent } from "./eventLog.ts";

export interface Joiner {
  self: Member;
  session: string;
  /** The join's `since`: replay what came after it. */
  since: number | undefined;
  /** The room's newest seq before this join stored anything (its own joined event comes after). */
  lastSeqBefore: number;
  settings: RoomSettings;
}

/** Who is here, as the welcome tells it. */
export interface WelcomePresence {
  online: number;
  /** Everyone, as JSON; null in a crowd, whose welcome lists nobody. */
  members: Json<Member[]> | null;
}

/** How much one welcome may replay: events, and bytes (measured as JSON characters). */
export interface ReplayBudget {
  maxEvents: number;
  maxBytes: number;
}

export class Welcomes {
  readonly #room: string;
  readonly #events: EventLog;
  readonly #limits: AdvertisedLimits;
  /** The newest events' JSON, joined once per seq: a crowd's join storm adds no events, so it is reused. */
  #newest: { first: number; last: number; json: Json<RoomEvent[]> } | null = null;

  constructor(room: string, events: EventLog, limits: AdvertisedLimits) {
    this.#room = room;
    this.#events = events;
    this.#limits = limits;
  }

  /**
   * The welcome, then the `events` frames of a replay longer than one frame,
   * and the bytes of replayed events they carry. The replay is capped by
   * `budget` (events and bytes): a replay after `since` that stops short of
   * the newest event says `more`, and the client pages on with `history`
   * `after`; a welcome without `since` keeps the newest events that fit.
   */
  frames(joiner: Joiner, presence: WelcomePresence, budget: ReplayBudget): { frames: Json<ServerFrame>[]; bytes: number } {
    const events = this.#events;
    const { since, lastSeqBefore } = joiner;
    const head: WelcomeHead = {
      type: "welcome",
      protocol: PROTOCOL_VERSION,
      room: this.#room,
      self: joiner.self,
      session: joiner.session,
      lastSeq: events.lastSeq,
      hasMore: false,
      settings: joiner.settings,
      limits: this.#limits,
    };
    let replay: StoredEvent[];
    let bytes: number;
    const newest = since === undefined || since > lastSeqBefore;
    if (newest) {
      if (since !== undefined) head.reset = true;
      [replay, bytes] = fitNewest(events.newest(WELCOME_EVENTS), budget);
    } else {
      if (since + 1 < events.oldestSeq) {
        head.truncated = true;
        head.oldestSeq = events.oldestSeq;
      }
      [replay, bytes] = fitOldest(events.after(since, budget.maxEvents), budget.maxBytes);
      const through = replay.at(-1)?.seq ?? Math.max(since, events.oldestSeq - 1);
      if (through < events.lastSeq) {
        head.more = true;
        head.replayThrough = through;
      }
    }
    // Older history exists before where the replay starts (or would start).
    const replayStart = replay[0]?.seq ?? (since !== undefined && !head.reset ? since + 1 : events.lastSeq + 1);
    head.hasMore = replayStart > events.oldestSeq;
    if (presence.members === null) head.crowd = true;

    const first = newest ? this.#newestJson(replay) : eventArray(replay, 0, REPLAY_CHUNK);
    const frames: Json<ServerFrame>[] = [welcomeFrame(head, presence.online, presence.members ?? NOBODY, first)];
    for (let start = REPLAY_CHUNK; start < replay.length; start += REPLAY_CHUNK) {
      frames.push(eventsFrame(eventArray(replay, start, start + REPLAY_CHUNK)));
    }
    return { frames, bytes };
  }

  #newestJson(newest: readonly { seq: number; json: EventJson }[]): Json<RoomEvent[]> {
    const first = newest[0]?.seq ?? 0;
    const last = newest.at(-1)?.seq ?? 0;
    if (this.#newest?.first !== first || this.#newest.last !== last) this.#newest = { first, last, json: eventArray(newest) };
    return this.#newest.json;
  }
}

const NOBODY = encodeMembers([]);

/** The oldest events that fit in `maxBytes`, and their bytes. */
function fitOldest(events: StoredEvent[], maxBytes: number): [StoredEvent[], number] {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    const next = bytes + events[i]!.json.length;
    if (next > maxBytes) return [events.slice(0, i), bytes];
    bytes = next;
  }
  return [events, bytes];
}

/** The newest events that fit the budget, and their bytes. */
function fitNewest(events: StoredEvent[], budget: ReplayBudget): [StoredEvent[], number] {
  let bytes = 0;
  let start = events.length;
  while (start > 0 && events.length - start < budget.maxEvents) {
    const next = bytes + events[start - 1]!.json.length;
    if (next > budget.maxBytes) break;
    bytes = next;
    start -= 1;
  }
  return [start === 0 ? events : events.slice(start), bytes];
}
