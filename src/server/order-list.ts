// GET /v1/orders: a party's orders, newest first, a page at a time, from the store (every status,
// including those the book no longer holds). Reads only; the mapping is orderJson's.
import type { Static } from "@sinclair/typebox";
import { ORDER_PAGE_MAX } from "../contract/order-list.js";
import type { OrderListQuery, OrderListView } from "../contract/order-list.js";
import { OrderStatus } from "../core/enums.js";
import { MarketError, assertIntInRange } from "../core/errors.js";
import { isOrderId } from "../core/ids.js";
import type { Marketplace } from "../market/marketplace.js";
import { viewOf } from "../market/views.js";
import { orderJsonWith } from "./views.js";

const STATUSES: readonly string[] = Object.values(OrderStatus);

/** The statuses of a comma-separated filter. @throws INVALID_FIELD (an unknown status) */
function statusesOf(text: string): string[] {
  const statuses = text.split(",").map((status) => status.trim());
  const unknown = statuses.find((status) => !STATUSES.includes(status));
  if (unknown !== undefined)
    throw new MarketError("INVALID_FIELD", {
      field: "status",
      value: JSON.stringify(unknown),
      allowed: `order statuses separated by commas, of ${STATUSES.join(", ")}`,
    });
  return statuses;
}

/**
 * A page of the orders of `query.buyer` and/or `query.provider`, newest first, at most `limit`
 * (default and max ORDER_PAGE_MAX); `next` is set when more follow. Invariant: following `next`
 * lists every matching order once.
 * @throws INVALID_FIELD (neither party, a bad status), OUT_OF_RANGE (limit), INVALID_ID (after), STORE_ERROR
 */
export async function listOrders(market: Marketplace, query: Static<typeof OrderListQuery>): Promise<OrderListView> {
  if (query.buyer === undefined && query.provider === undefined)
    throw new MarketError("INVALID_FIELD", {
      field: "query",
      value: "neither buyer nor provider",
      allowed: "buyer=<address> and/or provider=<address>",
    });
  const limit = Number(query.limit ?? ORDER_PAGE_MAX);
  assertIntInRange("limit", limit, 1, ORDER_PAGE_MAX);
  if (query.after !== undefined && !isOrderId(query.after))
    throw new MarketError("INVALID_ID", { kind: "order", value: query.after, expected: "an order id from the previous page's next" });
  // One row more than the page tells whether another page follows.
  const rows = await market.store.listOrders({
    ...(query.buyer === undefined ? {} : { buyerId: query.buyer }),
    ...(query.provider === undefined ? {} : { providerId: query.provider }),
    ...(query.status === undefined ? {} : { statuses: statusesOf(query.status) }),
    ...(query.after === undefined ? {} : { beforeId: query.after }),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  // The page's escrows in one read, not one each.
  const escrows = await market.store.getEscrows(page.flatMap((row) => (row.escrowId === null ? [] : [row.escrowId])));
  const orders = page.map((row) => orderJsonWith(market, viewOf(row), row.escrowId === null ? undefined : escrows.get(row.escrowId)));
  return { orders, next: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}
