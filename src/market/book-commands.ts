// Commands on the book: offers (add, pause, resume, withdraw) and orders (submit, cancel), with the
// per-wallet caps and the backing of orders. Each runs as one command of a group commit.
import { Amount } from "../core/amount.js";
import type { Address } from "../core/address.js";
import { isAddress } from "../core/address.js";
import type { Clock } from "../core/clock.js";
import { MarketError } from "../core/errors.js";
import { isOfferId, isOrderId } from "../core/ids.js";
import { createOffer } from "../core/offer.js";
import type { CreateOfferInput } from "../core/offer.js";
import { createOrder } from "../core/order.js";
import type { CreateOrderInput } from "../core/order.js";
import type { BookOffer, JobOrder, OrderMatch } from "../core/types.js";
import type { OrderBook } from "../orderbook/order-book.js";
import type { PaymentService } from "../payments/payment-service.js";
import type { StoreWriter } from "../store/store.js";
import type { BatchBuilder } from "./batch.js";
import { matchFromJson, matchTotalCostBaseUnits, matchToJson } from "./codec.js";
import type { UnfundedMatches } from "./unfunded-matches.js";
import type { CommandQueue } from "./command-queue.js";
import type { MarketFeed } from "./feed.js";
import { allocatedOrderId } from "./order-rows.js";
import type { OrderRows } from "./order-rows.js";
import { jobOf } from "./views.js";
import { checkOfferCap, checkOrderBacking } from "./wallet-limits.js";
import type { BuyerLoad, WalletLimits } from "./wallet-limits.js";

/** What a submitted order became: matched at once (with its match), or resting. */
export interface SubmittedOrder {
  readonly orderId: string;
  readonly status: string;
  readonly match?: OrderMatch;
}

type OfferCommandName = "pauseOffer" | "resumeOffer" | "withdrawOffer";
/** What each offer command does, in the words of an error. */
const OFFER_COMMAND_WORDS: { readonly [N in OfferCommandName]: string } = {
  pauseOffer: "pause",
  resumeOffer: "resume",
  withdrawOffer: "withdraw",
};

/** Statuses of orders the book holds (resting or holding GPUs). */
const LIVE_STATUSES: ReadonlySet<string> = new Set(["Pending", "Matched", "Escrowed", "Running"]);

/** The offer the book holds under `offerId`. @throws OFFER_NOT_FOUND */
function bookOffer(book: OrderBook, offerId: string): BookOffer {
  if (!isOfferId(offerId)) throw new MarketError("OFFER_NOT_FOUND", { offerId });
  return book.getOffer(offerId);
}

/** The order the book holds (resting or matched) under `orderId`. @throws ORDER_NOT_FOUND */
function bookOrder(book: OrderBook, orderId: string): JobOrder {
  if (!isOrderId(orderId)) throw new MarketError("ORDER_NOT_FOUND", { orderId });
  return book.getOrder(orderId);
}

/**
 * Offer and order commands. Invariants: only an offer's provider changes it, only an order's buyer
 * cancels it; a provider stays within its cap of live offers; an order is accepted only backed.
 */
export class BookCommands {
  constructor(
    private readonly queue: CommandQueue,
    private readonly feed: MarketFeed,
    private readonly rows: OrderRows,
    private readonly payments: PaymentService,
    private readonly clock: Clock,
    private readonly walletLimits: WalletLimits,
    private readonly unfunded: UnfundedMatches,
  ) {}

  private get book(): OrderBook {
    return this.feed.book;
  }

  /** Lists capacity, within its provider's cap of live offers. @throws validation codes, DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED (offersPerProviderMax, offersMax) */
  async addOffer(key: string, input: CreateOfferInput): Promise<{ readonly offerId: string }> {
    return await this.queue.submit(key, "addOffer", input, () => {
      const offer = createOffer(input, { clock: this.clock });
      checkOfferCap(this.book.liveOffersOf(offer.providerId), this.walletLimits);
      return { offerId: this.book.addOffer(offer) };
    });
  }

  /** Pauses, resumes or withdraws an offer, by its provider. @throws OFFER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, EXPIRED (resume) */
  async offerCommand(key: string, name: OfferCommandName, offerId: string, actor: Address): Promise<void> {
    await this.queue.submit(key, name, { offerId, actor }, () => {
      const offer = bookOffer(this.book, offerId);
      if (offer.providerId !== actor)
        throw new MarketError("FORBIDDEN", {
          actor,
          action: `${OFFER_COMMAND_WORDS[name]} offer ${offerId}`,
          allowed: "the offer's provider",
        });
      if (name === "pauseOffer") this.book.pauseOffer(offer.id);
      else if (name === "resumeOffer") this.book.resumeOffer(offer.id);
      else this.book.removeOffer(offer.id);
      return { offerId };
    });
  }

