/**
 * The Worker's HTTP API. Static files (the browser client) never get here:
 * Workers Static Assets serves everything except /api/*, /echo and /chat.
 */
import { Router, type IRequest } from "itty-router";
import { takeCreation } from "./creationLimiter.ts";
import { handleEcho } from "./echo.ts";
import { HttpError, json, requireWebSocket } from "./http.ts";
import type { ClaimedRoom, CreatedRoom, RoomInfo } from "../protocol/http.ts";
import { parseRoomAddress } from "../protocol/validate.ts";
import { isFlagSet } from "../shared/flags.ts";
import { log, logPath } from "../shared/log.ts";
import { requireAllowedOrigin } from "./origin.ts";
import { workerLimits } from "./limits.ts";
import { newOwnerKey } from "./ownerKey.ts";
import { createPrivateRoom, resolveRoom } from "./rooms.ts";

type Args = [env: Env, ctx: ExecutionContext];

/** The room `/chat` opens. */
const PLAIN_CHAT_ROOM = "lobby";
const plainChatHelp = (origin: string) => {
  const ws = origin.replace(/^http/, "ws");
  return `This is Parley's plain-text chat (the public room "lobby").
Connect with any WebSocket client and type, e.g.:

  websocat ${ws}/chat?name=alice

Any room works the same way: ${ws}/api/rooms/ROOM/ws?format=text&name=alice
Type /help once connected. The browser app is at ${origin}/
`;
};

export const router = Router<IRequest, Args>({
  catch: (error: unknown, request: IRequest) => {
    const path = logPath(new URL(request.url).pathname);
    if (error instanceof HttpError) {
      log("refused", { path, status: error.status, reason: error.code });
      return error.toResponse();
    }
    log("internal_error", {
      path,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return new HttpError(500, "internal", "something went wrong on our side").toResponse();
  },
  finally: [(response: unknown, request: IRequest) => withNoSniff(response, request)],
});

/**
 * Every /api answer says `X-Content-Type-Options: nosniff`: a JSON body (an
 * error echoing a room name, say) must never be read as a page or a script.
 * A room's own answer (its headers are immutable) is copied to carry it; a
 * 101 upgrade is left alone, since a copy would lose its socket.
 */
function withNoSniff(response: unknown, request: IRequest): unknown {
  if (!(response instanceof Response) || response.status === 101) return response;
  if (!new URL(request.url).pathname.startsWith("/api/")) return response;
  let answer = response;
  try {
    answer.headers.set("X-Content-Type-Options", "nosniff");
  } catch {
    answer = new Response(response.body, response);
    answer.headers.set("X-Content-Type-Options", "nosniff");
  }
  return answer;
}

/** Refuses with 429 when the request's address has created or claimed its share of rooms. */
async function spendCreation(env: Env, request: Request): Promise<void> {
  const decision = await takeCreation(env, request);
  if (decision.allowed) return;
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  throw new HttpError(429, "too_many_requests", `too many rooms from your address; try again in ${seconds} s`, {
    "Retry-After": String(seconds),
  });
}

router
  .get("/api/health", () => json({ ok: true }))

  .post("/api/rooms", async (request: IRequest, env: Env) => {
    await spendCreation(env, request);
    const room = createPrivateRoom(env);
    const ownerKey = newOwnerKey();
    // The creator owns the room from the start: nobody can claim it before them.
    await resolveRoom(env, room).stub.claim(ownerKey);
    const url = `${new URL(request.url).origin}/r/${room}`;
    return json({ room, url, ownerKey } satisfies CreatedRoom, 201, { Location: url });
  })

  .post("/api/rooms/:room/claim", async (request: IRequest, env: Env) => {
    // Checked before a creation is spent: a malformed or private room costs nothing and gets nothing.
    if (parseRoomAddress(request.params.room ?? "")?.kind === "private") {
      throw new HttpError(400, "invalid_room", "a private room is owned by whoever created it; only public rooms can be claimed");
    }
    const { room, stub } = resolveRoom(env, request.params.room);
    await spendCreation(env, request);
    const ownerKey = newOwnerKey();
    if (!(await stub.claim(ownerKey))) throw new HttpError(409, "room_claimed", "this room already has an owner");
    return json({ room, ownerKey } satisfies ClaimedRoom, 201);
  })

  .get("/api/rooms/:room", async (request: IRequest, env: Env) => {
    const { room, private: isPrivate, stub } = resolveRoom(env, request.params.room);
    const info = await stub.info();
    return json({ room, private: isPrivate, ...info } satisfies RoomInfo);
  })

  // Storage rows and work counters for the benchmark; hidden unless EXPOSE_STATS is set.
  .get("/api/rooms/:room/stats", async (request: IRequest, env: Env) => {
    if (!isFlagSet(env.EXPOSE_STATS)) throw new HttpError(404, "not_found", "no such endpoint");
    const { room, stub } = resolveRoom(env, request.params.room);
    return json({ room, ...(await stub.stats()) });
  })

  .get("/api/rooms/:room/ws", (request: IRequest, env: Env) => {
    const { stub } = resolveRoom(env, request.params.room);
    requireWebSocket(request, "this endpoint");
    requireAllowedOrigin(request, env);
    // The router's request is the incoming Request itself (itty-router only
    // adds fields to it): forwarding it as is spares a copy of it and its
    // headers on every join.
    return stub.fetch(request);
  })

  // The classic chat server's socket: the lobby, as plain text (see src/protocol/plainText.ts).
  .get("/chat", (request: IRequest, env: Env) => {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response(plainChatHelp(new URL(request.url).origin), { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
    }
    requireAllowedOrigin(request, env);
    const { stub } = resolveRoom(env, PLAIN_CHAT_ROOM);
    const url = new URL(request.url);
    const target = new URL(`/api/rooms/${PLAIN_CHAT_ROOM}/ws`, url);
    target.searchParams.set("format", "text");
    const name = url.searchParams.get("name");
    if (name !== null) target.searchParams.set("name", name);
    return stub.fetch(new Request(target, request));
  })

  .get("/echo", (request: IRequest, env: Env) => {
    requireWebSocket(request, "/echo");
    requireAllowedOrigin(request, env);
    return handleEcho(workerLimits(env));
  })

  .all("/api/rooms", () => {
    throw new HttpError(405, "method_not_allowed", "use POST to create a room", { Allow: "POST" });
  })
  .all("/api/rooms/:room/claim", () => {
    throw new HttpError(405, "method_not_allowed", "use POST to claim a room", { Allow: "POST" });
  })
  .all("/api/rooms/:room", () => {
    throw new HttpError(405, "method_not_allowed", "rooms are read with GET", { Allow: "GET" });
  })
  .all("*", () => {
    throw new HttpError(404, "not_found", "no such endpoint");
  });
