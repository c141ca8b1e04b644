// Named bounds on every field a client can set. One place, so errors, docs and tests agree.

/** GPUs in one offer or one order: 1..1024. */
export const GPU_COUNT_MIN = 1;
export const GPU_COUNT_MAX = 1024;
/** VRAM per GPU in GB: offers 1..2048; an order may ask for 0 (no requirement). */
export const VRAM_GB_MIN = 1;
export const VRAM_GB_MAX = 2048;
/** Hours of an offer's availability or an order's estimate: 1..8784 (a leap year). */
export const HOURS_MIN = 1;
export const HOURS_MAX = 8784;
/** Provider and buyer identifiers: 1..128 printable characters. */
export const PARTY_ID_LENGTH_MAX = 128;
/** At most 16 preferred GPU models per order. */
export const PREFERRED_MODELS_MAX = 16;
/** At most 16 required GPU models (`requirements.gpuModels`, any of) per order. */
export const GPU_MODELS_MAX = 16;
/** Memory bandwidth in GB/s: 1..100000. */
export const MEMORY_BANDWIDTH_MAX = 100_000;
/** Utilization in percent: 0..100. */
export const UTILIZATION_MAX = 100;
/** Longest compute capability string ("9.0"). */
export const COMPUTE_CAPABILITY_LENGTH_MAX = 8;
/** An offer lives at most 366 days, an order at most 30 days. */
export const OFFER_TTL_MAX_MS = 366 * 86_400_000;
export const ORDER_TTL_MAX_MS = 30 * 86_400_000;
/** Defaults when the caller gives no expiry: offers 7 days, orders 1 hour. */
export const OFFER_TTL_DEFAULT_MS = 7 * 86_400_000;
export const ORDER_TTL_DEFAULT_MS = 3_600_000;
/** At most 64 provider ids in an order's `providers.allow`, and 64 in its `providers.deny`. */
export const PROVIDER_FILTER_MAX = 64;
