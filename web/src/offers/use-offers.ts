// The book's offers for the Offers table (every page up to offersLoadedMax) and the reputation of
// each provider among them (GET /v1/providers/{address}, providersLoadedMax at most).
import { useEffect, useState } from "preact/hooks";
import type { OfferView } from "../../../src/contract/offers.js";
import type { ProviderView } from "../../../src/contract/providers.js";
import { getJson, queryString } from "../api.js";

/** Named bounds of what the page loads. */
export const OFFER_LOAD_LIMITS = {
  /** Offers per request (the route's page maximum). */
  pageSize: 100,
  /** Offers loaded at most; the table says when the book holds more. */
  offersLoadedMax: 2000,
  /** Providers whose reputation is asked at most. */
  providersLoadedMax: 200,
} as const;

/** The reputation the market gives a provider it knows nothing about (its prior: 1 success, 1 failure). */
export const UNKNOWN_REPUTATION = 0.5;

/** What the page knows of the book. */
export interface OffersState {
  readonly offers: readonly OfferView[];
  readonly reputations: ReadonlyMap<string, number>;
  readonly loading: boolean;
  readonly truncated: boolean;
  readonly error: string | undefined;
}

/** Every offer of the book (up to offersLoadedMax), of one provider when given; re-read when `generation` changes. */
export function useOffers(generation: number, provider?: string): OffersState {
  const [state, setState] = useState<OffersState>({
    offers: [],
    reputations: new Map(),
    loading: true,
    truncated: false,
    error: undefined,
  });
  useEffect(() => {
    const controller = new AbortController();
    const load = async (): Promise<void> => {
      const offers: OfferView[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await getJson<{ offers: OfferView[] }>(
          `/v1/offers${queryString({ provider, after, limit: OFFER_LOAD_LIMITS.pageSize })}`,
          controller.signal,
        );
        offers.push(...page.offers);
        const last = page.offers.at(-1);
        if (page.offers.length < OFFER_LOAD_LIMITS.pageSize || last === undefined || offers.length >= OFFER_LOAD_LIMITS.offersLoadedMax) {
          const truncated = page.offers.length === OFFER_LOAD_LIMITS.pageSize && offers.length >= OFFER_LOAD_LIMITS.offersLoadedMax;
          setState((s) => ({ ...s, offers, loading: false, truncated, error: undefined }));
          break;
        }
        after = last.offerId;
      }
      const providers = [...new Set(offers.map((offer) => offer.providerId))].slice(0, OFFER_LOAD_LIMITS.providersLoadedMax);
      const answers = await Promise.all(
        providers.map((address) =>
          getJson<ProviderView>(`/v1/providers/${encodeURIComponent(address)}`, controller.signal).then(
            (view) => [address, view.estimate] as const,
            () => [address, UNKNOWN_REPUTATION] as const,
          ),
        ),
      );
      setState((s) => ({ ...s, reputations: new Map(answers) }));
    };
    load().catch((e: unknown) => {
      if (controller.signal.aborted) return;
      setState((s) => ({ ...s, loading: false, error: e instanceof Error ? e.message : String(e) }));
    });
    return () => {
      controller.abort();
    };
  }, [generation, provider]);
  return state;
}
