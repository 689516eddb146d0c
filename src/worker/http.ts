/** HTTP answers of the API: JSON bodies, and one error shape for every refusal (src/protocol/http.ts). */
import type { HttpErrorBody, HttpErrorCode } from "../protocol/http.ts";
import { isWebSocketUpgrade } from "../shared/websocket.ts";

/** A refusal; thrown by a route and turned into its JSON answer by the router. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly headers: HeadersInit | undefined;

  constructor(status: number, code: HttpErrorCode, message: string, headers?: HeadersInit) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  toResponse(): Response {
    const body: HttpErrorBody = { error: { code: this.code, message: this.message } };
    return json(body, this.status, this.headers);
  }
}

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const response = Response.json(body, { status, headers });
  response.headers.set("Cache-Control", "no-store");
  return response;
}

/** Refuses anything but a WebSocket upgrade, with 426 as RFC 7231 asks. */
export function requireWebSocket(request: Request, what: string): void {
  if (!isWebSocketUpgrade(request)) {
    throw new HttpError(426, "upgrade_required", `${what} speaks WebSocket: send Upgrade: websocket`, {
      Upgrade: "websocket",
    });
  }
}
