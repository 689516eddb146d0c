/**
 * The command line: `parley <room | room link | owner link> [--name NAME]
 * [--url URL] [--owner-key KEY] [--json] [--quiet] [--timeout SECONDS]`. Parsed with `util.parseArgs` (built into
 * Node: strict, with short aliases, `--opt=value` and `--`); what it cannot
 * check (the room, the name, the URL) is checked here with the protocol's own
 * rules, so a mistake is reported before anything connects.
 */
import { parseArgs } from "node:util";
import { DEFAULT_LIMITS } from "../protocol/limits.ts";
import { normalizeName, parseRoomAddress, ROOM_NAME_RULE } from "../protocol/validate.ts";

export const DEFAULT_URL = "http://localhost:8787";
export const DEFAULT_TIMEOUT_S = 30;

export interface CliOptions {
  /** The server's origin, http(s)://host[:port]. */
  baseUrl: string;
  /** The room as the server knows it: a lower-case public name or a 64-hex private id. */
  room: string;
  name: string;
  json: boolean;
  /** Join to read: the room announces no join, leave or rename for us and lists us nowhere (protocol "Quiet joins"). */
  quiet: boolean;
  /** How long to wait to join, and for acknowledgements before leaving. */
  timeoutMs: number;
  /** Secret: join as the room's owner. From --owner-key, PARLEY_OWNER_KEY or an owner link; sent in the join frame only. */
  ownerKey?: string;
  /** A message link's `#m<seq>`: show that message in context once joined. */
  linkedSeq?: number;
}

export type ParsedArgs = { kind: "help" } | { kind: "run"; options: CliOptions } | { kind: "usage"; message: string };

