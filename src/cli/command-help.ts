// The help of every client command and subcommand of `molt-market` (wallet, offer, order, escrow,
// job, settle, dispute, stats): what it does and each flag's meaning, unit and default. The flags a
// subcommand lists are the flags it takes. Data and text only.
import { ORDER_PAGE_MAX } from "../contract/order-list.js";
import { OFFER_PAGE_MAX } from "../contract/offers.js";
import { DEFAULT_SERVER_URL, DEFAULT_WALLET_PATH } from "./defaults.js";

/** One flag: how it is written (--gpus N) and what it means, with its unit and default. */
type FlagDoc = readonly [usage: string, text: string];

/** One subcommand: its arguments, what it does, and its flags. */
interface CommandDoc {
  readonly args: string;
  readonly summary: string;
  readonly flags: readonly FlagDoc[];
}

const SERVER: FlagDoc = [
  "--server URL",
  `the market server (default $MOLT_SERVER_URL or ${DEFAULT_SERVER_URL}); without a scheme, http:// is assumed`,
];
const WALLET: FlagDoc = ["--wallet PATH", `your wallet, a Solana CLI keypair file (default $MOLT_WALLET_PATH or ${DEFAULT_WALLET_PATH})`];
const KEY: FlagDoc = ["--key K", "Idempotency-Key: the command repeated with the same key takes effect once (default: a new key)"];
const JSON_FLAG: FlagDoc = ["--json", "print the server's answer as one JSON document instead of text"];
const READ = [SERVER, JSON_FLAG];
const SIGNED = [SERVER, WALLET, KEY, JSON_FLAG];

const GPUS: FlagDoc = ["--gpus N", "GPUs, a whole number 1..1024 (required)"];
const VRAM_OFFER: FlagDoc = ["--vram GB", "VRAM per GPU in GB, a whole number (required)"];
const VRAM_ORDER: FlagDoc = ["--vram GB", "least VRAM per GPU in GB (default 0: any)"];
const HOURS_ORDER: FlagDoc = ["--hours H", "estimated job length in whole hours, 1..8784 (required)"];
const MAX_PRICE: FlagDoc = ["--max-price MOLT", "highest price per GPU-hour in MOLT, e.g. 2.5 (required)"];
const FEATURE: FlagDoc = ["--feature F", "a feature, repeatable: nvlink, infiniband, fp8, hbm, dedicated (default: none)"];
const REGION: FlagDoc = ["--region R", "region, e.g. us-east-1 (default: any)"];
const COUNTRY: FlagDoc = ["--country CC", "ISO 3166-1 alpha-2 country, e.g. US (default: any)"];
const MODELS: FlagDoc = [
  "--model M",
  'only offers of these GPU models, repeatable, any of; "h100" = "NVIDIA H100 80GB" (default: every model)',
];
const MIN_REPUTATION: FlagDoc = ["--min-reputation R", "only providers with at least this reputation, 0..1 (default: any)"];
const ALLOW: FlagDoc = ["--allow-provider ADDRESS", "match only these providers, repeatable (default: every provider)"];
const DENY: FlagDoc = ["--deny-provider ADDRESS", "never match these providers, repeatable (default: none)"];
const ORDER_FILTERS = [GPUS, MAX_PRICE, HOURS_ORDER, VRAM_ORDER, FEATURE, REGION, COUNTRY, MODELS, MIN_REPUTATION, ALLOW, DENY];
const PROOF_FLAGS: readonly FlagDoc[] = [
  ["--output FILE", "the job's output; the proof holds its SHA-256 (default: empty output)"],
  ["--usage FILE", "the job's usage record; the proof holds its SHA-256 (default: empty)"],
  ["--started ISO", "when the job started, ISO 8601 (default: when the market recorded the start)"],
  ["--ended ISO", "when the job ended, ISO 8601 (default: now)"],
  ["--model M", "the offer's GPU model, only for an order that does not record it and whose offer is gone"],
];

