// Reads of the market's public API from the page (same origin, no signature), typed by the wire
// contract. Signed actions never go through here: they go through the MarketClient (session.ts).
import type { ErrorAnswer } from "../../src/contract/common.js";

/** A read that failed: the server's { code, message } or the network's reason. */
export class ReadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The query string of `params`, leaving out undefined and empty values. */
export function queryString(params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== "") search.set(name, String(value));
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/** GETs `path` of the market's API and parses its JSON. @throws ReadError with the server's code and message, or NETWORK */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: "application/json" }, ...(signal === undefined ? {} : { signal }) });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ReadError("NETWORK", `the market server did not answer ${path}`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const answer = body as Partial<ErrorAnswer> | undefined;
    throw new ReadError(answer?.code ?? `HTTP_${response.status}`, answer?.message ?? `${path} answered ${response.status}`);
  }
  return body as T;
}
