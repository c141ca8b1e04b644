// Location of an offer (region + ISO 3166-1 alpha-2 country) and the location an order requires.
// Pure, no I/O.
import { MarketError, describeValue } from "./errors.js";

/** Where an offer's GPUs are. */
export interface Location {
  /** Cloud-style region name, lowercase: "us-east-1", "eu-west-2". */
  readonly region: string;
  /** ISO 3166-1 alpha-2 country code, uppercase: "US". */
  readonly country: string;
}

/** Where an order's job may run: a region, a country, or both. */
export interface LocationRequirement {
  readonly region?: string;
  readonly country?: string;
}

/** Longest region name. */
export const REGION_LENGTH_MAX = 64;
const REGION_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

// The 249 officially assigned ISO 3166-1 alpha-2 codes.
const COUNTRY_CODES = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO " +
    "JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR " +
    "MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO " +
    "RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV " +
    "TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" "),
);

/** Number of codes in the ISO 3166-1 alpha-2 list we accept. */
export const COUNTRY_CODE_COUNT = COUNTRY_CODES.size;

/** Is `value` an assigned ISO 3166-1 alpha-2 code (uppercase). */
export function isCountryCode(value: unknown): value is string {
  return typeof value === "string" && COUNTRY_CODES.has(value);
}

/** Normalizes a country code to uppercase and checks it. @throws INVALID_FIELD */
export function parseCountry(value: unknown, field = "location.country"): string {
  // Upper-case ASCII only: Unicode case mapping turns "ß" into "SS".
  const upper = typeof value === "string" && /^[A-Za-z]{2}$/.test(value) ? value.toUpperCase() : value;
  if (!isCountryCode(upper)) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: describeValue(value),
      allowed: "an ISO 3166-1 alpha-2 country code such as US, DE, JP",
    });
  }
  return upper;
}

/** Normalizes a region name to lowercase and checks it. @throws INVALID_FIELD */
export function parseRegion(value: unknown, field = "location.region"): string {
  const lower = typeof value === "string" && /^[A-Za-z0-9-]*$/.test(value) ? value.toLowerCase() : value;
  if (typeof lower !== "string" || lower.length === 0 || lower.length > REGION_LENGTH_MAX || !REGION_PATTERN.test(lower)) {
    throw new MarketError("INVALID_FIELD", {
      field,
      value: describeValue(value),
      allowed: `1..${REGION_LENGTH_MAX} lowercase letters, digits and single dashes, like "us-east-1"`,
    });
  }
  return lower;
}

/** Checks and normalizes an offer's location. @throws INVALID_FIELD */
export function parseLocation(value: unknown, field = "location"): Location {
  if (typeof value !== "object" || value === null) {
    throw new MarketError("INVALID_FIELD", { field, value: describeValue(value), allowed: "{ region, country }" });
  }
  const { region, country } = value as Record<string, unknown>;
  return Object.freeze({ region: parseRegion(region, `${field}.region`), country: parseCountry(country, `${field}.country`) });
}

/** Checks and normalizes an order's location requirement: region and/or country. @throws INVALID_FIELD */
export function parseLocationRequirement(value: unknown, field = "requirements.location"): LocationRequirement {
  if (typeof value !== "object" || value === null) {
    throw new MarketError("INVALID_FIELD", { field, value: describeValue(value), allowed: "{ region?, country? } with at least one" });
  }
  const { region, country } = value as Record<string, unknown>;
  if (region === undefined && country === undefined) {
    throw new MarketError("INVALID_FIELD", { field, value: "{}", allowed: "{ region?, country? } with at least one" });
  }
  return Object.freeze({
    ...(region === undefined ? {} : { region: parseRegion(region, `${field}.region`) }),
    ...(country === undefined ? {} : { country: parseCountry(country, `${field}.country`) }),
  });
}
