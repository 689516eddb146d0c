import { HttpError } from "./http.ts";

/**
 * Cross-site WebSocket hijacking guard. Browsers always send `Origin` on a
 * WebSocket upgrade, and cookies or not, a page on another site must not be
 * able to join rooms as its visitors. Same origin is always allowed, plus any
 * origins listed in ALLOWED_ORIGINS (comma-separated). Requests without an
 * Origin header come from non-browser clients (the CLI) and are allowed.
 */
export function isOriginAllowed(request: Request, allowedOrigins: string | undefined): boolean {
  const origin = request.headers.get("Origin");
  if (origin === null) return true;
  if (origin === new URL(request.url).origin) return true;
  return (allowedOrigins ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .some((allowed) => allowed !== "" && allowed === origin);
}

/** Refuses a WebSocket upgrade from a page on another site with 403 (see `isOriginAllowed`). */
export function requireAllowedOrigin(request: Request, env: Pick<Env, "ALLOWED_ORIGINS">): void {
  if (!isOriginAllowed(request, env.ALLOWED_ORIGINS)) {
    throw new HttpError(403, "origin_forbidden", "WebSocket connections from this origin are not allowed");
  }
}
