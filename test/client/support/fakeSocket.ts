/**
 * A WebSocket double for unit tests of the client layers, with the test as
 * the server. The client side behaves like a browser WebSocket (readyState,
 * open/message/close/error events, `send` throwing while connecting and
 * discarding once closing, a close event after `close()` that comes later,
 * not during the call); the server side is what a test does: accept, push
 * frames, drop the connection, close it with a code.
 */
import type { SocketLike } from "../../../src/client/transport.ts";
import { encodeServerFrame, type Json } from "../../../src/protocol/encode.ts";
import { KEEPALIVE, type ClientFrame, type ServerFrame } from "../../../src/protocol/frames.ts";

type OpenListener = () => void;
type MessageListener = (event: { data: unknown }) => void;
type CloseListener = (event: { code: number; reason: string }) => void;

export class FakeSocket implements SocketLike {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readonly url: string;
  readyState = FakeSocket.CONNECTING;
  /** Every text the client sent, in order, pings included. */
  readonly sent: string[] = [];
  /** How the client closed this socket, if it did. */
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined;
  readonly #open: OpenListener[] = [];
  readonly #error: OpenListener[] = [];
  readonly #message: MessageListener[] = [];
  readonly #close: CloseListener[] = [];

  constructor(url: string) {
    this.url = url;
  }

  // -- the client's side ---------------------------------------------------

  addEventListener(type: "open" | "error", listener: () => void): void;
  addEventListener(type: "message", listener: MessageListener): void;
  addEventListener(type: "close", listener: CloseListener): void;
  addEventListener(type: "open" | "error" | "message" | "close", listener: OpenListener | MessageListener | CloseListener): void {
    if (type === "open") this.#open.push(listener as OpenListener);
    else if (type === "error") this.#error.push(listener as OpenListener);
    else if (type === "message") this.#message.push(listener as MessageListener);
    else this.#close.push(listener as CloseListener);
  }

  send(data: string): void {
    if (this.readyState === FakeSocket.CONNECTING) throw new DOMException("Still in CONNECTING state.", "InvalidStateError");
    // A browser discards what is sent on a closing socket, silently.
    if (this.readyState === FakeSocket.OPEN) this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState === FakeSocket.CLOSING || this.readyState === FakeSocket.CLOSED) return;
    this.closedByClient = { code, reason };
    this.readyState = FakeSocket.CLOSING;
    // The close event comes later, as the closing handshake's answer would.
    queueMicrotask(() => this.#closed(code ?? 1005, reason ?? ""));
  }

  // -- the server's side ---------------------------------------------------

  /** The handshake succeeds: the client hears `open`. */
  accept(): this {
    this.readyState = FakeSocket.OPEN;
    for (const listener of [...this.#open]) listener();
    return this;
  }

  /** Sends a frame to the client, made by the protocol's own encoders. */
  push(frame: ServerFrame): this {
    return this.pushText(encodeServerFrame(frame));
  }

  /** Sends any text (a frame from a newer server, a malformed one, `pong`). */
  pushText(text: Json<ServerFrame> | string): this {
    if (this.readyState !== FakeSocket.OPEN) throw new Error(`pushing on a socket in state ${this.readyState}`);
    for (const listener of [...this.#message]) listener({ data: text });
    return this;
  }

  /** Sends a binary frame, which the protocol never uses. */
  pushBinary(): this {
    for (const listener of [...this.#message]) listener({ data: new ArrayBuffer(4) });
    return this;
  }

  /** Answers the keep-alive, as the runtime does. */
  pong(): this {
    return this.pushText(KEEPALIVE.pong);
  }

  /** The network fails: no close frame (1006), after an error event. */
  drop(): void {
    for (const listener of [...this.#error]) listener();
    this.#closed(1006, "");
  }

  /** The server closes the connection with a code. */
  closeWith(code: number, reason = ""): void {
    this.#closed(code, reason);
  }

  // -- what the client sent ------------------------------------------------

  /** The JSON frames the client sent, parsed (pings left out). */
  get frames(): ClientFrame[] {
    return this.sent.filter((text) => text !== KEEPALIVE.ping).map((text) => JSON.parse(text) as ClientFrame);
  }

  get pings(): number {
    return this.sent.filter((text) => text === KEEPALIVE.ping).length;
  }

  /** The query of the URL the client opened (where a join in the URL rides). */
  get query(): Record<string, string> {
    return Object.fromEntries(new URL(this.url).searchParams);
  }

  #closed(code: number, reason: string): void {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.readyState = FakeSocket.CLOSED;
    for (const listener of [...this.#close]) listener({ code, reason });
  }
}

/** Hands out FakeSockets and remembers each, in the order the client opened them. */
export class FakeServer {
  readonly sockets: FakeSocket[] = [];

  /** Pass as `createSocket`. */
  readonly createSocket = (url: string): FakeSocket => {
    const socket = new FakeSocket(url);
    this.sockets.push(socket);
    return socket;
  };

  /** The socket the client opened last. */
  get latest(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error("the client has opened no socket");
    return socket;
  }
}
