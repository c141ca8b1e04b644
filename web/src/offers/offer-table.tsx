// The Offers table: sortable column headers (buttons, with aria-sort), one page of rows at a time.
import type { ComponentChildren, JSX } from "preact";
import { useState } from "preact/hooks";
import type { OfferView } from "../../../src/contract/offers.js";
import { shortId } from "../format.js";
import type { OfferSort, OfferSortKey } from "./offer-filter.js";

/** Rows per page. */
export const OFFER_ROWS_PER_PAGE = 20;

function SortHeader(props: {
  readonly column: OfferSortKey;
  readonly sort: OfferSort;
  readonly onSort: (sort: OfferSort) => void;
  readonly numeric?: boolean;
  readonly children: ComponentChildren;
}): JSX.Element {
  const active = props.sort.key === props.column;
  return (
    <th
      scope="col"
      class={props.numeric === true ? "num" : undefined}
      aria-sort={active ? (props.sort.ascending ? "ascending" : "descending") : "none"}
    >
      <button
        type="button"
        class="sort"
        onClick={() => {
          props.onSort({ key: props.column, ascending: active ? !props.sort.ascending : true });
        }}
      >
        {props.children}
        {active ? (props.sort.ascending ? " ▲" : " ▼") : ""}
      </button>
    </th>
  );
}

/** The sorted, filtered offers, paged; `actions` renders a last cell per row when given. */
export function OfferTable(props: {
  readonly offers: readonly OfferView[];
  readonly sort: OfferSort;
  readonly onSort: (sort: OfferSort) => void;
  readonly reputationOf: (provider: string) => number;
  readonly caption: string;
  readonly actions?: (offer: OfferView) => JSX.Element;
}): JSX.Element {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(props.offers.length / OFFER_ROWS_PER_PAGE));
  const current = Math.min(page, pages - 1);
  const rows = props.offers.slice(current * OFFER_ROWS_PER_PAGE, (current + 1) * OFFER_ROWS_PER_PAGE);
  const header = { sort: props.sort, onSort: props.onSort };
  return (
    <div>
      <div class="scroll">
        <table>
          <caption>{props.caption}</caption>
          <thead>
            <tr>
              <SortHeader column="model" {...header}>
                Model
              </SortHeader>
              <SortHeader column="vram" numeric {...header}>
                VRAM (GB)
              </SortHeader>
              <SortHeader column="gpus" numeric {...header}>
                Free GPUs
              </SortHeader>
              <SortHeader column="price" numeric {...header}>
                MOLT / GPU-hour
              </SortHeader>
              <SortHeader column="region" {...header}>
                Region
              </SortHeader>
              <th scope="col">Features</th>
              <SortHeader column="reputation" numeric {...header}>
                Reputation
              </SortHeader>
              <th scope="col">Provider</th>
              <th scope="col">Status</th>
              {props.actions === undefined ? null : <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={10} class="muted">
                  No offer passes the filter.
                </td>
              </tr>
            ) : null}
            {rows.map((offer) => (
              <tr key={offer.offerId}>
                <th scope="row">{offer.gpuModel}</th>
                <td class="num">{offer.vramGb}</td>
                <td class="num">
                  {offer.freeGpus} / {offer.gpuCount}
                </td>
                <td class="num">{offer.pricePerHour}</td>
                <td>{[offer.region, offer.country].filter((part) => part !== undefined).join(", ") || "any"}</td>
                <td>{offer.features.join(", ")}</td>
                <td class="num">{props.reputationOf(offer.providerId).toFixed(2)}</td>
                <td class="mono" title={offer.providerId}>
                  {shortId(offer.providerId)}
                </td>
                <td>{offer.status}</td>
                {props.actions === undefined ? null : <td>{props.actions(offer)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages of offers">
        <button
          type="button"
          class="secondary"
          disabled={current === 0}
          onClick={() => {
            setPage(current - 1);
          }}
        >
          Previous page
        </button>
        <span>
          Page {current + 1} of {pages} ({props.offers.length} offers)
        </span>
        <button
          type="button"
          class="secondary"
          disabled={current >= pages - 1}
          onClick={() => {
            setPage(current + 1);
          }}
        >
          Next page
        </button>
      </nav>
    </div>
  );
}
