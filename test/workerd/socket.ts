/** Opening TestSockets inside workerd, through the Worker's real router. */
import { exports } from "cloudflare:workers";
import { portOf, TestSocket, type JoinOptions } from "../support/testSocket.ts";

export { sleep, TestSocket, uniqueRoom } from "../support/testSocket.ts";

export const ORIGIN = "https://parley.test";

/** Opens a socket to a room through `exports.default.fetch`; `query` (e.g. "name=bob") joins in the URL. */
export async function openSocket(room: string, headers: Record<string, string> = {}, query = ""): Promise<TestSocket> {
  const response = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/ws${query ? `?${query}` : ""}`, {
    headers: { Upgrade: "websocket", ...headers },
  });
  const ws = response.webSocket;
  if (!ws) throw new Error(`no WebSocket: HTTP ${response.status} ${await response.text()}`);
  ws.accept();
  ws.binaryType = "arraybuffer";
  return new TestSocket(portOf(ws));
}

/** Opens a socket and joins; resolves with the socket and its welcome. */
export async function join(room: string, name: string, extra: JoinOptions = {}) {
  const socket = await openSocket(room);
  const welcome = await socket.joinAs(name, extra);
  return { socket, welcome };
}
