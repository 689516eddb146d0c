/**
 * Driving Debian's Chromium (never a downloaded browser) with playwright-core
 * against a real `wrangler dev`, for the browser client's tests. Each person
 * in a test gets a browser context of their own: separate storage, as if on
 * separate machines.
 */
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { adoptGroup } from "../../../harness/processGroups.ts";
import { liveProcesses } from "../../../harness/procfs.ts";
import { startWranglerDev, type DevOptions, type DevServer } from "../../../harness/wranglerDev.ts";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Keeps Chromium off every network but loopback, and quiet. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];

export async function launchChromium(): Promise<Browser> {
  const before = new Set(chromiumGroups());
  // launch() gives every run a fresh temporary profile.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
  // Playwright kills Chromium when this process exits normally, not when
  // vitest ends a test file's worker: the registry must know its group too.
  for (const pgid of chromiumGroups().filter((pgid) => !before.has(pgid))) {
    browser.once("disconnected", adoptGroup("chromium", pgid));
  }
  return browser;
}

/** Process groups led by Chromiums this process started (Playwright starts each in a group of its own). */
function chromiumGroups(): number[] {
  return liveProcesses()
    .filter((p) => p.ppid === process.pid && p.pgid === p.pid && p.comm.startsWith("chrom"))
    .map((p) => p.pid);
}

/** One test file's server, browser and people. */
export interface BrowserSuite {
  /** The running server (valid inside tests). */
  readonly server: DevServer;
  /** A new person in a fresh browser context; every page problem fails the test at its end. */
  person(options?: PersonOptions): Promise<Person>;
}

/**
 * Starts one `wrangler dev` and one Chromium for a test file, and checks after
 * each test that nobody's page had a problem (errors, CSP violations…).
 */
export function browserSuite(devOptions?: DevOptions): BrowserSuite {
  let server: DevServer | undefined;
  let browser: Browser | undefined;
  let people: Person[] = [];
  beforeAll(async () => {
    // Side by side; whichever starts is kept, so that afterAll stops it even if the other failed.
    const [started, launched] = await Promise.allSettled([startWranglerDev(devOptions), launchChromium()]);
    if (started.status === "fulfilled") server = started.value;
    if (launched.status === "fulfilled") browser = launched.value;
    if (started.status === "rejected") throw started.reason;
    if (launched.status === "rejected") throw launched.reason;
  });
  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });
  afterEach(async () => {
    const problems = people.flatMap((p) => p.problems);
    await Promise.all(people.map((p) => p.context.close()));
    people = [];
    expect(problems).toEqual([]);
  });
  return {
    get server() {
      if (!server) throw new Error("the server starts in beforeAll");
      return server;
    },
    async person(options = {}) {
      if (!browser || !server) throw new Error("the browser starts in beforeAll");
      const p = await newPerson(browser, server.url, options);
      people.push(p);
      return p;
    },
  };
}

export interface PersonOptions {
  /** Remembered display name (as if typed on an earlier visit); none shows the name form. */
  name?: string;
  /**
   * With `name`: a room this browser has not joined offers the remembered
   * name on the name form (issue 14); by default the person takes the offer
   * at once (as pressing Enter would), once per page and not when the form
   * says the name did not work. False leaves the form to the test.
   */
  takesOfferedName?: boolean;
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions, console errors, failed requests and CSP violations seen on the page. */
  problems: string[];
  /** Problems a test provokes on purpose (e.g. a 404 it asks for); matched against the problem text. */
  expected: RegExp[];
}

/** The browser's own console errors for connections refused while a test keeps it offline. */
export const EXPECTED_OFFLINE = /net::ERR_INTERNET_DISCONNECTED|WebSocket connection to .* failed/;

