// The MoltClient contract on the embedded backend (LiteSVM in process, a fresh data directory per test).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedMoltClient } from "../../src/chain/embedded/embedded-client.js";
import { moltClientContract } from "./molt-client.contract.js";

moltClientContract("embedded", () => EmbeddedMoltClient.open({ dataDir: mkdtempSync(join(tmpdir(), "molt-contract-")) }));
