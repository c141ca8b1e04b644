// The My account page: connect a wallet; then its balance and test MOLT, its orders as buyer
// (escrows, jobs, settlements, next steps), and as provider its jobs, offers and earnings.
import type { JSX } from "preact";
import type { MarketView } from "../../../src/contract/market-data.js";
import { useSession } from "../session/session.js";
import { useRead } from "../use-read.js";
import { BalanceCard } from "./balance-card.js";
import { Earnings } from "./earnings.js";
import { MyOffers } from "./my-offers.js";
import { OrderList } from "./order-list.js";
import { WalletConnect } from "./wallet-connect.js";

/** The account of the connected wallet. */
export function AccountPage(): JSX.Element {
  const session = useSession();
  const market = useRead<MarketView>("/v1/market");
  const network = market.data?.network;
  if (session === undefined)
    return (
      <div class="stack">
        <h1>My account</h1>
        <WalletConnect network={network} />
      </div>
    );
  const address = session.signer.address;
  return (
    <div class="stack">
      <h1>My account</h1>
      <BalanceCard session={session} network={network} />
      <section class="card" aria-labelledby="orders-title">
        <h2 id="orders-title">My orders</h2>
        <OrderList address={address} role="buyer" caption="Orders I placed, newest first" />
      </section>
      <section class="card" aria-labelledby="jobs-title">
        <h2 id="jobs-title">Jobs on my GPUs</h2>
        <OrderList address={address} role="provider" caption="Orders matched to my offers, newest first" />
      </section>
      <Earnings address={address} />
      <MyOffers session={session} />
    </div>
  );
}
