/**
 * What the room page remembers between visits (storage.ts says where): this
 * browser's place in the room (its session, shared by its tabs), so a reload,
 * a restored tab or a second tab joins quietly as the same member and marks
 * what is new since; the name this browser goes by; the room among the
 * recent rooms, under its topic; the owner key, taken from an owner link;
 * where this member left off, for the start page's "3 new" (the room page
 * marks what was seen).
 */
import type { RoomClient } from "../../client/RoomClient.ts";
import { DEFAULT_LIMITS } from "../../protocol/limits.ts";
import { normalizeName, type RoomAddress } from "../../protocol/validate.ts";
import { roomKey } from "../route.ts";
import {
  loadName,
  loadOwnerKey,
  loadSavedSession,
  rememberRoom,
  saveName,
  saveOwnerKey,
  saveSavedSession,
  lastSeenSeq,
  setLeftAtSeq,
  type SavedSession,
} from "../storage.ts";
import type { Resume } from "./connection.ts";

/** Events come in bursts; the tab's place is saved at most this often (and always on pagehide). */
const SAVE_DELAY_MS = 1000;

export class RoomMemory {
  readonly #address: RoomAddress;
  readonly #room: string;
  readonly #client: () => RoomClient | undefined;
  /** Where this tab was before a reload, if it was in this room. */
  readonly #earlier: SavedSession | null;
  /** The last seq shown before the reload, until the first join marks what came after it. */
  #lastSeenBefore: number | undefined;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;

  /** `client` is the page's current room client, whose place is saved. */
  constructor(address: RoomAddress, client: () => RoomClient | undefined) {
    this.#address = address;
    this.#room = roomKey(address);
    this.#client = client;
    this.#earlier = loadSavedSession(this.#room);
    this.#lastSeenBefore = this.#earlier?.lastSeq;
    window.addEventListener("pagehide", () => this.#leaving());
    this.#takeOwnerLink();
  }

  /**
   * An owner link (`/r/<room>#owner=<key>`): the key is kept and the fragment
   * cleared at once, so it is neither left in the address bar nor in the
   * history, nor copied on with the page's address.
   */
  #takeOwnerLink(): void {
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (!fragment.has("owner")) return;
    const key = fragment.get("owner");
    history.replaceState(history.state, "", location.pathname + location.search);
    if (key) saveOwnerKey(this.#room, key);
  }

  /** The owner key this browser holds for the room, if any. */
  get ownerKey(): string | undefined {
    return loadOwnerKey(this.#room) ?? undefined;
  }

  /** The room's owner link, with the key in the fragment (never sent to a server); null without a key. */
  ownerLink(roomUrl: string): string | null {
    const key = this.ownerKey;
    return key ? `${roomUrl}#owner=${encodeURIComponent(key)}` : null;
  }

  /**
   * How to join: as the member this tab was, without `since`: the page starts
   * empty, so it asks for the newest events (and scrolls back for more) rather
   * than a replay that would have nothing above it.
   */
  get resume(): Resume {
    return this.#earlier ? { session: this.#earlier.session } : {};
  }

  /**
   * The name to rejoin with at once: only in a room this browser is already
   * a member of (it holds a session there). A new room offers the
   * remembered name instead (`rememberedName`), and the person may pick
   * another for it.
   */
  get name(): string | null {
    return this.#earlier ? this.rememberedName : null;
  }

  /** The name this browser goes by, if it is one a room would take. */
  get rememberedName(): string | null {
    const name = loadName();
    const checked = name === null ? null : normalizeName(name, DEFAULT_LIMITS.NAME_MAX);
    return checked?.ok ? checked.value : null;
  }

  rememberName(name: string): void {
    saveName(name);
  }

  /**
   * Joined: the room goes to the top of the recent rooms (under `title`, a
   * private room's topic, when it has one). Returns, the first
   * time only, the last seq this tab showed before a reload: what comes after
   * it is new to the reader.
   */
  joined(title?: string): number | undefined {
    rememberRoom(this.#address, title);
    setLeftAtSeq(this.#room, null);
    const lastSeen = this.#lastSeenBefore;
    this.#lastSeenBefore = undefined;
    return lastSeen;
  }

  /** The room's topic changed: the recent rooms list a private room under it. */
  titled(title: string): void {
    if (this.#address.kind === "private") rememberRoom(this.#address, title);
  }

  /** Saves the tab's place a moment from now. */
  saveSoon(): void {
    this.#saveTimer ??= setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  /**
   * The page goes away (a reload, the home link, the tab closed): its place
   * is saved, and where it left off marked (the last seen seq then), since
   * the room will record this member's departure as one more event, which
   * the start page does not count as new to them.
   */
  #leaving(): void {
    const seen = lastSeenSeq(this.#room);
    if (this.#client()?.session && seen !== null) setLeftAtSeq(this.#room, seen);
    this.save();
  }

  /** Saves the tab's place now: the session token and the last event shown. */
  save(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    const client = this.#client();
    if (!client?.session || client.state === "closed") return;
    saveSavedSession(this.#room, client.lastSeq === undefined ? { session: client.session } : { session: client.session, lastSeq: client.lastSeq });
  }
}
