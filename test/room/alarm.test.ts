/**
 * The room's one alarm (src/room/alarm.ts) against real Durable Object
 * storage, and the parts that share it: each dropped member is announced
 * when their own grace ends, however the alarm is shared between them.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Alarm } from "../../src/room/alarm.ts";
import { join, sleep, uniqueRoom } from "../workerd/socket.ts";

const stubOf = (room: string) => env.ROOMS.get(env.ROOMS.idFromName(room));

describe("Alarm", () => {
  it("only ever moves the alarm earlier, until it has fired", async () => {
    const errors: unknown[] = [];
    const set = await runInDurableObject(stubOf(uniqueRoom("alarm")), async (_room, state) => {
      const alarm = new Alarm(state.storage, (error) => errors.push(error));
      const base = Date.now() + 60_000;
      const seen: (number | null)[] = [];
      alarm.wake(base + 1000);
      seen.push(await state.storage.getAlarm());
      alarm.wake(base + 2000); // later: nothing to do (and no row written)
      seen.push(await state.storage.getAlarm());
      alarm.wake(base + 500); // earlier: moved
      seen.push(await state.storage.getAlarm());
      alarm.fired(); // the handler ran: whoever still waits asks again
      alarm.wake(base + 2000);
      seen.push(await state.storage.getAlarm());
      await state.storage.deleteAlarm();
      return seen.map((at) => (at === null ? null : at - base));
    });
    expect(set).toEqual([1000, 1000, 500, 2000]);
    expect(errors).toEqual([]);
  });
});

describe("reconnect grace and the shared alarm", () => {
  it("announces each dropped member when their own grace ends, the later one after the earlier one's alarm", async () => {
    const room = uniqueRoom("grace");
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    const carol = await join(room, "carol");
    bob.socket.close(4000, "network blip");
    await bob.socket.waitClosed();
    const bobHeldUntil = await runInDurableObject(stubOf(room), (_room, state) => state.storage.getAlarm());
    expect(bobHeldUntil).not.toBeNull();
    // A second apart, so bob's alarm cannot announce carol too: hers needs an alarm of its own.
    await sleep(1000);
    carol.socket.close(4000, "network blip");
    await carol.socket.waitClosed();
    // Carol's grace ends later: the alarm stays at bob's.
    expect(await runInDurableObject(stubOf(room), (_room, state) => state.storage.getAlarm())).toBe(bobHeldUntil);
    // The default grace is 5 s: both lefts come, in the order the graces end.
    const first = await alice.socket.nextOf("left", 15_000);
    const second = await alice.socket.nextOf("left", 15_000);
    expect([first.member.name, second.member.name]).toEqual(["bob", "carol"]);
    expect((await stubOf(room).info()).members.map((m) => m.name)).toEqual(["alice"]);
    alice.socket.close(1000);
  }, 30_000);
});
