// The quote form: requirements in, ranked matches out (GET /v1/quote records nothing). With a
// wallet connected, the same requirements are submitted as an order, signed in the browser.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { ExplanationView, MatchView } from "../../../src/contract/orders.js";
import { getJson, queryString } from "../api.js";
import { navigate } from "../router.js";
import { ActionMessages } from "../session/action-messages.js";
import { useSession } from "../session/session.js";
import { errorText, useAction } from "../session/use-action.js";
import { DEFAULT_QUOTE, orderOf, quoteQuery } from "./quote-fields.js";
import type { QuoteFields } from "./quote-fields.js";
import { QuoteResults } from "./quote-results.js";

/** Matches a quote asks for. */
const QUOTE_MATCHES_MAX = 10;

type Answer = { readonly matches: MatchView[]; readonly explanation?: ExplanationView };

function Field(props: {
  readonly name: keyof QuoteFields;
  readonly label: string;
  readonly fields: QuoteFields;
  readonly onInput: (fields: QuoteFields) => void;
  readonly type?: "text" | "number";
  readonly required?: boolean;
  readonly hint?: string;
}): JSX.Element {
  const common = {
    name: props.name,
    required: props.required,
    placeholder: props.hint,
    value: props.fields[props.name],
    onInput: (event: Event) => {
      props.onInput({ ...props.fields, [props.name]: (event.currentTarget as HTMLInputElement).value });
    },
  };
  return (
    <label>
      {props.label}
      {props.type === "number" ? <input type="number" min="0" {...common} /> : <input type="text" {...common} />}
    </label>
  );
}

/** The quote form and its results. */
export function QuoteForm(): JSX.Element {
  const [fields, setFields] = useState<QuoteFields>(DEFAULT_QUOTE);
  const [answer, setAnswer] = useState<Answer | undefined>(undefined);
  const [quoteError, setQuoteError] = useState<string | undefined>(undefined);
  const session = useSession();
  const action = useAction();
  const common = { fields, onInput: setFields };

  const quote = async (event: Event): Promise<void> => {
    event.preventDefault();
    setQuoteError(undefined);
    try {
      setAnswer(await getJson<Answer>(`/v1/quote${queryString(quoteQuery(fields, QUOTE_MATCHES_MAX))}`));
    } catch (e) {
      setAnswer(undefined);
      setQuoteError(errorText(e));
    }
  };
  const submit = async (): Promise<void> => {
    if (session === undefined) return;
    const submitted = await action.run(
      "Submitting the order",
      () => session.client.submitOrder(orderOf(fields)),
      (order) => `Order ${order.orderId}: ${order.status}`,
    );
    if (submitted !== undefined) navigate(`/orders/${encodeURIComponent(submitted.orderId)}`);
  };

  return (
    <section class="card" aria-labelledby="quote-title">
      <h2 id="quote-title">Quote</h2>
      <form class="fields" aria-labelledby="quote-title" onSubmit={(event) => void quote(event)}>
        <Field name="gpus" label="GPUs" type="number" required {...common} />
        <Field name="vram" label="Min VRAM (GB)" type="number" {...common} />
        <Field name="hours" label="Hours" type="number" required {...common} />
        <Field name="maxPrice" label="Max MOLT / GPU-hour" required {...common} />
        <Field name="models" label="Models (comma-separated)" hint="H100, A100" {...common} />
        <Field name="features" label="Features (comma-separated)" hint="NvLink" {...common} />
        <Field name="region" label="Region" hint="us-east-1" {...common} />
        <div class="actions">
          <button type="submit">Get quote</button>
          {session === undefined ? null : (
            <button type="button" class="secondary" disabled={action.busy !== undefined} onClick={() => void submit()}>
              Submit as order
            </button>
          )}
        </div>
      </form>
      {quoteError === undefined ? null : (
        <p role="alert" class="alert">
          {quoteError}
        </p>
      )}
      <ActionMessages state={action} />
      {answer === undefined ? null : <QuoteResults matches={answer.matches} explanation={answer.explanation} />}
    </section>
  );
}
