// Per GPU model: active offers, free GPUs, lowest and median price per GPU-hour; a row's button
// selects the model the chart and the depth show.
import type { JSX } from "preact";
import type { StatsView } from "../../../src/contract/market-data.js";

/** The table of GPU models. */
export function ModelTable(props: {
  readonly stats: StatsView;
  readonly selected: string | undefined;
  readonly onSelect: (model: string) => void;
}): JSX.Element {
  if (props.stats.models.length === 0) return <p class="muted">No active offers yet.</p>;
  return (
    <div class="scroll">
      <table>
        <caption>GPU models on offer (prices in MOLT per GPU-hour)</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" class="num">
              Offers
            </th>
            <th scope="col" class="num">
              Free GPUs
            </th>
            <th scope="col" class="num">
              Lowest
            </th>
            <th scope="col" class="num">
              Median
            </th>
            <th scope="col">Chart</th>
          </tr>
        </thead>
        <tbody>
          {props.stats.models.map((model) => (
            <tr key={model.gpuModel}>
              <th scope="row">{model.gpuModel}</th>
              <td class="num">{model.offers}</td>
              <td class="num">{model.freeGpus}</td>
              <td class="num">{model.lowestPrice}</td>
              <td class="num">{model.medianPrice}</td>
              <td>
                <button
                  type="button"
                  class="secondary"
                  aria-pressed={props.selected === model.gpuModel}
                  onClick={() => {
                    props.onSelect(model.gpuModel);
                  }}
                >
                  Show {model.gpuModel}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
