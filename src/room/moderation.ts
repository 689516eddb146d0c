/**
 * What the room's owners can do: kick and ban members, list and lift bans,
 * change the settings, and page through everyone online (crowds included).
 * Every action checks that its sender is an owner first (a member gets
 * `forbidden` and nothing changes), and every change is a stored event, so
 * live clients, resumes and history all tell it.
 */
import { bansFrame, errorFrame, membersFrame, type Json } from "../protocol/encode.ts";
import {
  CLOSE_CODES,
  type BanFrame,
  type KickFrame,
  type Member,
  type MembersRequestFrame,
  type RoomSettings,
  type ServerFrame,
  type SettingsFrame,
  type UnbanFrame,
} from "../protocol/frames.ts";
import { MEMBERS_PAGE_MAX } from "../protocol/limits.ts";
import type { Bans } from "./bans.ts";
import { banOf } from "./bans.ts";
import type { Broadcaster } from "./broadcaster.ts";
import type { Connections } from "./connections.ts";
import type { EventLog } from "./eventLog.ts";
import type { Presence } from "./presence.ts";
import type { Settings } from "./settings.ts";

export interface ModerationParts {
  events: EventLog;
  presence: Presence;
  conns: Connections;
  broadcaster: Broadcaster;
  bans: Bans;
  settings: Settings;
  /** Closes every socket of a session with `code` and ends the member at once (their `left` follows). */
  remove(session: string, code: number, reason: string): void;
  /** A fresh id for a ban. */
  newId(): string;
}

type Reply = Json<ServerFrame> | undefined;

const NOT_OWNER = "only the room's owners can do that";

export class Moderation {
  readonly #p: ModerationParts;

  constructor(parts: ModerationParts) {
    this.#p = parts;
  }

  /** Closes a member's sockets (4003); they may join again. */
  kick(by: Member, frame: KickFrame): Reply {
    if (by.role !== "owner") return errorFrame("forbidden", NOT_OWNER);
    const target = this.#target(by, frame.member);
    if (typeof target === "string") return target;
    const { session, member } = target;
    this.#p.broadcaster.publish(
      this.#p.events.append((seq, ts) => ({ type: "kicked", seq, ts, member, by, ...(frame.reason === undefined ? {} : { reason: frame.reason }) })),
    );
    this.#p.remove(session, CLOSE_CODES.kicked, closeReason(`kicked by ${by.name}`, frame.reason));
    return undefined;
  }

  /** Closes a member's sockets (4004) and refuses their session and addresses until the ban ends. */
  ban(by: Member, frame: BanFrame): Reply {
    if (by.role !== "owner") return errorFrame("forbidden", NOT_OWNER);
    const target = this.#target(by, frame.member);
    if (typeof target === "string") return target;
    const { session, member } = target;
    const now = Date.now();
    const ban = banOf(this.#p.newId(), member, by, now, frame.minutes, frame.reason);
    const addresses = new Set<string>();
    const known = this.#p.presence.get(session)?.address;
    if (known) addresses.add(known);
    for (const ws of this.#p.conns.socketsOf(session)) {
      const address = this.#p.conns.get(ws)?.address;
      if (address) addresses.add(address);
    }
    this.#p.bans.add(ban, session, [...addresses]);
    this.#p.broadcaster.publish(
      this.#p.events.append((seq, ts) => ({
        type: "banned",
        seq,
        ts,
        member,
        by,
        ...(frame.reason === undefined ? {} : { reason: frame.reason }),
        ...(ban.until === undefined ? {} : { until: ban.until }),
      })),
    );
    this.#p.remove(session, CLOSE_CODES.banned, closeReason(`banned by ${by.name}`, frame.reason));
    return undefined;
  }

  /** The bans in force. */
  bans(by: Member): Reply {
    if (by.role !== "owner") return errorFrame("forbidden", NOT_OWNER);
    return bansFrame(this.#p.bans.list(Date.now()));
  }

  /** Lifts a ban; answers with the bans still in force. */
  unban(by: Member, frame: UnbanFrame): Reply {
    if (by.role !== "owner") return errorFrame("forbidden", NOT_OWNER);
    if (!this.#p.bans.remove(frame.ban)) return errorFrame("not_found", "there is no such ban (it may have ended)");
    return bansFrame(this.#p.bans.list(Date.now()));
  }

  /** Changes the settings and tells everyone, with all of them as they are now. */
  settings(by: Member, frame: SettingsFrame): Reply {
    if (by.role !== "owner") return errorFrame("forbidden", NOT_OWNER);
    const changes: Partial<RoomSettings> = {};
    if (frame.topic !== undefined) changes.topic = frame.topic;
    if (frame.slowModeSeconds !== undefined) changes.slowModeSeconds = frame.slowModeSeconds;
    if (frame.locked !== undefined) changes.locked = frame.locked;
    const current = this.#p.settings.update(changes);
    this.#p.broadcaster.publish(this.#p.events.append((seq, ts) => ({ type: "settings", seq, ts, ...current, by })));
    return undefined;
  }

  /** A page of everyone online, in joining order. */
  members(by: Member, frame: MembersRequestFrame): Reply {
    if (by.role !== "owner") return errorFrame("forbidden", NOT_OWNER);
    const { members, next } = this.#p.presence.page(frame.after, frame.limit ?? MEMBERS_PAGE_MAX);
    return membersFrame(members, this.#p.presence.size, next);
  }

  /** The session and member an owner's action is about, or the error frame to answer with. */
  #target(by: Member, memberId: string): { session: string; member: Member } | Json<ServerFrame> {
    if (memberId === by.id) return errorFrame("bad_request", "you cannot do that to yourself");
    const session = this.#p.presence.sessionOf(memberId);
    const member = session === undefined ? undefined : this.#p.presence.get(session)?.member;
    if (session === undefined || !member) return errorFrame("not_found", "no such member online");
    // Owners share one key: one of them removing another would only start a fight the key settles anyway.
    if (member.role === "owner") return errorFrame("forbidden", "owners cannot be kicked or banned");
    return { session, member };
  }
}

/** A close reason a person can read, within the 123 bytes a close frame allows. */
function closeReason(what: string, reason: string | undefined): string {
  const full = reason === undefined ? what : `${what}: ${reason}`;
  const bytes = new TextEncoder().encode(full);
  if (bytes.length <= 123) return full;
  return `${new TextDecoder().decode(bytes.slice(0, 120)).replace(/\uFFFD+$/, "")}…`;
}
