// A quote's ranked matches: cost with the platform's fee (what the buyer pays, of which the fee,
// and what the provider is paid), the score and the parts it is the sum of; or why nothing matched.
import type { JSX } from "preact";
import { Amount } from "../../../src/core/amount.js";
import type { ExplanationView, MatchView } from "../../../src/contract/orders.js";
import { percent, shortId } from "../format.js";

const PARTS = [
  ["priceHeadroom", "price headroom"],
  ["gpuFit", "GPU fit"],
  ["vramFit", "VRAM fit"],
  ["preferredModel", "preferred model"],
  ["extraFeatures", "extra features"],
  ["reputation", "reputation"],
  ["utilization", "utilization"],
] as const;

/** What the provider is paid of a full run: total cost less the platform's fee, exact. */
function providerGets(match: MatchView): string {
  return Amount.parse(match.totalCost).sub(Amount.parse(match.platformFee)).toString();
}

/** The matches of a quote, best first, or the explanation of a miss. */
export function QuoteResults(props: {
  readonly matches: readonly MatchView[];
  readonly explanation: ExplanationView | undefined;
}): JSX.Element {
  if (props.matches.length === 0)
    return (
      <p role="status">
        No offer matches. {props.explanation?.message ?? ""}
        {props.explanation !== undefined && props.explanation.onOffer.length > 0
          ? ` On offer: ${props.explanation.onOffer.join(", ")}.`
          : ""}
      </p>
    );
  return (
    <div class="scroll">
      <table>
        <caption>
          {props.matches.length} ranked matches (the buyer pays the total, fee included; the fee comes out of the provider's payment)
        </caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              Rank
            </th>
            <th scope="col">Offer</th>
            <th scope="col">Provider</th>
            <th scope="col" class="num">
              GPUs × hours
            </th>
            <th scope="col" class="num">
              MOLT / GPU-hour
            </th>
            <th scope="col" class="num">
              Total (incl. fee)
            </th>
            <th scope="col" class="num">
              Fee
            </th>
            <th scope="col" class="num">
              Provider gets
            </th>
            <th scope="col" class="num">
              Score
            </th>
            <th scope="col">Score breakdown</th>
          </tr>
        </thead>
        <tbody>
          {props.matches.map((match, index) => (
            <tr key={match.offerId}>
              <td class="num">{index + 1}</td>
              <th scope="row" class="mono" title={match.offerId}>
                {shortId(match.offerId, 6)}
              </th>
              <td class="mono" title={match.providerId}>
                {shortId(match.providerId)}
              </td>
              <td class="num">
                {match.gpuCount} × {match.hours}
              </td>
              <td class="num">{match.pricePerHour}</td>
              <td class="num">{match.totalCost} MOLT</td>
              <td class="num">
                {match.platformFee} ({(match.feeBps / 100).toFixed(2)}%)
              </td>
              <td class="num">{providerGets(match)}</td>
              <td class="num">{percent(match.score)}</td>
              <td>{PARTS.map(([key, label]) => `${label} ${match.scoreBreakdown[key].toFixed(3)}`).join(" + ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
