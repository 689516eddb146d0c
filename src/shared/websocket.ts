/** WebSocket helpers the Worker and the room both use. */

/** Whether a request asks to become a WebSocket (the router checks it, and the room again). */
export function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get("Upgrade")?.toLowerCase() === "websocket";
}
