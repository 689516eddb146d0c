/**
 * The room page. It puts the parts together and decides what comes first;
 * each part lives in its own module:
 *
 * - roomLayout.ts and the views: what is on screen;
 * - connection.ts: one RoomClient at a time (the shared engine that owns
 *   reconnects, resume, exactly-once delivery, the outbox and pacing);
 * - conversation.ts: what the client hears, shown in the views;
 * - chatInput.ts: what is typed, through the shared chat controller;
 * - roomMemory.ts: what the tab and the browser remember.
 *
 * Here: the name form before joining, and what to offer when the connection
 * stopped for good.
 */
import type { ClosedReason, PendingMessage, RoomClient } from "../../client/RoomClient.ts";
import { roomSocketUrl } from "../../client/RoomClient.ts";
import type { RoomSettings } from "../../protocol/frames.ts";
import type { ProtocolError, RoomAddress } from "../../protocol/validate.ts";
import { roomKey, roomLabel, roomPath } from "../route.ts";
import { lastSeenSeq, loadDraft, saveDraft, setLastSeenSeq, takeCreatedMark } from "../storage.ts";
import { Announcer } from "./announcer.ts";
import { Banner } from "./banner.ts";
import { ChatInput } from "./chatInput.ts";
import { Composer } from "./composer.ts";
import { ConnectionStatus } from "./connectionStatus.ts";
import { resumeAfter, RoomConnection, type Resume } from "./connection.ts";
import { showConversation, showOlder, type ConversationViews } from "./conversation.ts";
import { nameGate } from "./nameGate.ts";
import { fetchRoomInfo, type RoomInfoAnswer } from "./roomInfo.ts";
import type { Moderation } from "./memberList.ts";
import { RoomLayout } from "./roomLayout.ts";
import { RoomMemory } from "./roomMemory.ts";
import { MyReactions } from "./myReactions.ts";
import { replySnippet } from "../../protocol/replyQuote.ts";
import { SettingsPanel } from "./settingsPanel.ts";
import { SearchPanel } from "./searchPanel.ts";
import { MentionAlerts } from "./mentionAlerts.ts";
import { copyText } from "./share.ts";
import { stopOffer } from "./stopOffer.ts";
import { Transcript } from "./transcript.ts";
import { TypingIndicator } from "./typingIndicator.ts";
import { UnreadTitle } from "./unreadTitle.ts";

/** Shows the room at `address`; `renderMissing` replaces the page when a private room does not exist. */
export function showRoom(root: HTMLElement, address: RoomAddress, renderMissing: () => void): void {
  void new RoomPage(root, address).begin(renderMissing);
}

class RoomPage {
  readonly #address: RoomAddress;
  readonly #label: string;
  readonly #info: Promise<RoomInfoAnswer>;
  readonly #views: ConversationViews & { banner: Banner };
  readonly #layout: RoomLayout;
  readonly #connection: RoomConnection;
  readonly #memory: RoomMemory;
  readonly #input: ChatInput;
  readonly #settings: SettingsPanel;
  readonly #title: UnreadTitle;
  readonly #moderation: Moderation;
  readonly #alerts: MentionAlerts;
  #owner = false;
  /** The last seq this browser saw in the room before this page (read before anything is marked seen). */
  readonly #lastSeen: number | null;

  constructor(root: HTMLElement, address: RoomAddress) {
    const room = roomKey(address);
    const label = roomLabel(address);
    const url = new URL(roomPath(address), location.origin).href;
    this.#address = address;
    this.#label = label;
    this.#lastSeen = lastSeenSeq(room);
    this.#info = fetchRoomInfo(room);
    this.#memory = new RoomMemory(address, () => this.#connection.client);
    this.#connection = new RoomConnection(
      roomSocketUrl(location.origin, room),
      {
        attach: (client, orphans) => this.#attach(client, orphans),
        stopped: (client, name, reason) => this.#stopped(client, name, reason),
      },
      () => this.#memory.ownerKey,
    );
    /** Sends an owner's or author's action with the current client; the words for why it could not go. */
    const act = (send: (client: RoomClient) => ProtocolError | undefined): string | undefined => {
      const client = this.#connection.client;
      if (!client || client.state !== "live") return "Not connected; try again once the connection is back.";
      const problem = send(client);
      return problem ? `Could not send that: ${problem.message}.` : undefined;
    };

