// Entry "molt-market/chain": MOLT on Solana. Wallets, networks, the MoltClient contract and its two
// backends (embedded LiteSVM, RPC), escrow instructions and the localnet RPC server.
export { NETWORK_NAMES, Network, chainEnvironment, explorerUrl } from "./network.js";
export type { ChainEnvironment, NetworkName } from "./network.js";
export { Wallet } from "./wallet.js";
export { PresentedSignature, TRANSACTION_MESSAGE_BYTES_MAX, presentedBlockhash, walletSigner } from "./signer.js";
export type { MessageSigner } from "./signer.js";
export {
  ESCROW_PAYOUTS_MAX,
  ESCROW_SIGNATURES_REQUIRED,
  assertDistinctParties,
  createEscrowInstructions,
  defaultRentExemptLamports,
  escrowAccountKeys,
  payoutInstructions,
} from "./escrow-instructions.js";
export type { EscrowParties, EscrowPayout } from "./escrow-instructions.js";
export { EmbeddedMoltClient } from "./embedded/embedded-client.js";
export { AIRDROP_MAX, MEMO_LENGTH_MAX, MoltTokenClient } from "./token-client.js";
export type { EmbeddedClientOptions } from "./embedded/embedded-client.js";
export type { Transaction, TransactionStatus, TransactionType } from "./transaction.js";
export type { EscrowHandle, MoltClient, SettlementPayout } from "./molt-client.js";
export { LAMPORT_AIRDROP_MAX, RPC_BODY_BYTES_MAX, startLocalnet } from "./localnet/rpc-server.js";
export type { Localnet } from "./localnet/rpc-server.js";
export { CONFIRM_TIMEOUT_MS_DEFAULT, RpcMoltClient, SEND_ATTEMPTS_MAX } from "./rpc/rpc-client.js";
export type { RpcClientOptions } from "./rpc/rpc-client.js";
