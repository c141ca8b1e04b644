// The Offers table's filter: model, VRAM, free GPUs, max price, region, features, reputation.
// Every change filters at once; nothing is sent to the server.
import type { JSX } from "preact";
import type { OfferFilter } from "./offer-filter.js";
import { NO_FILTER } from "./offer-filter.js";

function text(event: Event): string {
  return (event.currentTarget as HTMLInputElement).value;
}

/** The filter's controls, each labelled. */
export function FilterForm(props: {
  readonly filter: OfferFilter;
  readonly features: readonly string[];
  readonly onChange: (filter: OfferFilter) => void;
}): JSX.Element {
  const { filter, onChange } = props;
  const set = (patch: Partial<OfferFilter>): void => {
    onChange({ ...filter, ...patch });
  };
  return (
    <form
      class="fields"
      aria-label="Filter offers"
      onSubmit={(event) => {
        event.preventDefault();
      }}
    >
      <label>
        Model contains
        <input
          name="model"
          value={filter.model}
          onInput={(e) => {
            set({ model: text(e) });
          }}
          placeholder="H100"
        />
      </label>
      <label>
        Min VRAM (GB)
        <input
          name="minVramGb"
          type="number"
          min="0"
          value={filter.minVramGb}
          onInput={(e) => {
            set({ minVramGb: text(e) });
          }}
        />
      </label>
      <label>
        Min free GPUs
        <input
          name="minFreeGpus"
          type="number"
          min="0"
          value={filter.minFreeGpus}
          onInput={(e) => {
            set({ minFreeGpus: text(e) });
          }}
        />
      </label>
      <label>
        Max MOLT / GPU-hour
        <input
          name="maxPrice"
          inputMode="decimal"
          value={filter.maxPrice}
          onInput={(e) => {
            set({ maxPrice: text(e) });
          }}
        />
      </label>
      <label>
        Region or country
        <input
          name="region"
          value={filter.region}
          onInput={(e) => {
            set({ region: text(e) });
          }}
          placeholder="us-east-1"
        />
      </label>
      <label>
        Min reputation (0–1)
        <input
          name="minReputation"
          type="number"
          min="0"
          max="1"
          step="0.05"
          value={filter.minReputation}
          onInput={(e) => {
            set({ minReputation: text(e) });
          }}
        />
      </label>
      <fieldset>
        <legend>Features (all required)</legend>
        {props.features.map((feature) => (
          <label class="check" key={feature}>
            <input
              type="checkbox"
              checked={filter.features.includes(feature)}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                set({ features: on ? [...filter.features, feature] : filter.features.filter((f) => f !== feature) });
              }}
            />
            {feature}
          </label>
        ))}
      </fieldset>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => {
            onChange(NO_FILTER);
          }}
        >
          Clear filter
        </button>
      </div>
    </form>
  );
}
