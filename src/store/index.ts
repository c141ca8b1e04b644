// Entry "molt-market/store": the Store contract and its SQLite and PostgreSQL implementation.
export { BULK_ROWS_MAX, SqlStore } from "./sql-store.js";
export { AUTOCHECKPOINT_PAGES, CHECKPOINT_INTERVAL_MS, SqliteCheckpointer } from "./sqlite-checkpointer.js";
export type { BatchWrites, CapacityDelta, CommandRow, EscrowRow, EventRow, NonceLimits, NonceVerdict, OfferRow, OrderRow, StatusChange, Store, StoreWriter, StoredBook } from "./store.js";
