/** Parley's Worker entry point: the HTTP router, and the room Durable Object class. */
import { router } from "./router.ts";

export { Room } from "../room/Room.ts";

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