export async function newPerson(browser: Browser, baseUrl: string, options: PersonOptions = {}): Promise<Person> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: options.viewport ?? { width: 1100, height: 760 },
    colorScheme: options.colorScheme ?? "light",
    reducedMotion: "reduce",
  });
  // Generous: Chromium shares two cores with wrangler dev, and CI machines are busy.
  context.setDefaultTimeout(30_000);
  // Runs in every page before the app. Strings, because Node's types (which check this file) know no DOM.
  if (options.name !== undefined) {
    await context.addInitScript(`if (localStorage.getItem("parley.name") === null) localStorage.setItem("parley.name", ${JSON.stringify(options.name)});`);
    if (options.takesOfferedName !== false) {
      await context.addInitScript(`new MutationObserver((_, observer) => {
        const form = document.querySelector("form.name-gate");
        if (!form) return;
        observer.disconnect();
        if (form.querySelector("input")?.value && !form.querySelector(".form-error")?.textContent) form.requestSubmit();
      }).observe(document, { childList: true, subtree: true });`);
    }
  }
  await context.addInitScript(
    `document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI));`,
  );
  const page = await context.newPage();
  const person: Person = { context, page, problems: [], expected: [] };
  const problem = (text: string) => {
    if (!person.expected.some((pattern) => pattern.test(text))) person.problems.push(text);
  };
  page.on("pageerror", (error) => problem(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problem(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("dialog", (dialog) => {
    problem(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return person;
}

/** Opens a room and waits until it is live. */
export async function enterRoom(person: Person, room: string): Promise<void> {
  await person.page.goto(`/r/${room}`);
  await waitLive(person.page);
}

export async function waitLive(page: Page): Promise<void> {
  await page.locator('.status[data-state="live"]').waitFor();
}

/** Types into the message box and presses Enter, as a person would. */
export async function say(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: /^Message/ });
  await box.fill(text);
  await box.press("Enter");
}

/** The seqs of the room events shown, top to bottom. */
export function shownSeqs(page: Page): Promise<number[]> {
  return page.$$eval("ol.transcript:not(.pending-list) > li[data-seq]", (items) =>
    items.map((item) => Number(item.getAttribute("data-seq"))),
  );
}

/** Confirmed messages in the transcript (a message still pending is listed apart, below it). */
const SHOWN_MESSAGE_TEXT = "ol.transcript:not(.pending-list) > li.msg .text";

/** The texts of the confirmed (non-pending) messages shown, top to bottom. */
export function shownMessages(page: Page): Promise<string[]> {
  return page.$$eval(SHOWN_MESSAGE_TEXT, (items) => items.map((item) => item.textContent ?? ""));
}

/** Waits until a confirmed message containing `text` is shown (a pending copy does not count). */
export async function waitShown(page: Page, text: string): Promise<void> {
  // Strict: a message shown twice fails here.
  await page.locator(SHOWN_MESSAGE_TEXT, { hasText: text }).waitFor();
}

/** Every seq exactly once and consecutive: nothing lost, nothing repeated, nothing reordered. */
export async function expectGapFree(page: Page): Promise<number[]> {
  const seqs = await shownSeqs(page);
  expect(seqs.length).toBeGreaterThan(0);
  seqs.forEach((seq, i) => {
    if (i > 0) expect(seq, `seq after ${seqs[i - 1]}`).toBe(seqs[i - 1]! + 1);
  });
  return seqs;
}

/** Polls `condition` in Node until it holds. */
export async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when the page can scroll sideways (it never should). */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(
    "document.documentElement.scrollWidth > document.documentElement.clientWidth || document.body.scrollWidth > document.body.clientWidth",
  );
}

/** Which element has the keyboard focus: its tag and text. */
export function focused(page: Page): Promise<{ tag: string; text: string }> {
  return page.evaluate("({ tag: document.activeElement?.tagName ?? '', text: document.activeElement?.textContent ?? '' })");
}

/**
 * Tells the page its tab went to the background (or came back). Headless
 * Chromium never hides a page by itself, so the test sets what the app reads.
 */
export function setHidden(page: Page, hidden: boolean): Promise<void> {
  const value = JSON.stringify(hidden);
  return page.evaluate(`{
    Object.defineProperty(document, "hidden", { configurable: true, get: () => ${value} });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (${value} ? "hidden" : "visible") });
    document.dispatchEvent(new Event("visibilitychange"));
  }`);
}

/** Opens a menu button from the keyboard and picks `item` with the arrow keys, as a keyboard user would. */
export async function pickFromMenu(page: Page, button: ReturnType<Page["getByRole"]>, item: string): Promise<void> {
  await button.focus();
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu");
  await menu.waitFor();
  const labels = await menu.getByRole("menuitem").allTextContents();
  const index = labels.indexOf(item);
  expect(index, `${item} in ${labels.join(", ")}`).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < index; i++) await page.keyboard.press("ArrowDown");
  await expect(activeText(page)).resolves.toBe(item);
  await page.keyboard.press("Enter");
}

/** The text of the focused element. */
export function activeText(page: Page): Promise<string | undefined> {
  return page.evaluate("document.activeElement?.textContent");
}
