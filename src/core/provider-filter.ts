// An order's hard provider filters (`requirements.providers`): the only providers it takes
// (`allow`) and those it never takes (`deny`). Validation only; the book compiles them
// (orderbook/query.ts). Pure, no I/O.
import { MarketError, describeValue } from "./errors.js";
import { PROVIDER_FILTER_MAX } from "./limits.js";
import type { ProviderFilter } from "./types.js";
import { asRecord, parsePartyId } from "./validate.js";

/** A list of party ids, deduplicated in first-seen order. @throws INVALID_FIELD (not a list, too long, a bad id) */
function parseProviderList(value: unknown, field: string, minLength: number): readonly string[] {
  if (!Array.isArray(value) || value.length < minLength || value.length > PROVIDER_FILTER_MAX) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: Array.isArray(value) ? `a list of ${value.length}` : describeValue(value),
      allowed: `a list of ${minLength}..${PROVIDER_FILTER_MAX} provider ids`,
    });
  }
  const ids: string[] = [];
  (value as unknown[]).forEach((id, i) => {
    const valid = parsePartyId(id, `${field}[${i}]`);
    if (!ids.includes(valid)) ids.push(valid);
  });
  return Object.freeze(ids);
}

/**
 * Checks and normalizes `requirements.providers`: `{ allow?, deny? }`, each a list of at most
 * PROVIDER_FILTER_MAX party ids, deduplicated; `allow` non-empty when given; no id in both.
 * Returns a frozen copy, or undefined when neither list is given.
 * @throws INVALID_FIELD (not an object, an unknown key, a list empty, too long or with a bad id, an id in both lists)
 */
export function parseProviderFilter(value: unknown, field = "requirements.providers"): ProviderFilter | undefined {
  const raw = asRecord(value, field, "{ allow?, deny? }: lists of provider ids");
  for (const key of Object.keys(raw)) {
    if (key !== "allow" && key !== "deny") {
      throw new MarketError("INVALID_FIELD", { field: `${field}.${key}`, value: "present", allowed: "only allow and deny" });
    }
  }
  const allow = raw.allow === undefined ? undefined : parseProviderList(raw.allow, `${field}.allow`, 1);
  const deny = raw.deny === undefined ? undefined : parseProviderList(raw.deny, `${field}.deny`, 0);
  const both = allow?.find((id) => deny?.includes(id) === true);
  if (both !== undefined) {
    throw new MarketError("INVALID_FIELD", {
      field: `${field}.deny`,
      value: describeValue(both),
      allowed: "ids not also in allow: a provider cannot be both allowed and denied",
    });
  }
  if (allow === undefined && (deny === undefined || deny.length === 0)) return undefined;
  return Object.freeze({
    ...(allow === undefined ? {} : { allow }),
    ...(deny === undefined || deny.length === 0 ? {} : { deny }),
  });
}