const OPTIONS = {
  name: { type: "string", short: "n" },
  url: { type: "string", short: "u" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  timeout: { type: "string", short: "t" },
  "owner-key": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The shape of an owner key, as the room's join validation accepts it (src/protocol/validate.ts). */
const OWNER_KEY_PATTERN = /^[\x21-\x7e]{8,256}$/;

/**
 * Reads the command line; `env` may hold PARLEY_OWNER_KEY (kept out of the
 * process list, which other users of the machine can read).
 */
export function parseCliArgs(
  argv: readonly string[],
  defaultName: string,
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return usage(argumentError(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (positionals.length === 0) return usage("which room? give a room name or a room link");
  if (positionals.length > 1) return usage(`one room at a time (got ${positionals.map((p) => `"${p.replace(/#.*/s, "#…")}"`).join(" ")})`);

  const target = resolveTarget(positionals[0]!, values.url);
  if ("error" in target) return usage(target.error);
  const keys = [target.ownerKey, values["owner-key"], env.PARLEY_OWNER_KEY].filter((k): k is string => k !== undefined && k !== "");
  const ownerKey = keys[0];
  // Never echo a key: a message may end up in a shared terminal or a CI log.
  if (ownerKey !== undefined && !OWNER_KEY_PATTERN.test(ownerKey)) {
    return usage("the owner key is not valid (8-256 printable characters without spaces); check the owner link or --owner-key");
  }
  if (new Set(keys).size > 1) return usage("two different owner keys given (owner link, --owner-key, PARLEY_OWNER_KEY): give one");

  const name = normalizeName(values.name ?? defaultName, DEFAULT_LIMITS.NAME_MAX);
  if (!name.ok) return usage(`invalid name: ${name.error.message}`);

  let timeoutMs = DEFAULT_TIMEOUT_S * 1000;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (values.timeout.trim() === "" || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
      return usage(`--timeout takes a number of seconds greater than 0 (got "${values.timeout}")`);
    }
    timeoutMs = Math.round(seconds * 1000);
  }
  return {
    kind: "run",
    options: {
      baseUrl: target.baseUrl,
      room: target.room,
      name: name.value,
      json: values.json === true,
      quiet: values.quiet === true,
      timeoutMs,
      ...(ownerKey === undefined ? {} : { ownerKey }),
      ...(target.linkedSeq === undefined ? {} : { linkedSeq: target.linkedSeq }),
    },
  };
}

const usage = (message: string): ParsedArgs => ({ kind: "usage", message });

/** util.parseArgs' messages on one line; "unknown option" without its lecture on positionals. */
function argumentError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  if (unknown) return `unknown option '${unknown[1]}'`;
  return message.replace(/\s*\n\s*/g, " ");
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** Paths that name a room in a link: the room page, the room API, its socket. */
const ROOM_PATH = /^\/(?:r|api\/rooms)\/([^/]+)(?:\/ws)?\/?$/;
/** A message link's fragment, as the browser copies it: `m` and the message's seq. */
const MESSAGE_FRAGMENT = /^m([1-9]\d{0,14})$/;

/**
 * The server and room from the positional argument and `--url`. The argument
 * is a room name or a room link as people share them
 * (`https://host/r/<room>`); a link carries its own server, an owner
 * link (`https://host/r/<room>#owner=<key>`) the room's owner key too, and
 * a message link (`https://host/r/<room>#m42`, the browser's "Copy link")
 * the message to show. Messages never repeat a link's fragment: it may be a key.
 */
export function resolveTarget(
  arg: string,
  urlOption: string | undefined,
): { baseUrl: string; room: string; ownerKey?: string; linkedSeq?: number } | { error: string } {
  let baseUrl: string;
  let roomRaw: string;
  let ownerKey: string | undefined;
  let linkedSeq: number | undefined;
  if (HAS_SCHEME.test(arg)) {
    if (urlOption !== undefined) return { error: "give either a room link or --url, not both" };
    const hash = arg.indexOf("#");
    const shown = hash === -1 ? arg : `${arg.slice(0, hash)}#…`;
    const url = parseServerUrl(hash === -1 ? arg : arg.slice(0, hash), "room link");
    if ("error" in url) return url;
    if (hash !== -1) {
      const fragment = arg.slice(hash + 1);
      const message = MESSAGE_FRAGMENT.exec(fragment);
      if (message) linkedSeq = Number(message[1]);
      else ownerKey = new URLSearchParams(fragment).get("owner") ?? undefined;
      if (ownerKey === undefined && linkedSeq === undefined) {
        return { error: `"${shown}" is not a room link: the part after # is neither a message (#m42) nor an owner key (#owner=…)` };
      }
    }
    const match = ROOM_PATH.exec(url.url.pathname);
    if (!match) return { error: `"${shown}" is not a room link; a link looks like ${url.url.origin}/r/<room>` };
    baseUrl = url.url.origin;
    try {
      roomRaw = decodeURIComponent(match[1]!);
    } catch {
      return { error: `"${shown}" is not a room link: the room part is not valid` };
    }
  } else {
    const url = parseServerUrl(urlOption ?? DEFAULT_URL, "--url");
    if ("error" in url) return url;
    if (url.url.pathname !== "/" || url.url.search !== "" || url.url.hash !== "") {
      const hint = ROOM_PATH.test(url.url.pathname) ? "; to join a room by its link, give the link instead of a room name" : "";
      return { error: `--url takes the server's address without a path, like ${url.url.origin}${hint}` };
    }
    baseUrl = url.url.origin;
    roomRaw = arg;
  }
  const room = parseRoomAddress(roomRaw);
  if (!room) return { error: `invalid room "${roomRaw}": ${ROOM_NAME_RULE}, or a private room's 64-character hex id` };
  return {
    baseUrl,
    room: room.kind === "public" ? room.name : room.id,
    ...(ownerKey === undefined ? {} : { ownerKey }),
    ...(linkedSeq === undefined ? {} : { linkedSeq }),
  };
}

/** An http(s) URL (ws(s) is taken as the same server); anything else is an error. */
function parseServerUrl(raw: string, what: string): { url: URL } | { error: string } {
  if (!HAS_SCHEME.test(raw)) return { error: `${what} needs http:// or https:// (got "${raw}"), e.g. ${DEFAULT_URL}` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: `${what} is not a valid URL: "${raw}"` };
  }
  if (url.protocol === "ws:" || url.protocol === "wss:") {
    url = new URL(raw.replace(/^ws/i, "http"));
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { error: `${what} must be http:// or https:// (got ${url.protocol}//)` };
  }
  if (url.username !== "" || url.password !== "") return { error: `${what} must not contain a user name or password` };
  return { url };
}
