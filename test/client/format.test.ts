/**
 * Light formatting (src/client/format.ts), the parser both apps render from:
 * what is bold, italic, code, a fenced block or a link, and what stays as
 * written (markers that do not hug their text, markers inside words, inside
 * code and inside links, unclosed markers).
 */
import { describe, expect, it } from "vitest";
import { formatBlocks, formatSpans, spanLines, type InlineSpan } from "../../src/client/format.ts";
import { findLinks, linkify } from "../../src/client/linkify.ts";

const text = (t: string): InlineSpan => ({ kind: "text", text: t });
const bold = (t: string): InlineSpan => ({ kind: "bold", text: t });
const italic = (t: string): InlineSpan => ({ kind: "italic", text: t });
const code = (t: string): InlineSpan => ({ kind: "code", text: t });
const link = (t: string, href: string): InlineSpan => ({ kind: "link", text: t, href });

describe("formatSpans", () => {
  it("finds bold, italic and code that hug their text", () => {
    expect(formatSpans("**bold** and _italic_ and `code`")).toEqual([bold("bold"), text(" and "), italic("italic"), text(" and "), code("code")]);
    expect(formatSpans("say **this one thing**, please")).toEqual([text("say "), bold("this one thing"), text(", please")]);
    expect(formatSpans("(_aside_)")).toEqual([text("("), italic("aside"), text(")")]);
  });

  it("leaves markers that do not hug their text, or sit inside words and numbers", () => {
    for (const plain of [
      "** a **",
      "_ a _",
      "snake_case_words",
      "__init__",
      "2*3*4",
      "2**3**4",
      "a**b**c",
      "*their",
      "a * b * c",
      "***",
      "file_name.txt and other_name",
    ]) {
      expect(formatSpans(plain), plain).toEqual([text(plain)]);
    }
    // A marker followed by a word character does not close: `**a**b` stays as written.
    expect(formatSpans("**a**b")).toEqual([text("**a**b")]);
    // …but snake_case inside italics is fine: only the outer underscores count.
    expect(formatSpans("_snake_case_")).toEqual([italic("snake_case")]);
  });

  it("keeps unclosed markers literal", () => {
    expect(formatSpans("**not closed")).toEqual([text("**not closed")]);
    expect(formatSpans("_not closed")).toEqual([text("_not closed")]);
    expect(formatSpans("`not closed")).toEqual([text("`not closed")]);
    expect(formatSpans("**one** and **two")).toEqual([bold("one"), text(" and **two")]);
  });

  it("does not format inside code, and code takes the same run of backticks to close", () => {
    expect(formatSpans("run `rm **all** _x_ www.example.com` now")).toEqual([text("run "), code("rm **all** _x_ www.example.com"), text(" now")]);
    expect(formatSpans("`` a ` b ``")).toEqual([code(" a ` b ")]);
    expect(formatSpans("`` `")).toEqual([text("`` `")]);
    expect(formatSpans("``")).toEqual([text("``")]);
  });

  it("does not nest: what is inside bold or italic is shown as written", () => {
    expect(formatSpans("**a _b_ c**")).toEqual([bold("a _b_ c")]);
    expect(formatSpans("_a **b** c_")).toEqual([italic("a **b** c")]);
  });

  it("keeps bold, italic and code on one line", () => {
    expect(formatSpans("**a\nb**")).toEqual([text("**a\nb**")]);
    expect(formatSpans("`a\nb`")).toEqual([text("`a\nb`")]);
    expect(formatSpans("**a**\n_b_")).toEqual([bold("a"), text("\n"), italic("b")]);
  });

  it("finds links, http(s) and www., and ignores markers inside them", () => {
    expect(formatSpans("see www.example.com/a_b_c.")).toEqual([text("see "), link("www.example.com/a_b_c", "https://www.example.com/a_b_c"), text(".")]);
    expect(formatSpans("https://x.org/a_b_c and _b_")).toEqual([link("https://x.org/a_b_c", "https://x.org/a_b_c"), text(" and "), italic("b")]);
    // Underscores at a link's end are punctuation (linkify trims them): italics can wrap a link.
    expect(formatSpans("_https://x.org/a_")).toEqual([link("https://x.org/a", "https://x.org/a")]);
    // A link in bold text is its own span between the bold pieces; the markers around it go.
    expect(formatSpans("**see https://x.org/a now**")).toEqual([bold("see "), link("https://x.org/a", "https://x.org/a"), bold(" now")]);
    expect(formatSpans("javascript:alert(1) **x**")).toEqual([text("javascript:alert(1) "), bold("x")]);
  });

  it("splits into lines", () => {
    expect(spanLines(formatSpans("**a**\n\nb _c_"))).toEqual([[bold("a")], [], [text("b "), italic("c")]]);
  });
});

describe("formatBlocks", () => {
  it("takes fenced code blocks out of the text, with their language", () => {
    expect(formatBlocks("look:\n```ts\nconst a = **1**;\n  indented\n```\nnice")).toEqual([
      { kind: "text", spans: [text("look:")] },
      { kind: "code", text: "const a = **1**;\n  indented", lang: "ts" },
      { kind: "text", spans: [text("nice")] },
    ]);
    expect(formatBlocks("```\nonly code\n```")).toEqual([{ kind: "code", text: "only code" }]);
  });

  it("keeps a fence without its closing fence as text", () => {
    expect(formatBlocks("```\nnot closed **b**")).toEqual([{ kind: "text", spans: [text("```\nnot closed "), bold("b")] }]);
  });

  it("gives nothing for empty text, and one text block for plain text", () => {
    expect(formatBlocks("")).toEqual([]);
    expect(formatBlocks("hello")).toEqual([{ kind: "text", spans: [text("hello")] }]);
  });
});

describe("www. links (linkify)", () => {
  it("links a www. host with https, as written", () => {
    expect(linkify("go to www.example.com/path?q=1, now")).toEqual([
      text("go to "),
      link("www.example.com/path?q=1", "https://www.example.com/path?q=1"),
      text(", now"),
    ]);
  });

  it("does not link www. inside a word, an address or a path, nor without a dotted host", () => {
    for (const plain of ["awww.example.com", "me@www.example.com", "/www.example.com", "www.example", "www.", "www..com"]) {
      expect(findLinks(plain), plain).toEqual([]);
    }
    // The scheme's own www is one link, not two.
    expect(findLinks("https://www.example.com").map((l) => l.href)).toEqual(["https://www.example.com/"]);
  });

  it("shows a look-alike www host in punycode and drops bidi controls", () => {
    const [found] = findLinks("www.раypal.com/\u202Ex");
    expect(found?.text).toBe("www.xn--ypal-43d9g.com/x");
    expect(found?.href).toBe("https://www.xn--ypal-43d9g.com/%E2%80%AEx");
  });
});