/** What each group does, and its subcommands. */
const GROUPS: Readonly<Record<string, { readonly summary: string; readonly commands: Readonly<Record<string, CommandDoc>> }>> = {
  wallet: {
    summary: "your wallet file and its MOLT",
    commands: {
      new: {
        args: "",
        summary: "make a wallet file (Solana CLI keypair, mode 0600)",
        flags: [["--force", "replace a wallet file that is there (its MOLT stays with the old key; default: refuse)"], WALLET, JSON_FLAG],
      },
      show: { args: "", summary: "the wallet's address and file", flags: [WALLET, JSON_FLAG] },
      balance: { args: "[ADDRESS]", summary: "MOLT held by ADDRESS (default: the wallet's)", flags: [SERVER, WALLET, JSON_FLAG] },
      airdrop: { args: "MOLT", summary: "test MOLT (and SOL for fees) to the wallet; never on mainnet", flags: SIGNED },
    },
  },
  offer: {
    summary: "GPU capacity you list as a provider",
    commands: {
      add: {
        args: "",
        summary: "list GPU capacity; the wallet is the provider",
        flags: [
          GPUS,
          ["--model M", "the GPU model, e.g. H100 (required)"],
          VRAM_OFFER,
          ["--price MOLT", "price per GPU-hour in MOLT, e.g. 2.5 (required)"],
          ["--hours H", "hours the capacity is available, a whole number (required)"],
          FEATURE,
          ["--region R", "where the GPUs are, e.g. us-east-1 (default: not given)"],
          ["--country CC", "ISO 3166-1 alpha-2 country of the GPUs, e.g. US (default: not given)"],
          ...SIGNED,
        ],
      },
      list: {
        args: "",
        summary: "offers in the book, oldest first",
        flags: [
          ["--mine", "only the wallet's offers"],
          ["--provider ADDRESS", "only this provider's offers (default: every provider)"],
          ["--model M", "only offers of this GPU model (default: every model)"],
          ["--limit N", `offers to show, 1..${OFFER_PAGE_MAX} (default ${OFFER_PAGE_MAX})`],
          SERVER,
          WALLET,
          JSON_FLAG,
        ],
      },
      pause: { args: "OFFER_ID", summary: "stop matching the offer; running jobs go on", flags: SIGNED },
      resume: { args: "OFFER_ID", summary: "match a paused offer again", flags: SIGNED },
      withdraw: { args: "OFFER_ID", summary: "take the offer out of the book for good; running jobs go on", flags: SIGNED },
    },
  },
  order: {
    summary: "GPU time you order as a buyer",
    commands: {
      submit: {
        args: "",
        summary:
          "order compute; the wallet is the buyer. It matches the best offer at once, or rests until one fits (the answer says which constraint left no offer); a match waits for your funding",
        flags: [
          ...ORDER_FILTERS,
          ["--budget MOLT", "highest total cost in MOLT, price x GPUs x hours (default: no limit)"],
          [
            "--workload FILE",
            "JSON { image (pinned by @sha256 digest), command?, args?, env? } the provider runs; never a secret in it (default: none)",
          ],
          ["--rematch", "if the job fails, the market orders the remaining hours from another provider (default: off)"],
          ...SIGNED,
        ],
      },
      cancel: { args: "ORDER_ID", summary: "cancel a resting or matched, unfunded order", flags: SIGNED },
      show: {
        args: "ORDER_ID",
        summary: "an order: status, match, escrow, job, dispute, its next step and deadlines",
        flags: [SERVER, WALLET, JSON_FLAG],
      },
      quote: { args: "", summary: "the best offers for an order now, without ordering", flags: [...ORDER_FILTERS, ...READ] },
      list: {
        args: "",
        summary: "the wallet's orders as buyer, every status, newest first, with each next step and its deadline",
        flags: [
          ["--status S,S", "only orders in these statuses, e.g. Matched,Running (default: every status)"],
          ["--limit N", `orders to show, 1..${ORDER_PAGE_MAX} (default ${ORDER_PAGE_MAX})`],
          SERVER,
          WALLET,
          JSON_FLAG,
        ],
      },
    },
  },
  escrow: {
    summary: "the 2-of-3 escrow that holds an order's MOLT",
    commands: {
      fund: { args: "ORDER_ID", summary: "the buyer funds a matched order's escrow with its total cost (co-signed here)", flags: SIGNED },
      show: { args: "ORDER_ID", summary: "the escrow: amount, parties, lock, transactions", flags: READ },
      refund: { args: "ORDER_ID", summary: "the buyer has a failed or timed-out job's escrow refunded", flags: SIGNED },
    },
  },
  job: {
    summary: "the work a funded order runs",
    commands: {
      list: {
        args: "",
        summary: "the wallet's jobs as buyer and as provider (matched orders), newest first, with their states",
        flags: [
          ["--status S,S", "only jobs in these statuses, e.g. Running,Completed (default: every status)"],
          ["--limit N", `jobs to show per role, 1..${ORDER_PAGE_MAX} (default ${ORDER_PAGE_MAX})`],
          SERVER,
          WALLET,
          JSON_FLAG,
        ],
      },
      start: { args: "ORDER_ID", summary: "the provider starts a funded job", flags: SIGNED },
      extend: {
        args: "ORDER_ID",
        summary: "the buyer adds hours to its funded or running job, depositing their cost into the escrow (co-signed here)",
        flags: [["--hours N", "whole hours to add, 1 or more (required)"], ...SIGNED],
      },
      complete: {
        args: "ORDER_ID",
        summary: "the provider ends the job (exit 0) with its signed proof",
        flags: [...PROOF_FLAGS, ...SIGNED],
      },
      fail: {
        args: "ORDER_ID",
        summary: "the provider ends the job as failed with its signed proof",
        flags: [["--exit N", "the job's non-zero exit status (required)"], ...PROOF_FLAGS, ...SIGNED],
      },
    },
  },
  dispute: {
    summary: "a party contests a job's outcome; the market's arbiter decides the split",
    commands: {
      open: {
        args: "ORDER_ID",
        summary: "the buyer or the provider disputes a completed or failed job, within the dispute window",
        flags: [
          ["--reason TEXT", "why, in words (required)"],
          ["--evidence FILE", "a file whose SHA-256 the dispute holds, repeatable (default: none)"],
          ...SIGNED,
        ],
      },
      decide: {
        args: "ORDER_ID",
        summary: "the market's arbiter decides the split",
        flags: [
          ["--provider-share MOLT", "the provider's gross share in MOLT, fee included (required)"],
          ["--reason TEXT", "why, in words (required)"],
          ...SIGNED,
        ],
      },
      resolve: { args: "ORDER_ID", summary: "the buyer or the provider accepts the arbiter's decision, which pays it out", flags: SIGNED },
    },
  },
};

