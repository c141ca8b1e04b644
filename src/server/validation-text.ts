// Request validation failures (Ajv's errors, as Fastify reports them) in the user's words: the field
// as the request names it (requirements.minGpuCount, limit), the value sent, and what is allowed,
// never a schema path or a regular expression. Pure, no I/O.
import { AddressText, Base64, Decimal, Digest, QueryInt, QuerySeq, SignatureHex } from "../contract/common.js";
import { MOLT_DECIMALS } from "../core/amount.js";
import { FEATURES, PRIORITIES } from "../core/enums.js";
import { MarketError, describeValue } from "../core/errors.js";

/** One Ajv error, as far as these words need it. */
export interface ValidationIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** What each pattern of the contract means, in words. */
const PATTERN_WORDS: ReadonlyMap<unknown, string> = new Map([
  [Decimal.pattern, `a decimal MOLT amount like 2.5, with at most ${MOLT_DECIMALS} decimals`],
  [QueryInt.pattern, "a whole number, e.g. 10"],
  [QuerySeq.pattern, "a whole number (an event seq), e.g. 0"],
  [AddressText.pattern, "a Solana address: base58, 32 to 44 characters"],
  [Digest.pattern, "a SHA-256 digest: 64 lowercase hex characters"],
  [SignatureHex.pattern, "an ed25519 signature: 128 lowercase hex characters"],
  [Base64(4).pattern, "base64 text"],
]);

const TYPE_WORDS: Readonly<Record<string, string>> = {
  integer: "a whole number",
  number: "a number",
  string: "text (a JSON string)",
  boolean: "true or false",
  object: "a JSON object",
  array: "a JSON array",
  null: "null",
};

/** The JSON pointer `path` as a dotted field name ("requirements.minGpuCount", "features[1]"). */
function fieldOf(path: string): string {
  return path
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : field === "" ? part : `${field}.${part}`), "");
}

/** The value at JSON pointer `path` in `data`, or undefined. */
function valueAt(data: unknown, path: string): unknown {
  let value = data;
  for (const part of path.split("/").slice(1)) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return value;
}

/** What the field of `issue` allows, in words. */
function allowedOf(issue: ValidationIssue, field: string): string {
  const p = issue.params;
  const last = field.split(".").pop() ?? "";
  switch (issue.keyword) {
    case "pattern":
      return PATTERN_WORDS.get(p.pattern) ?? "text in the format /docs gives for it";
    case "type":
      return TYPE_WORDS[String(p.type)] ?? `a ${String(p.type)}`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `a number ${String(p.comparison)} ${String(p.limit)}`;
    case "minLength":
      return `text of at least ${String(p.limit)} characters`;
    case "maxLength":
      return `text of at most ${String(p.limit)} characters`;
    case "minItems":
      return `a list of at least ${String(p.limit)} items`;
    case "maxItems":
      return `a list of at most ${String(p.limit)} items`;
    case "format":
      return p.format === "date-time" ? "an ISO 8601 time like 2026-03-01T00:00:00Z" : `a ${String(p.format)}`;
    case "enum":
      return `one of ${Array.isArray(p.allowedValues) ? p.allowedValues.join(", ") : "the values /docs lists"}`;
    case "const":
    case "anyOf":
      if (/features/i.test(field)) return `one of ${FEATURES.join(", ")}`;
      if (last === "priority") return `one of ${PRIORITIES.join(", ")}`;
      return "one of the values /docs lists for it";
    default:
      return "a value as /docs describes it";
  }
}

/**
 * The MarketError of a failed validation of the request's `context` part (body, querystring,
 * headers) holding `data`. Invariant: INVALID_FIELD naming the field as the request does, with the
 * value sent (short) and what is allowed in words; never a schema path or a pattern. Never throws.
 */
export function validationError(
  issues: readonly ValidationIssue[],
  context: string | undefined,
  data: unknown,
): MarketError<"INVALID_FIELD"> {
  // A union's branches each report an error; the union's own (anyOf) says it best.
  const issue = issues.find((i) => i.keyword === "anyOf") ?? issues[0];
  const where = context === "querystring" ? "query" : (context ?? "request");
  if (issue === undefined)
    return new MarketError("INVALID_FIELD", { field: where, value: "as sent", allowed: "a request as /docs describes it" });
  const p = issue.params;
  if (issue.keyword === "required") {
    const field = fieldOf(`${issue.instancePath}/${String(p.missingProperty)}`);
    return new MarketError("INVALID_FIELD", { field, value: "missing", allowed: "this request needs it (see /docs)" });
  }
  if (issue.keyword === "additionalProperties") {
    const field = fieldOf(`${issue.instancePath}/${String(p.additionalProperty)}`);
    return new MarketError("INVALID_FIELD", {
      field,
      value: "(unknown field)",
      allowed: `only the fields /docs lists for this ${context === "querystring" ? "query" : "request"}`,
    });
  }
  const field = fieldOf(issue.instancePath) || (context === "body" ? "body" : where);
  return new MarketError("INVALID_FIELD", {
    field,
    value: describeValue(valueAt(data, issue.instancePath)),
    allowed: allowedOf(issue, field),
  });
}
