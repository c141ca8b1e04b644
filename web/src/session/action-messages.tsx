// Where an action's outcome is announced: errors in a role=alert region, results in role=status.
import type { JSX } from "preact";
import type { ActionState } from "./use-action.js";

/** The two live regions of a page's actions (always present, so screen readers announce changes). */
export function ActionMessages(props: { readonly state: ActionState }): JSX.Element {
  return (
    <div>
      <div role="alert" class="alert">
        {props.state.error ?? ""}
      </div>
      <div role="status" class="notice">
        {props.state.busy !== undefined ? `${props.state.busy}…` : (props.state.done ?? "")}
      </div>
    </div>
  );
}
