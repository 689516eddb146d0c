/** Opening TestSockets inside workerd, through the Worker's real router. */
import { env, exports } from "cloudflare:workers";
import { portOf, TestSocket, uniqueRoom, type JoinOptions } from "../support/testSocket.ts";

export { sleep, TestSocket, uniqueRoom } from "../support/testSocket.ts";

export const ORIGIN = "https://parley.test";

let clients = 0;
/**
 * A client address of its own for each socket, unless a test gives one
 * (`CF-Connecting-IP`): the people in a test are different people, and the
 * room limits what one address may do (test/room/addresses.test.ts).
 */
const nextAddress = () => {
  clients += 1;
  return `10.${(clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}`;
};

/** Opens a socket to a room through `exports.default.fetch`; `query` (e.g. "name=bob") joins in the URL. */
export async function openSocket(room: string, headers: Record<string, string> = {}, query = ""): Promise<TestSocket> {
  const response = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/ws${query ? `?${query}` : ""}`, {
    headers: { Upgrade: "websocket", "CF-Connecting-IP": nextAddress(), ...headers },
  });
  const ws = response.webSocket;
  if (!ws) throw new Error(`no WebSocket: HTTP ${response.status} ${await response.text()}`);
  ws.accept();
  ws.binaryType = "arraybuffer";
  return new TestSocket(portOf(ws));
}

/** Opens a socket and joins; resolves with the socket and its welcome. `address` is the client's CF-Connecting-IP. */
export async function join(room: string, name: string, extra: JoinOptions & { address?: string } = {}) {
  const { address, ...joinOptions } = extra;
  const socket = await openSocket(room, address === undefined ? {} : { "CF-Connecting-IP": address });
  const welcome = await socket.joinAs(name, joinOptions);
  return { socket, welcome };
}

/** Makes `key` the owner key of a public room (the Worker does this on creation or claim). */
export async function claimRoom(room: string, key = "owner-key-" + crypto.randomUUID()): Promise<string> {
  const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
  if (!(await stub.claim(key))) throw new Error(`room ${room} already has an owner`);
  return key;
}

/** A room with an owner online: the owner's socket, welcome and key. */
export async function ownedRoom(prefix = "owned") {
  const room = uniqueRoom(prefix);
  const key = await claimRoom(room);
  const owner = await join(room, "olivia", { ownerKey: key });
  return { room, key, owner };
}
