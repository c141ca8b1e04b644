// The wire contract of a party's order list: GET /v1/orders?buyer=|provider=, every status, newest
// first, a page at a time, each order exactly as GET /v1/orders/{id} answers it. Pure.
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { OrderStatus } from "../core/enums.js";
import { AddressText, QueryInt } from "./common.js";
import { OrderViewBody } from "./orders.js";

/** Most orders one page of GET /v1/orders holds (the default page). */
export const ORDER_PAGE_MAX = 100;
/** Longest status filter a query carries: every status once, comma-separated. */
const STATUS_FILTER_LENGTH_MAX = Object.values(OrderStatus).join(",").length;

/** GET /v1/orders: a buyer's and/or a provider's orders (both: orders of that buyer matched to that provider). */
export const OrderListQuery = Type.Object(
  {
    buyer: Type.Optional(AddressText),
    provider: Type.Optional(AddressText),
    status: Type.Optional(
      Type.String({
        maxLength: STATUS_FILTER_LENGTH_MAX,
        description: `only orders in these statuses, comma-separated: ${Object.values(OrderStatus).join(", ")} (default: every status)`,
      }),
    ),
    after: Type.Optional(Type.String({ maxLength: 64, description: "the `next` of the previous page: orders older than this order id" })),
    limit: Type.Optional(QueryInt),
  },
  { additionalProperties: false },
);
/** A page of orders, newest first; `next` is the `after` of the following page, null on the last one. */
export const OrderListBody = Type.Object({
  orders: Type.Array(OrderViewBody),
  next: Type.Union([Type.String(), Type.Null()], { description: "pass as after= for the next page; null: this is the last page" }),
});
/** A page of a party's orders, as the server sends it. */
export type OrderListView = Static<typeof OrderListBody>;
