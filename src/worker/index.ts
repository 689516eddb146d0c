/** Parley's Worker entry point: the HTTP router, and the Durable Object classes (rooms, and the room-creation limiter). */
import { router } from "./router.ts";

export { Room } from "../room/Room.ts";
export { CreationLimiter } from "./creationLimiter.ts";

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
