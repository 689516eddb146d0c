/**
 * The Worker's HTTP API. Static files (the browser client) never get here:
 * Workers Static Assets serves everything except /api/* and /echo.
 */
import { Router, type IRequest } from "itty-router";
import { handleEcho } from "./echo.ts";
import { HttpError, json, requireWebSocket } from "./http.ts";
import { log } from "./log.ts";
import { isOriginAllowed } from "./origin.ts";
import { createPrivateRoom, resolveRoom } from "./rooms.ts";

type Args = [env: Env, ctx: ExecutionContext];

export const router = Router<IRequest, Args>({
  catch: (error: unknown, request: IRequest) => {
    const path = new URL(request.url).pathname;
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
});

router
  .get("/api/health", () => json({ ok: true }))

  .post("/api/rooms", (request: IRequest, env: Env) => {
    const room = createPrivateRoom(env);
    const url = `${new URL(request.url).origin}/r/${room}`;
    return json({ room, url }, 201, { Location: url });
  })

  .get("/api/rooms/:room", async (request: IRequest, env: Env) => {
    const { room, private: isPrivate, stub } = resolveRoom(env, request.params.room);
    const info = await stub.info();
    return json({ room, private: isPrivate, ...info });
  })

  // Storage rows and work counters for the benchmark; hidden unless EXPOSE_STATS is set.
  .get("/api/rooms/:room/stats", async (request: IRequest, env: Env) => {
    if (!isEnabled(env.EXPOSE_STATS)) throw new HttpError(404, "not_found", "no such endpoint");
    const { room, stub } = resolveRoom(env, request.params.room);
    return json({ room, ...(await stub.stats()) });
  })

  .get("/api/rooms/:room/ws", (request: IRequest, env: Env) => {
    const { stub } = resolveRoom(env, request.params.room);
    requireWebSocket(request, "this endpoint");
    if (!isOriginAllowed(request, env.ALLOWED_ORIGINS)) {
      throw new HttpError(403, "origin_forbidden", "WebSocket connections from this origin are not allowed");
    }
    // The router's request is the incoming Request itself (itty-router only
    // adds fields to it): forwarding it as is spares a copy of it and its
    // headers on every join.
    return stub.fetch(request);
  })

  .get("/echo", (request: IRequest) => {
    requireWebSocket(request, "/echo");
    return handleEcho();
  })

  .all("/api/rooms", () => {
    throw new HttpError(405, "method_not_allowed", "use POST to create a room", { Allow: "POST" });
  })
  .all("/api/rooms/:room", () => {
    throw new HttpError(405, "method_not_allowed", "rooms are read with GET", { Allow: "GET" });
  })
  .all("*", () => {
    throw new HttpError(404, "not_found", "no such endpoint");
  });

function isEnabled(flag: string | number | boolean | undefined): boolean {
  return flag === true || flag === 1 || flag === "1" || flag === "true";
}
