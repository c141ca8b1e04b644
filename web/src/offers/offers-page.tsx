// The Offers page: the book's offers with filter, sort and pages, and the quote form.
import type { JSX } from "preact";
import { useMemo, useState } from "preact/hooks";
import { FilterForm } from "./filter-form.js";
import { NO_FILTER, passes, sortOffers } from "./offer-filter.js";
import type { OfferFilter, OfferSort } from "./offer-filter.js";
import { OfferTable } from "./offer-table.js";
import { QuoteForm } from "./quote-form.js";
import { UNKNOWN_REPUTATION, useOffers } from "./use-offers.js";

/** Offers and quotes. */
export function OffersPage(): JSX.Element {
  const book = useOffers(0);
  const [filter, setFilter] = useState<OfferFilter>(NO_FILTER);
  const [sort, setSort] = useState<OfferSort>({ key: "price", ascending: true });
  const reputationOf = (provider: string): number => book.reputations.get(provider) ?? UNKNOWN_REPUTATION;
  const features = useMemo(() => [...new Set(book.offers.flatMap((offer) => offer.features))].sort(), [book.offers]);
  const shown = sortOffers(
    book.offers.filter((offer) => passes(offer, filter, reputationOf(offer.providerId))),
    sort,
    reputationOf,
  );
  return (
    <div class="stack">
      <h1>Offers</h1>
      <QuoteForm />
      <section class="card" aria-labelledby="book-title">
        <h2 id="book-title">Offers in the book</h2>
        <FilterForm filter={filter} features={features} onChange={setFilter} />
        {book.error === undefined ? null : (
          <p role="alert" class="alert">
            {book.error}
          </p>
        )}
        {book.loading ? (
          <p class="muted">Loading…</p>
        ) : (
          <OfferTable
            offers={shown}
            sort={sort}
            onSort={setSort}
            reputationOf={reputationOf}
            caption={`${shown.length} of ${book.offers.length} offers${book.truncated ? " (the first ones of a larger book)" : ""}`}
          />
        )}
      </section>
    </div>
  );
}
