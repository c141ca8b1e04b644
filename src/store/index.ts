// Entry "molt-market/store": the Store contract and its SQLite and PostgreSQL implementation.
export { SqlStore } from "./sql-store.js";
export { BULK_ROWS_MAX } from "./sql-tables.js";
export { AUTOCHECKPOINT_PAGES, CHECKPOINT_INTERVAL_MS, SqliteCheckpointer } from "./sqlite-checkpointer.js";
export type {
  BatchWrites,
  CapacityDelta,
  CommandRow,
  EscrowRow,
  EventRow,
  NonceLimits,
  NonceVerdict,
  OfferRow,
  OrderListQuery,
  OrderRow,
  StatusChange,
  Store,
  StoreWriter,
  StoredBook,
  StoredOffer,
} from "./store.js";
