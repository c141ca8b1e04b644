// The book's depth for one model: asks (offers' free GPUs per price) and bids (resting orders' GPUs
// per max price), best first.
import type { JSX } from "preact";
import type { DepthView } from "../../../src/contract/market-history.js";

function Side(props: { readonly title: string; readonly levels: DepthView["asks"] }): JSX.Element {
  return (
    <table>
      <caption>{props.title}</caption>
      <thead>
        <tr>
          <th scope="col" class="num">
            Price
          </th>
          <th scope="col" class="num">
            GPUs
          </th>
          <th scope="col" class="num">
            {props.title === "Asks" ? "Offers" : "Orders"}
          </th>
        </tr>
      </thead>
      <tbody>
        {props.levels.length === 0 ? (
          <tr>
            <td colSpan={3} class="muted">
              none
            </td>
          </tr>
        ) : (
          props.levels.map((level) => (
            <tr key={level.price}>
              <td class="num">{level.price}</td>
              <td class="num">{level.gpus}</td>
              <td class="num">{level.count}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

/** Asks and bids side by side. */
export function DepthTable(props: { readonly depth: DepthView }): JSX.Element {
  return (
    <div class="grid">
      <div class="scroll">
        <Side title="Asks" levels={props.depth.asks.slice(0, 12)} />
      </div>
      <div class="scroll">
        <Side title="Bids" levels={props.depth.bids.slice(0, 12)} />
      </div>
      {props.depth.partial ? <p class="muted">Partial: the book is larger than one depth scan.</p> : null}
    </div>
  );
}
