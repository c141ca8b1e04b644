// `molt-market serve`: the marketplace server on embedded defaults (SQLite store and embedded
// chain in a data directory, an arbiter wallet made on first start) or on PostgreSQL with
// DATABASE_URL; a demo market is listed on the first start. Runs until SIGINT or SIGTERM, holding
// the data directory (and its chain) locked so that no second process runs the same market.
import { existsSync, mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { EmbeddedMoltClient } from "../chain/embedded/embedded-client.js";
import { chainEnvironment } from "../chain/network.js";
import { RpcMoltClient } from "../chain/rpc/rpc-client.js";
import { MarketError } from "../core/errors.js";
import { Wallet } from "../chain/wallet.js";
import { MARKET_LIMITS } from "../market/limits.js";
import { Marketplace } from "../market/marketplace.js";
import { PAYMENT_DEFAULTS, PAYMENT_PERIOD_MS_MAX, PaymentService } from "../payments/payment-service.js";
import { buildApp } from "../server/app.js";
import { VERIFY_POOL_LIMITS } from "../server/verify-pool.js";
import { DASHBOARD_DIR } from "../server/routes/dashboard.js";
import { LOG_LEVELS } from "../server/request-log.js";
import type { LogLevel } from "../server/request-log.js";
import { SqlStore } from "../store/sql-store.js";
import { lockDataDir } from "./data-dir-lock.js";
import type { DataDirLock } from "./data-dir-lock.js";
import { DEMO_OFFERS, demoIndexPath, listDemoMarket } from "./demo-market.js";
import { parsePort, untilStopped } from "./process.js";

/** Default data directory of the server. */
export const DEFAULT_DATA_DIR = ".molt-market";
/** How often the sweeper runs. */
export const SWEEP_INTERVAL_MS = 10_000;

/** Usage of the serve command. */
export const SERVE_USAGE = `Usage: molt-market serve [--data-dir DIR] [--host H] [--port N] [--schema NAME] [--chain embedded|rpc] [--no-demo]
                          [--receipt-timeout S] [--dispute-window S] [--sweep-interval S] [--log-level L]
                          [--verify-threads N]

Runs the marketplace server: HTTP API on http://H:N (OpenAPI at /docs, live feed at /v1/feed,
metrics at /metrics). The store is SQLite in DIR/market.db, or PostgreSQL when DATABASE_URL is
set; the chain is the embedded MOLT chain in DIR/chain; the arbiter's wallet is DIR/arbiter.json.
On a first start the server lists a demo market of ${DEMO_OFFERS} offers, whose providers' wallets are
DIR/demo-providers/*.json (to run the demo's jobs), listed by address with the offers each serves
in DIR/demo-providers/index.json. Stop it with Ctrl-C.

  --data-dir DIR   where the market lives (default ${DEFAULT_DATA_DIR})
  --host H         address to listen on (default 127.0.0.1)
  --port N         port (default 8080; 0 picks a free one)
  --schema NAME    PostgreSQL schema of the store (default: the connection's own)
  --chain rpc      use a validator over JSON-RPC instead of the embedded chain: MOLT_NETWORK (a name
                   or URL) or MOLT_RPC_URL, MOLT_MINT (the MOLT mint) and MOLT_WALLET_PATH (the
                   operator's wallet: pays fees and rent, and mints airdrops off mainnet when it
                   holds the mint authority, as molt-market localnet's operator.json does)
  --no-demo        do not list the demo market
  --receipt-timeout S  seconds a running job may go without a usage receipt (a funded job
                   without a start) before it fails ProviderLost (default ${MARKET_LIMITS.receiptTimeoutMs / 1000})
  --dispute-window S   seconds after a job completes during which a party may dispute it; an
                   unconfirmed proof settles after it (default ${PAYMENT_DEFAULTS.disputeWindowMs / 1000})
  --sweep-interval S   seconds between sweeps of timeouts, lost providers and expiries (default ${SWEEP_INTERVAL_MS / 1000})
  --log-level L    JSON logs on stdout, one line per request with its id (X-Request-Id): ${LOG_LEVELS.join(", ")} (default info)
  --verify-threads N   worker threads that verify request signatures, 0 to ${VERIFY_POOL_LIMITS.threadsMax}; 0 verifies on the
                   main thread (default: one per core beyond the first, here ${defaultVerifyThreads()})
`;

/** One verification thread per core beyond the first (the main thread's), at most VERIFY_POOL_LIMITS.threadsMax. */
function defaultVerifyThreads(): number {
  return Math.max(0, Math.min(VERIFY_POOL_LIMITS.threadsMax, availableParallelism() - 1));
}

/** The --verify-threads flag, defaultVerifyThreads() when absent. @throws OUT_OF_RANGE */
function verifyThreadsFlag(value: string | undefined): number {
  if (value === undefined) return defaultVerifyThreads();
  const threads = Number(value);
  if (!/^\d+$/.test(value) || threads > VERIFY_POOL_LIMITS.threadsMax)
    throw new MarketError("OUT_OF_RANGE", {
      field: "--verify-threads",
      value: JSON.stringify(value),
      min: "0",
      max: String(VERIFY_POOL_LIMITS.threadsMax),
    });
  return threads;
}

/** The --log-level flag, info when absent. @throws INVALID_FIELD */
function logLevelFlag(value: string | undefined): LogLevel {
  const level = LOG_LEVELS.find((known) => known === (value ?? "info"));
  if (level === undefined)
    throw new MarketError("INVALID_FIELD", { field: "--log-level", value: JSON.stringify(value), allowed: LOG_LEVELS.join(", ") });
  return level;
}

/**
 * The chain of the market: the embedded chain in DIR/chain, or a validator over JSON-RPC set up by
 * the spec's environment. @throws INVALID_FIELD (--chain, a missing variable), INVALID_NETWORK, INVALID_ADDRESS, WALLET_ERROR
 */
async function openChain(kind: string, dataDir: string): Promise<EmbeddedMoltClient | RpcMoltClient> {
  if (kind === "embedded") return EmbeddedMoltClient.open({ dataDir: join(dataDir, "chain") });
  if (kind !== "rpc")
    throw new MarketError("INVALID_FIELD", { field: "--chain", value: JSON.stringify(kind), allowed: "embedded (the default) or rpc" });
  const env = chainEnvironment();
  if (env.mint === undefined)
    throw new MarketError("INVALID_FIELD", {
      field: "MOLT_MINT",
      value: "missing",
      allowed: "the address of the MOLT mint on that network (molt-market localnet prints it)",
    });
  if (env.walletPath === undefined)
    throw new MarketError("INVALID_FIELD", {
      field: "MOLT_WALLET_PATH",
      value: "missing",
      allowed: "the operator's wallet file, which pays fees and rent (molt-market localnet's operator.json)",
    });
  const payer = Wallet.fromFile(env.walletPath);
  return new RpcMoltClient({
    network: env.network,
    payer,
    mint: env.mint,
    ...(env.network.isProduction() ? {} : { mintAuthority: payer }),
  });
}

/** A flag of whole seconds as milliseconds, `fallback` when absent. @throws OUT_OF_RANGE */
function secondsFlag(value: string | undefined, flag: string, fallbackMs: number, minMs: number, maxMs: number): number {
  if (value === undefined) return fallbackMs;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds * 1000 < minMs || seconds * 1000 > maxMs)
    throw new MarketError("OUT_OF_RANGE", {
      field: flag,
      value: JSON.stringify(value),
      min: String(minMs / 1000),
      max: String(maxMs / 1000),
    });
  return seconds * 1000;
}

