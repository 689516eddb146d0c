/**
 * Search and mentions in the shared chat layer, against the in-memory room
 * client: the /search and /more grammar, what controller.search asks and the
 * notices it gives (results, pages, offline, nothing to continue), where a
 * query's words are in a result (to highlight them), and mentionsMe.
 */
import { describe, expect, it } from "vitest";
import { commandHelp, parseCommand } from "../../../src/client/chat/commands.ts";
import { ChatController } from "../../../src/client/chat/controller.ts";
import { mentionsMe } from "../../../src/client/chat/mentions.ts";
import type { ChatNotice } from "../../../src/client/chat/notices.ts";
import { searchHighlights, searchWords } from "../../../src/client/chat/searchMatch.ts";
import type { MessageEvent, SearchResult } from "../../../src/protocol/frames.ts";
import { ALICE, BOB, FakeRoom, TERMINAL } from "./fakeRoom.ts";

const WITH_MORE = { ...TERMINAL, searchMore: true };
const found = (seq: number, snippet = `launch ${seq}`): SearchResult => ({ seq, ts: 1_000 + seq, from: BOB, snippet });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(extras = WITH_MORE) {
  const room = new FakeRoom();
  const notices: ChatNotice[] = [];
  const controller = new ChatController(room, { commands: extras, notify: (notice) => notices.push(notice) });
  room.welcome({ fresh: true, hasMore: false });
  return { room, controller, notices };
}

describe("the /search and /more grammar", () => {
  it("reads the words after /search or /find, as typed", () => {
    expect(parseCommand("/search launch day")).toEqual({ kind: "search", q: "launch day" });
    expect(parseCommand("/FIND   café  ")).toEqual({ kind: "search", q: "café" });
    expect(parseCommand("/more", WITH_MORE)).toEqual({ kind: "search-more" });
  });

  it("explains a wrong use: no words, /more with words; /more only where the client offers it", () => {
    expect(parseCommand("/search")).toEqual({ kind: "invalid", message: "Usage: /search WORDS" });
    expect(parseCommand("/find   ")).toEqual({ kind: "invalid", message: "Usage: /search WORDS" });
    expect(parseCommand("/more launch", WITH_MORE)).toEqual({ kind: "invalid", message: "Usage: /more (after /search WORDS)" });
    expect(parseCommand("/more")).toMatchObject({ kind: "invalid", message: expect.stringContaining("Unknown command /more") });
    expect(parseCommand("//search launch")).toEqual({ kind: "say", text: "/search launch" });
  });

  it("lists /search everywhere and /more where offered, right after it", () => {
    const usages = commandHelp(WITH_MORE).map((c) => c.usage);
    expect(usages.slice(usages.indexOf("/search WORDS"), usages.indexOf("/search WORDS") + 2)).toEqual(["/search WORDS", "/more"]);
    expect(commandHelp().map((c) => c.usage)).not.toContain("/more");
  });
});

