// `molt-market provider run`: the provider agent as a command. Loads the wallet, picks the runner,
// locks the agent's state directory, runs the agent until SIGINT or SIGTERM and prints one line per
// step it takes. Stopping leaves workloads running for the next start to pick up.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ProviderAgent } from "../agent/agent.js";
import { CommandRunner } from "../agent/command-runner.js";
import { DockerRunner } from "../agent/docker-runner.js";
import { RECEIPT_INTERVAL_S_DEFAULT, RECEIPT_INTERVAL_S_MAX, RECEIPT_INTERVAL_S_MIN } from "../agent/receipt-schedule.js";
import type { Runner } from "../agent/runner.js";
import { MarketClient } from "../client/client.js";
import { Wallet } from "../chain/wallet.js";
import { MarketError, assertIntInRange } from "../core/errors.js";
import { DEFAULT_SERVER_URL, DEFAULT_WALLET_PATH, serverUrl } from "./defaults.js";
import { lockDataDir } from "./data-dir-lock.js";
import { showProvider } from "./provider-show.js";
import { UsageError } from "./usage-error.js";
import { requiredFlag, untilStopped, wholeNumberFlag } from "./process.js";
import { DEFAULT_DATA_DIR } from "./serve.js";

/** Usage of `molt-market provider`. */
export const PROVIDER_USAGE = `Usage: molt-market provider run --runner command:EXE|docker [options]
       molt-market provider show ADDRESS [--server URL] [--json]   a provider's reputation (counts, estimate, recent outcomes)

Runs the provider agent next to the GPUs: it takes every funded order of the wallet's offers,
starts the job, runs its workload, sends a signed usage receipt every receipt interval, completes
(exit 0) or fails (other exits) the job with an attested proof, and settles it once the buyer's
dispute window has passed. One line per step. SIGINT/SIGTERM stops it (exit 0) and leaves the
workloads running; a restart on the same state directory picks them up. A provider down longer
than the market's receipt timeout loses the job (ProviderLost): it is paid its receipted seconds.

Options:
  --runner command:EXE|docker   how workloads run: EXE gets the workload as JSON on stdin and
                                MOLT_ORDER_ID, MOLT_GPU_COUNT, MOLT_GPU_DEVICES in its environment
                                (stdout is the output the proof digests); docker runs the
                                workload's image with the job's GPUs, no mounts, no privileges
  --wallet PATH                 the provider's wallet (default $MOLT_WALLET_PATH or ${DEFAULT_WALLET_PATH})
  --server URL                  the market (default $MOLT_SERVER_URL or ${DEFAULT_SERVER_URL})
  --offer ID                    serve only this offer (repeat for more; default: all the wallet's offers)
  --receipt-interval SECONDS    seconds between usage receipts, ${RECEIPT_INTERVAL_S_MIN}..${RECEIPT_INTERVAL_S_MAX} (default ${RECEIPT_INTERVAL_S_DEFAULT});
                                keep it well under the market's receipt timeout
  --state-dir DIR               the agent's job records and workload files (default DATA_DIR/agent-<wallet address>)
  --data-dir DIR                the folder the default state directory is in (default ${DEFAULT_DATA_DIR})
  --gpu-devices LIST            the host GPUs workloads get, comma-separated indexes or UUIDs (default: unset; docker gets a count)
  --docker-network NAME         the docker runner's network (default none: no network)
`;

function runnerOf(spec: string, dockerNetwork: string | undefined): Runner {
  if (spec === "docker") return new DockerRunner(dockerNetwork ?? "none");
  if (spec.startsWith("command:") && spec.length > "command:".length) return new CommandRunner(resolve(spec.slice("command:".length)));
  throw new MarketError("INVALID_FIELD", {
    field: "--runner",
    value: JSON.stringify(spec),
    allowed: "command:/path/to/executable or docker",
  });
}

/**
 * Runs `molt-market provider run` until SIGINT or SIGTERM; `out` gets one line per step (`provider show ADDRESS` prints a reputation and returns).
 * @throws INVALID_FIELD, OUT_OF_RANGE (flags), WALLET_ERROR, DATA_DIR_LOCKED (another agent on the state directory), the server's MarketError
 */
export async function runProvider(
  args: readonly string[],
  out: (text: string) => void,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  if (args[0] === "show") {
    out(await showProvider(args.slice(1), env));
    return;
  }
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      runner: { type: "string" },
      wallet: { type: "string" },
      server: { type: "string" },
      offer: { type: "string", multiple: true },
      "receipt-interval": { type: "string" },
      "state-dir": { type: "string" },
      "data-dir": { type: "string" },
      "gpu-devices": { type: "string" },
      "docker-network": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out(PROVIDER_USAGE);
    return;
  }
  if (positionals[0] !== "run")
    throw new UsageError(
      positionals.length === 0
        ? "molt-market provider needs a subcommand: run or show"
        : `molt-market provider has no subcommand ${JSON.stringify(positionals.join(" "))}`,
      PROVIDER_USAGE,
    );
  const receiptIntervalS =
    values["receipt-interval"] === undefined
      ? RECEIPT_INTERVAL_S_DEFAULT
      : wholeNumberFlag(values["receipt-interval"], "--receipt-interval", "30");
  assertIntInRange("--receipt-interval", receiptIntervalS, RECEIPT_INTERVAL_S_MIN, RECEIPT_INTERVAL_S_MAX);
  const runner = runnerOf(requiredFlag(values.runner, "--runner"), values["docker-network"]);
  const wallet = Wallet.fromFile(values.wallet ?? env.MOLT_WALLET_PATH ?? DEFAULT_WALLET_PATH);
  const baseUrl = serverUrl(values.server, env);
  const stateDir = resolve(values["state-dir"] ?? join(values["data-dir"] ?? DEFAULT_DATA_DIR, `agent-${wallet.address}`));
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const lock = lockDataDir(stateDir, `molt-market provider run --state-dir ${stateDir}`);
  const stopped = untilStopped();
  const log = (line: string): void => {
    out(`${new Date().toISOString()} ${line}\n`);
  };
  const client = new MarketClient({ baseUrl, wallet });
  const agent = new ProviderAgent({
    client,
    baseUrl,
    wallet,
    runner,
    stateDir,
    offers: values.offer,
    receiptIntervalS,
    gpuDevices: values["gpu-devices"]?.split(",").filter((device) => device !== ""),
    log,
  });
  try {
    log(`agent of ${wallet.address} on ${baseUrl}, state in ${stateDir}`);
    // Two receipts per timeout at least, or one late receipt loses the job: say so once the market answers.
    void client
      .market()
      .then(({ receiptTimeoutMs }) => {
        if (receiptTimeoutMs !== undefined && receiptIntervalS * 2000 > receiptTimeoutMs)
          log(
            `warning: --receipt-interval ${receiptIntervalS} s is more than half the market's receipt timeout (${receiptTimeoutMs / 1000} s): one late receipt would lose a job (ProviderLost)`,
          );
      })
      .catch(() => undefined);
    // The agent waits for the server as long as it must; a signal stops it even then.
    const starting = agent.start();
    await stopped;
    await agent.stop();
    await starting;
  } finally {
    lock.release();
  }
}