/**
 * Runs `serve` until SIGINT or SIGTERM. Invariant: while it runs, it holds the data directory's lock
 * (and, on the embedded chain, the chain directory's), released when it stops or exits.
 * @throws MarketError for bad flags, DATA_DIR_LOCKED (another process runs on DIR), STORE_ERROR
 */
export async function runServe(args: readonly string[], out: (text: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      "data-dir": { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      schema: { type: "string" },
      chain: { type: "string" },
      "no-demo": { type: "boolean", default: false },
      "receipt-timeout": { type: "string" },
      "dispute-window": { type: "string" },
      "sweep-interval": { type: "string" },
      "log-level": { type: "string" },
      "verify-threads": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    out(SERVE_USAGE);
    return;
  }
  const port = parsePort(values.port, 8080);
  logLevelFlag(values["log-level"]);
  verifyThreadsFlag(values["verify-threads"]);
  const dataDir = resolve(values["data-dir"] ?? DEFAULT_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const chainKind = values.chain ?? "embedded";
  const command = `molt-market serve --data-dir ${dataDir} --port ${port}`;
  const locks: DataDirLock[] = [lockDataDir(dataDir, command)];
  try {
    // The chain directory too: `molt-market localnet` on DIR/chain would otherwise run this chain beside us.
    if (chainKind === "embedded") {
      mkdirSync(join(dataDir, "chain"), { recursive: true, mode: 0o700 });
      locks.push(lockDataDir(join(dataDir, "chain"), command));
    }
    await serveLocked({ values, port, dataDir, chainKind, locks }, out);
  } finally {
    for (const lock of locks) lock.release();
  }
}

/** The rest of `serve`, once the data directory is held. */
async function serveLocked(
  context: {
    readonly values: {
      readonly schema?: string | undefined;
      readonly host?: string | undefined;
      readonly "no-demo": boolean;
      readonly "receipt-timeout"?: string | undefined;
      readonly "dispute-window"?: string | undefined;
      readonly "sweep-interval"?: string | undefined;
      readonly "log-level"?: string | undefined;
      readonly "verify-threads"?: string | undefined;
    };
    readonly port: number;
    readonly dataDir: string;
    readonly chainKind: string;
    readonly locks: readonly DataDirLock[];
  },
  out: (text: string) => void,
): Promise<void> {
  const { values, port, dataDir, locks } = context;
  const receiptTimeoutMs = secondsFlag(
    values["receipt-timeout"],
    "--receipt-timeout",
    MARKET_LIMITS.receiptTimeoutMs,
    MARKET_LIMITS.receiptTimeoutMsMin,
    MARKET_LIMITS.receiptTimeoutMsMax,
  );
  const disputeWindowMs = secondsFlag(
    values["dispute-window"],
    "--dispute-window",
    PAYMENT_DEFAULTS.disputeWindowMs,
    1000,
    PAYMENT_PERIOD_MS_MAX,
  );
  const sweepIntervalMs = secondsFlag(values["sweep-interval"], "--sweep-interval", SWEEP_INTERVAL_MS, 1000, 3_600_000);
  const arbiterPath = join(dataDir, "arbiter.json");
  if (!existsSync(arbiterPath)) Wallet.generate().save(arbiterPath);
  const arbiter = Wallet.fromFile(arbiterPath);
  const chain = await openChain(context.chainKind, dataDir);
  const databaseUrl = process.env.DATABASE_URL;
  const store =
    databaseUrl === undefined || databaseUrl === ""
      ? SqlStore.openSqlite(join(dataDir, "market.db"))
      : await SqlStore.openPostgres(databaseUrl, values.schema === undefined ? {} : { schema: values.schema });
  const market = await Marketplace.open({
    store,
    payments: new PaymentService({ client: chain, arbiter, disputeWindowMs }),
    receiptTimeoutMs,
  });
  if (!values["no-demo"] && market.lastSeq === 0) await listDemoMarket(market, dataDir);
  const app = await buildApp({
    market,
    logger: { level: logLevelFlag(values["log-level"]) },
    verifyThreads: verifyThreadsFlag(values["verify-threads"]),
  });
  let url: string;
  try {
    url = await app.listen({ host: values.host ?? "127.0.0.1", port });
  } catch (e) {
    await app.close();
    await market.close();
    chain.close();
    const code = (e as { code?: unknown }).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      throw new MarketError("INVALID_FIELD", {
        field: "--port",
        value: String(port),
        allowed: `a port this process may listen on (${code}: ${code === "EADDRINUSE" ? "another server, perhaps another molt-market serve, holds it" : "it needs privileges"}); pick another with --port N`,
      });
    }
    throw e;
  }
  for (const lock of locks) lock.setUrl(url);
  const sweeper = setInterval(() => void market.sweep().catch(() => undefined), sweepIntervalMs);
  // Listen for SIGTERM before saying it serves: a stop sent the moment the line is read is then a clean stop.
  const stopped = untilStopped();
  out(
    `molt-market serving ${url}\n${existsSync(join(DASHBOARD_DIR, "index.html")) ? `dashboard ${url}/` : "dashboard not built: run npm run build"}\ndocs ${url}/docs\nfeed ${url.replace(/^http/, "ws")}/v1/feed\nstore ${databaseUrl === undefined || databaseUrl === "" ? join(dataDir, "market.db") : `PostgreSQL (DATABASE_URL${values.schema === undefined ? "" : `, schema ${values.schema}`})`}\nchain ${chain instanceof EmbeddedMoltClient ? join(dataDir, "chain") : chain.network.rpcUrl} (mint ${chain.mint})\narbiter ${arbiter.address}\noffers ${market.book.offerCount}\n${existsSync(demoIndexPath(dataDir)) ? `demo providers ${demoIndexPath(dataDir)} (which wallet file serves which offer, by address)\n` : ""}`,
  );
  await stopped;
  clearInterval(sweeper);
  await app.close();
  await market.close();
  chain.close();
  out("molt-market stopped\n");
}