/** The commands without subcommands. */
const SINGLES: Readonly<Record<string, CommandDoc>> = {
  settle: {
    args: "ORDER_ID",
    summary:
      "buyer: confirm the job's proof (or reject it) and pay it out; provider: pay out an unconfirmed job once the dispute window closed",
    flags: [
      ["--hours H", "hours to bill, a decimal number (default: the hours the proof attests)"],
      ["--reject REASON", "the buyer rejects the proof, in words, instead of confirming it"],
      ...SIGNED,
    ],
  },
  stats: { args: "", summary: "offers, free GPUs and prices per GPU model", flags: READ },
};

/** The subcommands of a group command, or undefined for a command without any. */
export function subcommandsOf(command: string): readonly string[] | undefined {
  const group = GROUPS[command];
  return group === undefined ? undefined : Object.keys(group.commands);
}

/** The doc of `command action` (or of a single command), or undefined when there is none. */
function docOf(command: string, action: string): CommandDoc | undefined {
  return SINGLES[command] ?? GROUPS[command]?.commands[action];
}

/** The flags every client command accepts, used or not (so one set of them fits every command line). */
const COMMON_FLAGS: readonly string[] = ["--server", "--wallet", "--key", "--json", "--help"];

/** The flag names (--gpus) `command action` takes, the common ones included; undefined when it is no command. */
export function flagsOf(command: string, action: string): readonly string[] | undefined {
  const doc = docOf(command, action);
  return doc === undefined ? undefined : [...new Set([...doc.flags.map(([usage]) => usage.split(" ")[0] ?? usage), ...COMMON_FLAGS])];
}

/** The arguments `command action` takes (ORDER_ID, [ADDRESS]), and how many of the last are optional. */
export function argsOf(command: string, action: string): { readonly names: readonly string[]; readonly optional: number } {
  const names = (docOf(command, action)?.args ?? "").split(" ").filter((name) => name !== "");
  return { names, optional: names.filter((name) => name.startsWith("[")).length };
}

/** The help of a group: what it is for and each subcommand in one line. */
export function groupHelp(command: string): string {
  const group = GROUPS[command];
  if (group === undefined) return "";
  const lines = Object.entries(group.commands).map(([action, doc]) => `  ${`${action} ${doc.args}`.trimEnd().padEnd(20)}  ${doc.summary}`);
  return `Usage: molt-market ${command} <subcommand> [options]\n\n${group.summary.charAt(0).toUpperCase()}${group.summary.slice(1)}.\n\nSubcommands:\n${lines.join("\n")}\n\nmolt-market ${command} <subcommand> --help shows its flags.\n`;
}

/** The help of `command action`: usage, what it does, each flag; a group's help when `action` is none of its subcommands. */
export function commandHelp(command: string, action: string): string {
  const doc = docOf(command, action);
  if (doc === undefined) return groupHelp(command);
  const name = SINGLES[command] === undefined ? `${command} ${action}` : command;
  const width = Math.max(...doc.flags.map(([usage]) => usage.length));
  const flags = doc.flags.map(([usage, text]) => `  ${usage.padEnd(width)}  ${text}`);
  return `Usage: molt-market ${`${name} ${doc.args}`.trimEnd()} [options]\n\n${doc.summary.charAt(0).toUpperCase()}${doc.summary.slice(1)}.\n\nOptions:\n${flags.join("\n")}\n  ${"--help".padEnd(width)}  show this help\n`;
}

/** One line per client command, for the CLI's overall help. */
export function clientCommandLines(): string[] {
  return [
    ...Object.entries(GROUPS).map(
      ([command, group]) => `  ${command.padEnd(9)} ${Object.keys(group.commands).join(" | ")}: ${group.summary}`,
    ),
    ...Object.entries(SINGLES).map(([command, doc]) => `  ${command.padEnd(9)} ${doc.summary}`),
  ];
}
