import { describe, expect, it } from "vitest";
import type { Member } from "../../src/protocol/frames.ts";
import { nameKey } from "../../src/protocol/nameKey.ts";
import { mentionsIn } from "../../src/room/mentions.ts";
import { join, uniqueRoom } from "../workerd/socket.ts";

const online: Member[] = [
  { id: "a", name: "Ann" },
  { id: "al", name: "Ann Lee" },
  { id: "b", name: "bob" },
];
const holder = (name: string) => online.find((m) => nameKey(m.name) === nameKey(name));
const mentions = (text: string) => mentionsIn(text, 32, holder);

describe("mentions in a text", () => {
  it("finds @names of members online, folded like names, the longest name first", () => {
    expect(mentions("hi @bob")).toEqual(["b"]);
    expect(mentions("@ＢＯＢ, @ann: lunch?")).toEqual(["b", "a"]);
    expect(mentions("ask @Ann Lee about it")).toEqual(["al"]);
    expect(mentions("@bob @bob @bob")).toEqual(["b"]);
  });

  it("ignores @ inside words, unknown names and a bare @", () => {
    expect(mentions("mail bob@example.com")).toEqual([]);
    expect(mentions("hi @carol")).toEqual([]);
    expect(mentions("@ alone, and no at sign at all")).toEqual([]);
    expect(mentions("@".repeat(500))).toEqual([]);
  });
});

describe("the room", () => {
  it("stores the ids of the members a message mentions, for everyone to see", async () => {
    const room = uniqueRoom();
    const ann = await join(room, "Ann");
    const bob = await join(room, "bob");
    bob.socket.send({ type: "message", text: "@ann look, and @nobody" });
    const message = await ann.socket.nextMessage();
    expect(message.mentions).toEqual([ann.welcome.self.id]);
    bob.socket.send({ type: "message", text: "no mention here" });
    expect(await ann.socket.nextMessage()).not.toHaveProperty("mentions");
    for (const p of [ann, bob]) p.socket.close(1000);
  });
});
