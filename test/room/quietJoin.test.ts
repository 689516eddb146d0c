/** Joining quietly (`"quiet":true`): a reader that receives everything and is announced to no one. */
import { describe, expect, it } from "vitest";
import { join, openSocket, uniqueRoom } from "../workerd/socket.ts";

describe("a quiet join", () => {
  it("reads everything, is counted in online, and is announced or listed to no one, coming or going", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bot = await join(room, "tailbot", { quiet: true });
    expect(bot.welcome.members.map((m) => m.name)).toEqual(["alice"]);
    expect(bot.welcome.online).toBe(2);

    alice.socket.send({ type: "message", text: "anyone?" });
    expect(await bot.socket.nextMessage()).toMatchObject({ text: "anyone?" });
    bot.socket.send({ type: "rename", name: "tailbot2" });

    const carol = await join(room, "carol");
    expect(carol.welcome.online).toBe(3);
    expect(carol.welcome.members.map((m) => m.name)).toEqual(["alice", "carol"]);
    bot.socket.close(1000);
    carol.socket.send({ type: "message", text: "after the bot left" });
    await alice.socket.nextMessage((m) => m.text === "after the bot left");
    // What alice heard: carol joining and the messages; never the bot.
    const heard = alice.socket.frames.filter((f) => "seq" in f).map((f) => f.type);
    expect(heard).toEqual(["message", "joined", "message"]);
    expect(JSON.stringify(alice.socket.frames)).not.toContain("tailbot");
    for (const p of [alice, carol]) p.socket.close(1000);
  });

  it("works in the URL too, and refuses a quiet that is not a boolean", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const reader = await openSocket(room, {}, "name=reader&quiet=1");
    expect((await reader.nextOf("welcome")).members.map((m) => m.name)).toEqual(["alice"]);
    const bad = await openSocket(room);
    bad.send({ type: "join", name: "x", quiet: "yes" });
    expect(await bad.nextOf("error")).toMatchObject({ code: "bad_request", message: "quiet must be true or false" });
    for (const s of [reader, bad, alice.socket]) s.close(1000);
  });
});