describe("searching through the controller", () => {
  it("asks the room and gives what it found as a notice, then /more asks for the page before the oldest", async () => {
    const { room, controller, notices } = setup();
    room.searchPages.push({ q: "launch", results: [found(9), found(7)], hasMore: true }, { q: "launch", results: [found(3)], hasMore: false });
    expect(controller.submit("/search launch")).toEqual({ kind: "done" });
    await flush();
    expect(room.searchAsks).toEqual([{ q: "launch", before: undefined }]);
    expect(notices).toEqual([{ kind: "search", q: "launch", results: [found(9), found(7)], more: true }]);
    controller.submit("/more");
    await flush();
    expect(room.searchAsks.at(-1)).toEqual({ q: "launch", before: 7 });
    expect(notices.at(-1)).toEqual({ kind: "search", q: "launch", results: [found(3)], more: false, before: 7 });
    // Nothing older: /more says so, and asks nothing.
    controller.submit("/more");
    expect(notices.at(-1)).toEqual({ kind: "usage", message: 'No older messages match "launch".' });
    expect(room.searchAsks).toHaveLength(2);
  });

  it("gives an empty answer as a notice with no results", async () => {
    const { room, controller, notices } = setup();
    room.searchPages.push({ q: "nothing", results: [], hasMore: false });
    await controller.search("nothing");
    expect(notices).toEqual([{ kind: "search", q: "nothing", results: [], more: false }]);
  });

  it("says search-offline when not connected, or when the connection goes before the answer", async () => {
    const { room, controller, notices } = setup();
    room.state = "reconnecting";
    await controller.search("launch");
    expect(notices).toEqual([{ kind: "search-offline" }]);
    room.state = "live";
    const asked = controller.search("launch");
    room.answerSearch(null);
    await asked;
    expect(notices).toEqual([{ kind: "search-offline" }, { kind: "search-offline" }]);
  });

  it("/more before any search, or while one is on its way, explains instead of asking", async () => {
    const { room, controller, notices } = setup();
    controller.submit("/more");
    expect(notices).toEqual([{ kind: "usage", message: "Nothing to continue: /search WORDS first, then /more for older matches." }]);
    controller.submit("/search launch");
    controller.submit("/more");
    expect(notices.at(-1)).toEqual({ kind: "usage", message: "Still searching: wait for the answer, then /more." });
    room.answerSearch({ q: "launch", results: [found(5)], hasMore: true });
    await flush();
    expect(notices.at(-1)).toMatchObject({ kind: "search", more: true });
    expect(room.searchAsks).toHaveLength(1);
  });

  it("forgets the last search when the room's history starts afresh, and answers nothing once disposed", async () => {
    const { room, controller, notices } = setup();
    room.searchPages.push({ q: "launch", results: [found(5)], hasMore: true });
    await controller.search("launch");
    room.welcome({ fresh: true, hasMore: false });
    controller.submit("/more");
    expect(notices.at(-1)).toMatchObject({ kind: "usage", message: expect.stringContaining("Nothing to continue") });
    const asked = controller.search("launch");
    controller.dispose();
    room.answerSearch({ q: "launch", results: [], hasMore: false });
    await asked;
    expect(notices.at(-1)).toMatchObject({ kind: "usage" });
  });
});

describe("where a query's words are in a result", () => {
  const marked = (text: string, q: string) => {
    let out = "";
    let at = 0;
    for (const { start, end } of searchHighlights(text, q)) {
      out += `${text.slice(at, start)}[${text.slice(start, end)}]`;
      at = end;
    }
    return out + text.slice(at);
  };

  it("marks every word whole, without case or diacritics, and the last one as a prefix", () => {
    expect(marked("The Launch is at noon; launching soon", "launch")).toBe("The [Launch] is at noon; [launching] soon");
    expect(marked("the launch is at noon, not launching", "launch noon")).toBe("the [launch] is at [noon], not launching");
    expect(marked("Café crème at the CAFE", "cafe")).toBe("[Café] crème at the [CAFE]");
    expect(marked("…reactions and a reaction", "reac")).toBe("…[reactions] and a [reaction]");
    expect(searchWords(` "launch" OR col:day* `)).toEqual(["launch", "or", "col", "day"]);
    expect(searchHighlights("anything", " *** ")).toEqual([]);
  });
});

describe("mentionsMe", () => {
  const message: MessageEvent = { type: "message", seq: 4, ts: 1, from: BOB, text: "@alice look", mentions: [ALICE.id] };
  it("is true only for a message whose mentions hold my id", () => {
    expect(mentionsMe(message, ALICE.id)).toBe(true);
    expect(mentionsMe(message, BOB.id)).toBe(false);
    expect(mentionsMe(message, undefined)).toBe(false);
    expect(mentionsMe({ ...message, mentions: undefined }, ALICE.id)).toBe(false);
    expect(mentionsMe({ type: "message", seq: 4, ts: 1, from: BOB, deleted: true }, ALICE.id)).toBe(false);
    expect(mentionsMe({ type: "joined", seq: 5, ts: 1, member: ALICE }, ALICE.id)).toBe(false);
  });
});
