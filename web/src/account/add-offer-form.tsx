// Listing GPU capacity: the offer's model, GPUs, VRAM, price, hours, features and region, signed by
// the connected wallet (it becomes the offer's provider).
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { parseFeature } from "../../../src/core/enums.js";
import type { OfferRequest } from "../../../src/contract/offers.js";
import { ActionMessages } from "../session/action-messages.js";
import type { Session } from "../session/session.js";
import { useAction } from "../session/use-action.js";

interface OfferFields {
  readonly gpuModel: string;
  readonly gpuCount: string;
  readonly vramGb: string;
  readonly pricePerHour: string;
  readonly availableHours: string;
  readonly features: string;
  readonly region: string;
  readonly country: string;
}

const DEFAULT_OFFER: OfferFields = {
  gpuModel: "NVIDIA H100 80GB",
  gpuCount: "1",
  vramGb: "80",
  pricePerHour: "2",
  availableHours: "24",
  features: "",
  region: "",
  country: "",
};

const LABELS: Readonly<Record<keyof OfferFields, string>> = {
  gpuModel: "GPU model",
  gpuCount: "GPUs",
  vramGb: "VRAM (GB)",
  pricePerHour: "MOLT / GPU-hour",
  availableHours: "Available hours",
  features: "Features (comma-separated)",
  region: "Region (with a country)",
  country: "Country (2 letters)",
};

/** The offer the fields describe. @throws INVALID_FIELD (an unknown feature) */
function offerOf(fields: OfferFields): OfferRequest {
  const features = fields.features
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .map((item) => parseFeature(item, "features"));
  return {
    gpuCapacity: { gpuModel: fields.gpuModel.trim(), gpuCount: Number(fields.gpuCount), vramGb: Number(fields.vramGb) },
    pricePerHour: fields.pricePerHour.trim(),
    availableHours: Number(fields.availableHours),
    ...(features.length === 0 ? {} : { features }),
    ...(fields.region.trim() === "" && fields.country.trim() === ""
      ? {}
      : { location: { region: fields.region.trim(), country: fields.country.trim().toUpperCase() } }),
  };
}

/** The form that lists an offer; `onListed` runs after the market took it. */
export function AddOfferForm(props: { readonly session: Session; readonly onListed: () => void }): JSX.Element {
  const [fields, setFields] = useState<OfferFields>(DEFAULT_OFFER);
  const action = useAction();
  const submit = (event: Event): void => {
    event.preventDefault();
    void action
      .run(
        "Listing the offer",
        () => props.session.client.addOffer(offerOf(fields)),
        (listed) => `Listed offer ${listed.offerId}`,
      )
      .then((listed) => {
        if (listed !== undefined) props.onListed();
      });
  };
  return (
    <>
      <h3 id="add-offer-title">List GPU capacity</h3>
      <form class="fields" aria-labelledby="add-offer-title" onSubmit={submit}>
        {(Object.keys(LABELS) as (keyof OfferFields)[]).map((name) => (
          <label key={name}>
            {LABELS[name]}
            <input
              name={name}
              value={fields[name]}
              required={name !== "features" && name !== "region" && name !== "country"}
              onInput={(event) => {
                setFields({ ...fields, [name]: event.currentTarget.value });
              }}
            />
          </label>
        ))}
        <div class="actions">
          <button type="submit" disabled={action.busy !== undefined}>
            List offer
          </button>
        </div>
      </form>
      <ActionMessages state={action} />
    </>
  );
}
