// An order's next step as the page shows it: the words of nextStepOf, with each CLI command in it
// set as code (the page's buttons do the same; the command is for a terminal).
import type { JSX } from "preact";
import { nextStepOf } from "../../src/contract/next-step.js";
import type { OrderDetails } from "../../src/contract/orders.js";

/** A `molt-market ...` command inside a step's text: up to a semicolon, a parenthesis or the end. */
const COMMAND = /(molt-market [^;()]*[^;()\s])/;

/** The next step of `order` for `viewer` now. */
export function NextStepText(props: { readonly order: OrderDetails; readonly viewer: string | undefined }): JSX.Element {
  const { text } = nextStepOf(props.order, props.viewer, Date.now());
  return <span>{text.split(COMMAND).map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part))}</span>;
}
