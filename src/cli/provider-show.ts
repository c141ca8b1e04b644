// `molt-market provider show ADDRESS`: a provider's reputation as the market explains it — outcome
// counts, uptime, the estimate with its prior, and recent outcomes — as text for people or --json.
import { parseArgs } from "node:util";
import { MarketClient } from "../client/client.js";
import type { ProviderView } from "../contract/providers.js";
import { parseAddress } from "../core/address.js";
import { MarketError } from "../core/errors.js";
import { DEFAULT_SERVER_URL, serverUrl } from "./defaults.js";

/** Usage of `molt-market provider show`. */
export const PROVIDER_SHOW_USAGE = `Usage: molt-market provider show ADDRESS [--server URL] [--json]

Prints a provider's reputation: jobs settled, failed (exit status), lost, timed out, disputes won
and lost, uptime from usage receipts, the estimate the match score uses (a Beta prior, recent
outcomes weighing more) and its recent outcomes.

Options:
  --server URL   the market server (default $MOLT_SERVER_URL or ${DEFAULT_SERVER_URL}); without a scheme, http:// is assumed
  --json         print the server's answer as JSON instead of text
  --help         show this help
`;

const DAY_MS = 86_400_000;

/** A provider's reputation as text for people. */
export function providerText(view: ProviderView): string {
  const c = view.counts;
  const lines = [
    `provider ${view.providerId}`,
    `  estimate    ${view.estimate.toFixed(4)}  = (${view.prior.successes} + ${view.successWeight.toFixed(3)}) / (${view.prior.successes} + ${view.prior.failures} + ${view.successWeight.toFixed(3)} + ${view.failureWeight.toFixed(3)})`,
    `  prior       Beta(${view.prior.successes}, ${view.prior.failures}), half-life ${view.prior.halfLifeMs / DAY_MS} days`,
    `  settled ${c.settled}  failed ${c.failedExitStatus}  lost ${c.lost}  timed out ${c.timedOut}  disputes won ${c.disputeWon} lost ${c.disputeLost}`,
    `  uptime      ${view.uptime === null ? "no receipts" : `${(view.uptime * 100).toFixed(1)}%`}`,
  ];
  if (view.recent.length === 0) lines.push("  no outcomes yet: the prior mean");
  else {
    lines.push("  recent outcomes:");
    for (const outcome of view.recent)
      lines.push(`    ${new Date(outcome.atMs).toISOString()}  ${outcome.outcome.padEnd(16)}  ${outcome.orderId}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Runs `provider show` and returns what to print. @throws INVALID_FIELD (no address), INVALID_ADDRESS, the server's MarketError */
export async function showProvider(args: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      server: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return PROVIDER_SHOW_USAGE;
  if (positionals.length !== 1)
    throw new MarketError("INVALID_FIELD", {
      field: "ADDRESS",
      value: JSON.stringify(positionals.join(" ")),
      allowed: "one provider address",
    });
  const address = parseAddress(positionals[0]);
  const client = new MarketClient({ baseUrl: serverUrl(values.server, env) });
  const view = await client.provider(address);
  return values.json ? `${JSON.stringify(view, null, 2)}\n` : providerText(view);
}
