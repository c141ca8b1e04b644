// Solana's default epoch schedule (the one LiteSVM's EpochSchedule sysvar holds: 432,000 slots per
// epoch after a warmup of doubling epochs from 32 slots) and the epoch of a slot under it. Pure.

/** Slots in a full epoch. */
export const SLOTS_PER_EPOCH = 432_000n;
/** Slots in the first warmup epoch (MINIMUM_SLOTS_PER_EPOCH). */
const MINIMUM_SLOTS_PER_EPOCH = 32n;
/** First epoch of full length: log2(SLOTS_PER_EPOCH / 32) rounded up. */
const FIRST_NORMAL_EPOCH = 14n;
/** First slot of the first full epoch: 32 * (2^14 - 1). */
const FIRST_NORMAL_SLOT = 524_256n;

/** The schedule as getEpochSchedule answers it. */
export const EPOCH_SCHEDULE = {
  slotsPerEpoch: SLOTS_PER_EPOCH,
  leaderScheduleSlotOffset: SLOTS_PER_EPOCH,
  warmup: true,
  firstNormalEpoch: FIRST_NORMAL_EPOCH,
  firstNormalSlot: FIRST_NORMAL_SLOT,
} as const;

/** The epoch `slot` is in, its index in that epoch and the epoch's length; invariant: slotIndex < slotsInEpoch. */
export function epochOf(slot: bigint): { readonly epoch: bigint; readonly slotIndex: bigint; readonly slotsInEpoch: bigint } {
  if (slot >= FIRST_NORMAL_SLOT) {
    const normal = slot - FIRST_NORMAL_SLOT;
    return { epoch: FIRST_NORMAL_EPOCH + normal / SLOTS_PER_EPOCH, slotIndex: normal % SLOTS_PER_EPOCH, slotsInEpoch: SLOTS_PER_EPOCH };
  }
  // Warmup: epoch e holds 32 * 2^e slots and starts at 32 * (2^e - 1).
  let epoch = 0n;
  while (MINIMUM_SLOTS_PER_EPOCH * (2n ** (epoch + 1n) - 1n) <= slot) epoch++;
  const start = MINIMUM_SLOTS_PER_EPOCH * (2n ** epoch - 1n);
  return { epoch, slotIndex: slot - start, slotsInEpoch: MINIMUM_SLOTS_PER_EPOCH * 2n ** epoch };
}