    const announcer = new Announcer();
    const banner = new Banner();
    const typing = new TypingIndicator();
    const status = new ConnectionStatus(() => this.#connection.reconnectNow());
    const transcript: Transcript = new Transcript(label, () => showOlder(this.#connection.client, transcript), {
      edit(message) {
        transcript.removePending(message.id);
        composer.setText(message.action ? `/me ${message.text}` : message.text);
        // A refused reply is edited as a reply, while what it answers is still there.
        const original = message.replyTo === undefined ? undefined : transcript.message(message.replyTo);
        if (original && !("deleted" in original)) composer.replyTo(original.seq, original.from.name, replySnippet(original.text));
      },
      dismiss: (id: string) => transcript.removePending(id),
      seen: (seq) => {
        if (seq > (lastSeenSeq(room) ?? -1)) setLastSeenSeq(room, seq);
      },
      editMessage: (seq: number, text: string) => act((client) => client.edit(seq, text)),
      deleteMessage: (seq: number) => act((client) => client.deleteMessage(seq)),
      react: (seq: number, emoji: string, on: boolean) => act((client) => client.react(seq, emoji, on)),
      reply: (message) => composer.replyTo(message.seq, message.from.name, "deleted" in message ? "" : replySnippet(message.text)),
      copyLink: async (seq) => {
        const link = `${url}#m${seq}`;
        if (!(await copyText(link))) return transcript.notice(`Could not copy; the link to that message is ${link}`, "warning");
        transcript.toast("Link copied");
        announcer.say("Link to the message copied");
      },
      mine: new MyReactions(room),
    });
    const open = (seq: number) => void this.#open(seq);
    const search = new SearchPanel("room-search", {
      find: async (q, before) => (await this.#connection.client?.search(q, before)) ?? null,
      open,
    });
    this.#alerts = new MentionAlerts(label, open, (text) => {
      transcript.toast(text);
      announcer.say(text);
    });
    window.addEventListener("hashchange", () => this.#openLinked());
    // The unsent text, kept per room a moment after each change (and when the page goes).
    let draftTimer: ReturnType<typeof setTimeout> | undefined;
    const keepDraft = (text: string) => {
      clearTimeout(draftTimer);
      draftTimer = setTimeout(() => saveDraft(room, text), 300);
    };
    window.addEventListener("pagehide", () => draftTimer !== undefined && saveDraft(room, composer.text));
    const composer = new Composer(`Message ${label}`, "Write a message…", {
      submit: (text, replyTo) => {
        const taken = this.#input.submit(text, replyTo);
        if (taken) keepDraft("");
        return taken;
      },
      typing: (draft) => {
        keepDraft(draft);
        this.#input.typing(draft);
      },
    });
    composer.setText(loadDraft(room), false);
    this.#input = new ChatInput({
      transcript,
      composer,
      announcer,
      rememberName: (name) => this.#memory.rememberName(name),
      found: (q, found) => search.show(q, found),
    });
    const share = { url, title: `${label} on Parley`, announce: (text: string) => announcer.say(text) };
    this.#settings = new SettingsPanel(
      "room-settings",
      {
        save: (changes) => act((client) => client.updateSettings(changes)),
        unban: (ban) => act((client) => client.unban(ban)),
        bans: async () => (await this.#connection.client?.bans()) ?? null,
        ownerLink: () => this.#memory.ownerLink(url),
        announce: (text) => announcer.say(text),
      },
      () => this.#toggleSettings(false),
    );
    this.#layout = new RoomLayout(root, {
      address,
      label,
      share,
      created: takeCreatedMark(room),
      status: status.element,
      footer: [banner.element, typing.element, composer.element],
      announcer: announcer.element,
      onLeave: () => this.#connection.leave(),
      settings: this.#settings.element,
      search: search.element,
      tools: [search.button, this.#alerts.element],
      onSettings: () => this.#toggleSettings(this.#settings.element.hidden === true),
    });
    this.#moderation = {
      kick: (member, reason) => act((client) => client.kick(member, reason)),
      ban: (member, minutes, reason) =>
        act((client) => client.ban(member, { ...(minutes === undefined ? {} : { minutes }), ...(reason === undefined ? {} : { reason }) })),
    };
    this.#title = new UnreadTitle(`${label} · Parley`);
    this.#views = { transcript, members: this.#layout.members, typing, announcer, title: this.#title, status, composer, banner };
  }

  async begin(renderMissing: () => void): Promise<void> {
    // A private id this server never minted would only ever fail to connect: say so instead.
    if (this.#address.kind === "private" && (await this.#info).kind === "missing") return renderMissing();
    const name = this.#memory.name;
    const resume = this.#memory.resume;
    if (name !== null) this.#connection.start(name, resume);
    else this.#askName("", undefined, (picked) => this.#connection.start(picked, resume));
  }

  #askName(initialName: string, error: string | undefined, then: (name: string) => void): void {
    const roomLabel = this.#address.kind === "public" ? this.#label : "this private room";
    const gate = nameGate({ roomLabel, initialName, ...(error ? { error } : {}), onName: then });
    this.#layout.showNameForm(gate.element);
    void this.#info.then((result) => {
      if (result.kind === "ok") gate.setOnline(result.info.members.map((m) => m.name), result.info.online);
    });
  }

  /** A new client: the conversation shows what it hears, and what is typed goes to it. */
  #attach(client: RoomClient, orphans: readonly PendingMessage[]): () => void {
    const { banner, transcript, composer } = this.#views;
    const lastSeen = this.#lastSeen;
    banner.hide();
    this.#layout.showConversation(transcript.element);
    composer.setEnabled(true);
    const undo = [
      showConversation(client, this.#views, {
        named: (name) => this.#memory.rememberName(name),
        settings: (settings, owner) => this.#showSettings(settings, owner),
        moderated: () => void this.#settings.refreshBans(),
        joined: () => {
          this.#memory.joined(client.settings.topic || undefined);
          this.#resendOrphans(client, orphans);
          if (lastSeen !== null) transcript.markNewAfter(lastSeen);
          this.#openLinked();
        },
        mentioned: (message) => this.#alerts.mentioned(message),
        caughtUp: () => this.#memory.save(),
        shown: () => this.#memory.saveSoon(),
      }),
      this.#input.attach(client),
    ];
    composer.focus();
    return () => {
      for (const off of undo) off();
    };
  }

  /** A message link (`/r/<room>#m<seq>`): that message, shown and highlighted. */
  #openLinked(): void {
    const seq = /^#m(\d+)$/.exec(location.hash)?.[1];
    if (seq !== undefined) void this.#open(Number(seq));
  }

  /** Shows message `seq` in the conversation, or says why it cannot. */
  async #open(seq: number): Promise<void> {
    const { transcript, announcer } = this.#views;
    const outcome = await transcript.show(seq);
    if (outcome === "shown") return;
    const why = outcome === "gone" ? "That message is no longer in this room's history." : "Could not load that message; try again once connected.";
    transcript.notice(why, "warning");
    announcer.say(why);
  }

  /** The room's settings as the room last said: the topic everywhere, the panel for owners. */
  #showSettings(settings: RoomSettings, owner: boolean): void {
    const name = this.#layout.setTopic(settings.topic);
    this.#title.rename(`${name} · Parley`);
    if (settings.topic !== "") this.#memory.titled(settings.topic);
    this.#owner = owner;
    this.#layout.members.setModeration(owner ? this.#moderation : undefined);
    this.#settings.show(settings);
    if (!owner) this.#toggleSettings(false);
    this.#layout.setSettingsButton(owner, !this.#settings.element.hidden);
  }

  #toggleSettings(open: boolean): void {
    if (open && this.#owner) this.#settings.open();
    else if (!this.#settings.element.hidden) {
      this.#settings.element.hidden = true;
    }
    this.#layout.setSettingsButton(this.#owner, !this.#settings.element.hidden);
  }

  /**
   * Messages a stopped client never got acknowledged. The new client's replay
   * (it resumes with `since`) has confirmed any that were stored after all;
   * the rest are sent again.
   */
  #resendOrphans(client: RoomClient, orphans: readonly PendingMessage[]): void {
    const { transcript } = this.#views;
    const unsent = new Set(transcript.unsentPending().map((m) => m.id));
    for (const orphan of orphans) {
      if (!unsent.has(orphan.id)) continue;
      const sent = client.send(orphan.text, { action: orphan.action });
      if (sent.ok) transcript.renamePending(orphan.id, sent.value);
      else transcript.failPending(orphan.id, `${sent.error.message}.`);
    }
  }

  /** The client stopped by itself: say why, and offer to carry on with a new one. */
  #stopped(client: RoomClient, startName: string, reason: ClosedReason): void {
    const { banner, composer, transcript } = this.#views;
    composer.setEnabled(false);
    // The name it had last (a /nick since start counts); unsent messages stay on screen for the next client.
    const name = client.self?.name ?? startName;
    const again = (resume: Resume, newName = name) => this.#connection.start(newName, resume, transcript.unsentPending());
    const offer = stopOffer(reason);
    switch (offer.kind) {
      case "ask-name":
        return this.#askName(name, offer.error, (picked) => again(resumeAfter(client, true), picked));
      case "rejoin":
        return banner.show(offer.message, { label: offer.action, run: () => again(resumeAfter(client, offer.sameMember)) });
    }
  }
}
