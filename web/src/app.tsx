// The dashboard's shell: skip link, header with the navigation, the page of the current route in
// <main>, and a footer. Route table here; each page lives in its own folder.
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { Link, usePath } from "./router.js";
import { MarketPage } from "./market/market-page.js";
import { OffersPage } from "./offers/offers-page.js";
import { AccountPage } from "./account/account-page.js";
import { OrderPage } from "./order/order-page.js";
import { WalletBadge } from "./session/wallet-badge.js";

const NAV = [
  { href: "/", label: "Market" },
  { href: "/offers", label: "Offers" },
  { href: "/account", label: "My account" },
] as const;

function page(path: string): { readonly title: string; readonly view: JSX.Element } {
  const order = /^\/orders\/([^/]+)\/?$/.exec(path);
  if (order?.[1] !== undefined) {
    const id = decodeURIComponent(order[1]);
    return { title: `Order ${id}`, view: <OrderPage orderId={id} /> };
  }
  if (path === "/offers" || path === "/offers/") return { title: "Offers", view: <OffersPage /> };
  if (path === "/account" || path === "/account/") return { title: "My account", view: <AccountPage /> };
  if (path === "/" || path === "/market") return { title: "Market", view: <MarketPage /> };
  return {
    title: "Not found",
    view: (
      <section aria-labelledby="not-found">
        <h1 id="not-found">Page not found</h1>
        <p>
          No page at <code>{path}</code>. <Link href="/">Back to the market</Link>.
        </p>
      </section>
    ),
  };
}

/** The whole dashboard. */
export function App(): JSX.Element {
  const path = usePath();
  const { title, view } = page(path);
  const firstPath = useRef(path);
  useEffect(() => {
    document.title = `${title} · molt-market`;
  }, [title]);
  // After an in-page navigation, focus moves to the new page's content (as a page load would reset it).
  useEffect(() => {
    if (path !== firstPath.current) document.getElementById("main")?.focus();
  }, [path]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">
          molt-market
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} current={item.href === "/" ? path === "/" || path === "/market" : path.startsWith(item.href)}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <WalletBadge />
      </header>
      <main id="main" tabIndex={-1}>
        {view}
      </main>
      <footer class="foot">
        <p>
          GPU compute paid in MOLT, escrowed 2-of-3 on Solana. API reference: <a href="/docs">/docs</a>.
        </p>
      </footer>
    </>
  );
}
