/**
 * What a person types in the message box, through the shared chat
 * controller (src/client/chat): messages are queued and shown as pending,
 * commands are carried out, and the controller's notices are shown
 * (noticeView.ts words them).
 */
import { ChatController } from "../../client/chat/controller.ts";
import type { RoomClient } from "../../client/RoomClient.ts";
import { unreachable } from "../../protocol/frames.ts";
import { showNotice, type NoticeTargets } from "./noticeView.ts";

export class ChatInput {
  readonly #targets: Omit<NoticeTargets, "textMax">;
  #client: RoomClient | undefined;
  #controller: ChatController | undefined;

  constructor(targets: Omit<NoticeTargets, "textMax">) {
    this.#targets = targets;
  }

  /** Sends what is typed to `client` from now on; returns what undoes that. */
  attach(client: RoomClient): () => void {
    const targets: NoticeTargets = { ...this.#targets, textMax: () => client.limits.textMax };
    const controller = new ChatController(client, { notify: (notice) => showNotice(notice, targets) });
    this.#client = client;
    this.#controller = controller;
    return () => controller.dispose();
  }

  /**
   * The message box's submit: true when the text was taken (sent or carried
   * out) and the box should empty. With `replyTo` the text goes as a reply,
   * unless it is a command (those are carried out as usual).
   */
  submit(text: string, replyTo?: number): boolean {
    const client = this.#client;
    if (!client || !this.#controller) return false;
    const outcome = replyTo === undefined || text.startsWith("/") ? this.#controller.submit(text) : this.#controller.send(text, { replyTo });
    switch (outcome.kind) {
      case "sent":
        this.#targets.transcript.addPending(outcome.message, client.state === "live" ? { kind: "sending" } : { kind: "waiting" });
        return true;
      case "done":
        return true;
      case "not-sent":
      case "kept":
        return false;
      case "quit":
        return false; // no /quit here: the home link leaves
      default:
        return unreachable(outcome);
    }
  }

  /** The person is writing `draft`. */
  typing(draft: string): void {
    this.#controller?.typing(draft);
  }
}
