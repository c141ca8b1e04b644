// What every route plugin is given: the market it serves and the clock it reads. Types only.
import type { Clock } from "../../core/clock.js";
import type { Marketplace } from "../../market/marketplace.js";

/** The options of a route plugin. */
export interface RouteDeps {
  readonly market: Marketplace;
  readonly clock: Clock;
}