  /**
   * Submits an order: matched at once, or resting. It must be backed: the buyer's MOLT covers its
   * worst-case cost plus the buyer's resting and unfunded orders, within the buyer's caps.
   * @throws validation codes, DUPLICATE_ID, EXPIRED, LIMIT_EXCEEDED, INSUFFICIENT_FUNDS
   */
  async submitOrder(key: string, input: CreateOrderInput): Promise<SubmittedOrder> {
    // The balance is read before the batch (a chain read holds no lock); the commitments inside it, serialized with the buyer's other orders.
    const buyerId: unknown = input.buyerId;
    const available =
      this.walletLimits.backedOrders && typeof buyerId === "string"
        ? isAddress(buyerId)
          ? await this.payments.client.balance(buyerId)
          : Amount.zero()
        : undefined;
    const answer = await this.queue.submit(key, "submitOrder", input, (batch) => {
      const order = createOrder(input, { clock: this.clock });
      checkOrderBacking(order, this.buyerLoad(batch, order.buyerId), available, this.walletLimits);
      const result = this.book.submitOrder(order);
      return result.status === "Matched" ? { ...result, match: matchToJson(result.match) } : result;
    });
    return "match" in answer ? { ...answer, match: matchFromJson(answer.match) } : { orderId: answer.orderId, status: answer.status };
  }

  /** What `buyerId` has committed and not funded: its resting orders (the book) and its matched, unfunded orders (UnfundedMatches and this batch). */
  private buyerLoad(batch: BatchBuilder, buyerId: string): BuyerLoad {
    const resting = this.book.restingLoadOf(buyerId);
    // The committed sum, with this batch's rows of the buyer in place of what they replace.
    const committed = this.unfunded.of(buyerId);
    let unfundedMatchCount = committed.orders.size;
    let unfundedMatchBaseUnits = committed.totalBaseUnits;
    for (const row of batch.ordersOfBuyer(buyerId)) {
      const before = committed.orders.get(row.id);
      if (before !== undefined) {
        unfundedMatchCount--;
        unfundedMatchBaseUnits -= before;
      }
      if (row.status === "Matched" && row.match !== null) {
        unfundedMatchCount++;
        unfundedMatchBaseUnits += matchTotalCostBaseUnits(row.match);
      }
    }
    return {
      restingCount: resting.count,
      restingWorstCaseBaseUnits: resting.worstCaseBaseUnits,
      unfundedMatchCount,
      unfundedMatchBaseUnits,
    };
  }

  /**
   * Refuses to cancel an order the book no longer holds because it ended (cancelled, expired, paid
   * out): INVALID_STATE_TRANSITION from where it is, so its buyer learns it is over, not that it is
   * unknown. @throws FORBIDDEN (not the buyer), INVALID_STATE_TRANSITION
   */
  private async refuseEnded(batch: BatchBuilder, writer: StoreWriter, orderId: string, actor: Address): Promise<void> {
    if (!isOrderId(orderId)) return;
    const row = batch.orderById.get(orderId) ?? (await writer.getOrder(orderId));
    if (row === undefined || LIVE_STATUSES.has(row.status)) return;
    if (row.buyerId !== actor) throw new MarketError("FORBIDDEN", { actor, action: `cancel order ${orderId}`, allowed: "its buyer" });
    throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: row.status, to: "Cancelled", id: orderId });
  }

  /**
   * Cancels an order, by its buyer: a resting one, or a matched one it has not funded (its GPUs
   * return to the offer at once). @throws ORDER_NOT_FOUND, FORBIDDEN, INVALID_STATE_TRANSITION, ESCROW_BUSY
   */
  async cancelOrder(key: string, orderId: string, actor: Address): Promise<void> {
    await this.queue.submit(key, "cancelOrder", { orderId, actor }, async (batch, writer) => {
      await this.refuseEnded(batch, writer, orderId, actor);
      const order = bookOrder(this.book, orderId);
      if (order.buyerId !== actor) throw new MarketError("FORBIDDEN", { actor, action: `cancel order ${orderId}`, allowed: "its buyer" });
      if (allocatedOrderId(this.book, orderId) === undefined) {
        this.book.cancelOrder(order.id);
        return { orderId };
      }
      const row = await this.rows.orderRow(batch, writer, orderId);
      const escrow = await this.rows.idleEscrow(batch, writer, row);
      if (row.status !== "Matched" || (escrow !== undefined && escrow.state !== "Created")) {
        throw new MarketError("INVALID_STATE_TRANSITION", { entity: "order", from: row.status, to: "Cancelled" });
      }
      this.rows.transition(batch, row, "Cancelled", { ...jobOf(row), failure: { reason: "cancelled by the buyer before funding" } });
      this.rows.release(orderId);
      return { orderId };
    });
  }
}
