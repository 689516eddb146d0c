/** Opening TestSockets from Node (global WebSocket) against a running server. */
import { portOf, TestSocket, type JoinOptions } from "./testSocket.ts";

export { sleep, TestSocket, uniqueRoom } from "./testSocket.ts";

/** Connects to `ws(s)://…/api/rooms/<room>/ws` of a server at `baseUrl`. */
export function openSocket(baseUrl: string, room: string): Promise<TestSocket> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/api/rooms/${room}/ws`);
  ws.binaryType = "arraybuffer";
  const socket = new TestSocket(portOf(ws));
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(socket), { once: true });
    ws.addEventListener("error", () => reject(new Error(`could not connect to room ${room}`)), { once: true });
  });
}

export async function join(baseUrl: string, room: string, name: string, extra: JoinOptions = {}) {
  const socket = await openSocket(baseUrl, room);
  const welcome = await socket.joinAs(name, extra);
  return { socket, welcome };
}
