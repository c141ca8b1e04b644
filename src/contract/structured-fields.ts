// RFC 8941 Structured Field Values for HTTP: a strict parser of Dictionaries (members are Items or
// Inner Lists, with Parameters), as RFC 9421 signatures need them. Each dictionary member keeps the
// exact text it was parsed from. Pure, no I/O; results are data, never exceptions.

/** A bare item (RFC 8941 section 3.3): the type tells integers, decimals, strings, tokens, byte sequences and booleans apart. */
export type BareItem =
  | { readonly type: "integer"; readonly value: number }
  | { readonly type: "decimal"; readonly value: number }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "token"; readonly value: string }
  | { readonly type: "bytes"; readonly value: Uint8Array }
  | { readonly type: "boolean"; readonly value: boolean };

/** Parameters: keys in the order received; a repeated key keeps its last value (RFC 8941 4.2.3.2). */
export type Parameters = ReadonlyMap<string, BareItem>;

/** An item with its parameters. */
export interface Item {
  readonly kind: "item";
  readonly value: BareItem;
  readonly params: Parameters;
}

/** An inner list of items, with the list's own parameters. */
export interface InnerList {
  readonly kind: "inner-list";
  readonly items: readonly Item[];
  readonly params: Parameters;
}

/** A dictionary member: its value and the exact text of that value (after `key=`) as received. */
export interface DictionaryMember {
  readonly value: Item | InnerList;
  readonly text: string;
}

/** A parsed value, or where and why the text is not one. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Longest field text the parser reads. */
export const STRUCTURED_FIELD_LENGTH_MAX = 8192;
/** Most digits of an integer (RFC 8941 section 3.3.1). */
const INTEGER_DIGITS_MAX = 15;

const KEY_FIRST = /[a-z*]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
const TOKEN_FIRST = /[A-Za-z*]/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

class Fail {
  constructor(readonly reason: string) {}
}

/** A cursor over the field text; every parse step either advances it or returns a Fail. */
class Cursor {
  position = 0;
  constructor(readonly text: string) {}
  atEnd(): boolean {
    return this.position >= this.text.length;
  }
  peek(): string {
    return this.text.charAt(this.position);
  }
  skip(pattern: RegExp): void {
    while (!this.atEnd() && pattern.test(this.peek())) this.position++;
  }
  fail(what: string): Fail {
    return new Fail(`${what} at character ${this.position}`);
  }
}

function parseKey(c: Cursor): string | Fail {
  if (!KEY_FIRST.test(c.peek())) return c.fail("a key must start with a-z or *");
  const start = c.position;
  c.skip(KEY_CHAR);
  return c.text.slice(start, c.position);
}

function parseNumber(c: Cursor): BareItem | Fail {
  const start = c.position;
  if (c.peek() === "-") c.position++;
  const intStart = c.position;
  c.skip(/[0-9]/);
  const intDigits = c.position - intStart;
  if (intDigits === 0) return c.fail("a number needs a digit");
  if (c.peek() !== ".") {
    if (intDigits > INTEGER_DIGITS_MAX) return c.fail(`an integer has at most ${INTEGER_DIGITS_MAX} digits`);
    return { type: "integer", value: Number(c.text.slice(start, c.position)) };
  }
  if (intDigits > 12) return c.fail("a decimal has at most 12 integer digits");
  c.position++;
  const fracStart = c.position;
  c.skip(/[0-9]/);
  const fracDigits = c.position - fracStart;
  if (fracDigits < 1 || fracDigits > 3) return c.fail("a decimal has 1 to 3 fraction digits");
  return { type: "decimal", value: Number(c.text.slice(start, c.position)) };
}

function parseString(c: Cursor): BareItem | Fail {
  c.position++;
  let value = "";
  while (!c.atEnd()) {
    const ch = c.peek();
    c.position++;
    if (ch === "\\") {
      if (c.peek() !== '"' && c.peek() !== "\\") return c.fail('a string escapes only " and \\');
      value += c.peek();
      c.position++;
    } else if (ch === '"') {
      return { type: "string", value };
    } else if (ch < " " || ch > "~") {
      return c.fail("a string holds printable ASCII only");
    } else {
      value += ch;
    }
  }
  return c.fail("a string is not closed");
}

function parseBytes(c: Cursor): BareItem | Fail {
  c.position++;
  const end = c.text.indexOf(":", c.position);
  if (end < 0) return c.fail("a byte sequence is not closed");
  const encoded = c.text.slice(c.position, end);
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) return c.fail("a byte sequence must be padded base64");
  const value = Buffer.from(encoded, "base64");
  if (value.toString("base64") !== encoded) return c.fail("a byte sequence must be canonical base64");
  c.position = end + 1;
  return { type: "bytes", value: new Uint8Array(value) };
}

