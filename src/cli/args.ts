/**
 * The command line: `parley <room | room link> [--name NAME] [--url URL]
 * [--json] [--timeout SECONDS]`. Parsed with `util.parseArgs` (built into
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
  /** How long to wait to join, and for acknowledgements before leaving. */
  timeoutMs: number;
}

export type ParsedArgs = { kind: "help" } | { kind: "run"; options: CliOptions } | { kind: "usage"; message: string };

const OPTIONS = {
  name: { type: "string", short: "n" },
  url: { type: "string", short: "u" },
  json: { type: "boolean" },
  timeout: { type: "string", short: "t" },
  help: { type: "boolean", short: "h" },
} as const;

export function parseCliArgs(argv: readonly string[], defaultName: string): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return usage(argumentError(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (positionals.length === 0) return usage("which room? give a room name or a room link");
  if (positionals.length > 1) return usage(`one room at a time (got ${positionals.map((p) => `"${p}"`).join(" ")})`);

  const target = resolveTarget(positionals[0]!, values.url);
  if ("error" in target) return usage(target.error);

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
    options: { ...target, name: name.value, json: values.json === true, timeoutMs },
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

/**
 * The server and room from the positional argument and `--url`. The argument
 * is a room name or a room link as people share them
 * (`https://host/r/<room>`); a link carries its own server.
 */
export function resolveTarget(arg: string, urlOption: string | undefined): { baseUrl: string; room: string } | { error: string } {
  let baseUrl: string;
  let roomRaw: string;
  if (HAS_SCHEME.test(arg)) {
    if (urlOption !== undefined) return { error: "give either a room link or --url, not both" };
    const url = parseServerUrl(arg, "room link");
    if ("error" in url) return url;
    const match = ROOM_PATH.exec(url.url.pathname);
    if (!match) return { error: `"${arg}" is not a room link; a link looks like ${url.url.origin}/r/<room>` };
    baseUrl = url.url.origin;
    try {
      roomRaw = decodeURIComponent(match[1]!);
    } catch {
      return { error: `"${arg}" is not a room link: the room part is not valid` };
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
  return { baseUrl, room: room.kind === "public" ? room.name : room.id };
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
