// A provider's offers (active and paused) with pause / resume / withdraw, and the form to list a
// new one; each action signed in the browser through the MarketClient.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { OfferView } from "../../../src/contract/offers.js";
import { ActionMessages } from "../session/action-messages.js";
import type { Session } from "../session/session.js";
import { useAction } from "../session/use-action.js";
import { OfferTable } from "../offers/offer-table.js";
import type { OfferSort } from "../offers/offer-filter.js";
import { sortOffers } from "../offers/offer-filter.js";
import { UNKNOWN_REPUTATION, useOffers } from "../offers/use-offers.js";
import { AddOfferForm } from "./add-offer-form.js";

/** The provider side of the account. */
export function MyOffers(props: { readonly session: Session }): JSX.Element {
  const { session } = props;
  const [generation, setGeneration] = useState(0);
  const [sort, setSort] = useState<OfferSort>({ key: "model", ascending: true });
  const book = useOffers(generation, session.signer.address);
  const action = useAction();
  const reputationOf = (provider: string): number => book.reputations.get(provider) ?? UNKNOWN_REPUTATION;
  const act = (offer: OfferView, verb: "pause" | "resume" | "withdraw"): void => {
    void action
      .run(
        `${verb} ${offer.offerId}`,
        () => session.client.offerAction(offer.offerId, verb),
        (done) => `Offer ${done.offerId}: ${verb} done`,
      )
      .then(() => {
        setGeneration((n) => n + 1);
      });
  };
  const actionButton = (offer: OfferView, verb: "pause" | "resume" | "withdraw", label: string): JSX.Element => (
    <button
      type="button"
      class="secondary"
      disabled={action.busy !== undefined}
      onClick={() => {
        act(offer, verb);
      }}
    >
      {label} <span class="mono">{offer.offerId.slice(-6)}</span>
    </button>
  );
  const buttons = (offer: OfferView): JSX.Element => (
    <div class="actions">
      {offer.status === "Active" ? actionButton(offer, "pause", "Pause") : actionButton(offer, "resume", "Resume")}
      {actionButton(offer, "withdraw", "Withdraw")}
    </div>
  );
  return (
    <section class="card" aria-labelledby="my-offers-title">
      <h2 id="my-offers-title">My offers</h2>
      <ActionMessages state={action} />
      {book.error === undefined ? null : (
        <p role="alert" class="alert">
          {book.error}
        </p>
      )}
      {book.loading ? (
        <p class="muted">Loading…</p>
      ) : (
        <OfferTable
          offers={sortOffers(book.offers, sort, reputationOf)}
          sort={sort}
          onSort={setSort}
          reputationOf={reputationOf}
          caption={`${book.offers.length} offers of this wallet`}
          actions={buttons}
        />
      )}
      <AddOfferForm
        session={session}
        onListed={() => {
          setGeneration((n) => n + 1);
        }}
      />
    </section>
  );
}