function parseBareItem(c: Cursor): BareItem | Fail {
  const ch = c.peek();
  if (ch === "-" || (ch >= "0" && ch <= "9")) return parseNumber(c);
  if (ch === '"') return parseString(c);
  if (ch === ":") return parseBytes(c);
  if (ch === "?") {
    const bit = c.text.charAt(c.position + 1);
    if (bit !== "0" && bit !== "1") return c.fail("a boolean is ?0 or ?1");
    c.position += 2;
    return { type: "boolean", value: bit === "1" };
  }
  if (TOKEN_FIRST.test(ch)) {
    const start = c.position;
    c.position++;
    c.skip(TOKEN_CHAR);
    return { type: "token", value: c.text.slice(start, c.position) };
  }
  return c.fail("expected an item");
}

function parseParameters(c: Cursor): Parameters | Fail {
  const params = new Map<string, BareItem>();
  while (c.peek() === ";") {
    c.position++;
    c.skip(/ /);
    const key = parseKey(c);
    if (key instanceof Fail) return key;
    let value: BareItem | Fail = { type: "boolean", value: true };
    if (c.peek() === "=") {
      c.position++;
      value = parseBareItem(c);
      if (value instanceof Fail) return value;
    }
    params.delete(key);
    params.set(key, value);
  }
  return params;
}

function parseItem(c: Cursor): Item | Fail {
  const value = parseBareItem(c);
  if (value instanceof Fail) return value;
  const params = parseParameters(c);
  if (params instanceof Fail) return params;
  return { kind: "item", value, params };
}

function parseInnerList(c: Cursor): InnerList | Fail {
  c.position++;
  const items: Item[] = [];
  while (!c.atEnd()) {
    c.skip(/ /);
    if (c.peek() === ")") {
      c.position++;
      const params = parseParameters(c);
      if (params instanceof Fail) return params;
      return { kind: "inner-list", items, params };
    }
    const item = parseItem(c);
    if (item instanceof Fail) return item;
    items.push(item);
    if (c.peek() !== " " && c.peek() !== ")") return c.fail("inner list items are separated by spaces");
  }
  return c.fail("an inner list is not closed");
}

/**
 * Parses an RFC 8941 Dictionary (section 4.2.2). Invariant: each member's `text` is the exact
 * substring its value was parsed from; a repeated key keeps its last member, as RFC 8941 says, or
 * is refused with `rejectRepeatedKeys` (where two members could be read two ways).
 * @example parseDictionary('molt=("@method");created=1') // { ok: true, value: Map { "molt" => ... } }
 */
export function parseDictionary(
  text: string,
  options: { readonly rejectRepeatedKeys?: boolean } = {},
): ParseResult<ReadonlyMap<string, DictionaryMember>> {
  if (text.length > STRUCTURED_FIELD_LENGTH_MAX) return { ok: false, reason: `longer than ${STRUCTURED_FIELD_LENGTH_MAX} characters` };
  const c = new Cursor(text);
  const members = new Map<string, DictionaryMember>();
  c.skip(/ /);
  while (!c.atEnd()) {
    const key = parseKey(c);
    if (key instanceof Fail) return { ok: false, reason: key.reason };
    const start = c.position + (c.peek() === "=" ? 1 : 0);
    let value: Item | InnerList | Fail;
    if (c.peek() === "=") {
      c.position++;
      value = c.peek() === "(" ? parseInnerList(c) : parseItem(c);
    } else {
      const params = parseParameters(c);
      value = params instanceof Fail ? params : { kind: "item", value: { type: "boolean", value: true }, params };
    }
    if (value instanceof Fail) return { ok: false, reason: value.reason };
    if (options.rejectRepeatedKeys === true && members.has(key)) return { ok: false, reason: `the key ${key} is repeated` };
    members.delete(key);
    members.set(key, { value, text: text.slice(start, c.position) });
    c.skip(/[ \t]/);
    if (c.atEnd()) break;
    if (c.peek() !== ",") return { ok: false, reason: c.fail("dictionary members are separated by commas").reason };
    c.position++;
    c.skip(/[ \t]/);
    if (c.atEnd()) return { ok: false, reason: c.fail("a dictionary may not end with a comma").reason };
  }
  // Leading and trailing spaces are discarded (RFC 8941 section 4.2); a field with no member is empty.
  return { ok: true, value: members };
}

/** Serializes a string item: quoted, with `"` and `\` escaped (RFC 8941 section 4.1.6). */
export function serializeString(value: string): string {
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}
