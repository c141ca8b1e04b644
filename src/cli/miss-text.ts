// Why an order or quote found nothing, in people's words for the CLI: the book's explanation
// (orderbook/miss-explanation.ts, or its wire form) and the flag to change. Pure.

/** The fields of an explanation the CLI prints (the book's MissExplanation and the wire's ExplanationView both have them). */
interface ExplanationLike {
  readonly code: string;
  readonly constraint: string;
  readonly message: string;
}

/** The flag that sets each constraint the diagnosis can name. */
const FLAG_OF: Readonly<Record<string, string>> = {
  gpuModels: "--model",
  gpuCount: "--gpus",
  vram: "--vram",
  features: "--feature",
  region: "--region",
  country: "--country",
  providers: "--allow-provider / --deny-provider",
  reputation: "--min-reputation",
  hours: "--hours",
  price: "--max-price",
  budget: "--budget",
};

/** Two lines: what left no offer (the explanation's sentence) and the flag to change, with the code. */
export function explanationText(explanation: ExplanationLike): string {
  const flag = FLAG_OF[explanation.constraint];
  return [
    `why nothing matches: ${explanation.message}`,
    flag === undefined ? `  (${explanation.code})` : `  change ${flag} to find offers (${explanation.code})`,
  ].join("\n");
}
