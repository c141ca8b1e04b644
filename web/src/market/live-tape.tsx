// The live tape: the market's newest events from the feed, newest first, announced politely.
import type { JSX } from "preact";
import type { EventView } from "../../../src/contract/market-data.js";
import { shortId, when } from "../format.js";
import { Link } from "../router.js";
import { useFeed } from "./feed-socket.js";

function entity(event: EventView): JSX.Element {
  if (event.entityId.startsWith("ord_")) return <Link href={`/orders/${event.entityId}`}>{shortId(event.entityId, 6)}</Link>;
  return <span class="mono">{shortId(event.entityId, 6)}</span>;
}

/** The tape of live events. */
export function LiveTape(): JSX.Element {
  const { events, connected } = useFeed();
  return (
    <section class="card" aria-labelledby="tape-title">
      <h2 id="tape-title">
        Live tape <span class={connected ? "status good" : "status warn"}>{connected ? "live" : "reconnecting"}</span>
      </h2>
      {events.length === 0 ? (
        <p class="muted">No events yet.</p>
      ) : (
        <ol class="tape" aria-live="polite" aria-label="Market events, newest first">
          {events.map((event) => (
            <li key={event.seq}>
              <span class="muted">#{event.seq}</span>
              <time dateTime={new Date(event.atMs).toISOString()}>{when(event.atMs)}</time>
              <strong>{event.type}</strong>
              {entity(event)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
