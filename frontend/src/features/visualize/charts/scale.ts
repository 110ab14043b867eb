// Axis ranges: round ("nice") bounds that contain the data with a little room.

/** The nice step (1, 2, 2.5 or 5 × 10^n) closest above `rough`. */
export function niceStep(rough: number): number {
  if (!Number.isFinite(rough) || rough <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(rough))
  const fraction = rough / power
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
  return nice * power
}

export interface NiceScale {
  min: number
  max: number
  /** Tick spacing: min and max are multiples of it, so every tick (and both ends) is a round number. */
  interval: number
}

/** Round a computed bound: no "-0", no binary noise (0.30000000000000004). */
const clean = (value: number) => Number((value + 0).toPrecision(12)) + 0

/**
 * A round axis for `[low, high]`: widened by `pad` (a fraction of the span) on each side, then out to
 * multiples of a nice step chosen for about `ticks` intervals. An empty or single-valued range becomes
 * a wider one around its value.
 */
export function niceScale(low: number, high: number, pad = 0.04, ticks = 6): NiceScale {
  if (!Number.isFinite(low) || !Number.isFinite(high)) return { min: 0, max: 1, interval: 0.2 }
  if (high < low) [low, high] = [high, low]
  if (high === low) {
    const half = low === 0 ? 1 : Math.abs(low) * 0.5
    low -= half
    high += half
  }
  const span = high - low
  const interval = niceStep((span * (1 + 2 * pad)) / ticks)
  const min = Math.floor(clean((low - span * pad) / interval)) * interval
  const max = Math.ceil(clean((high + span * pad) / interval)) * interval
  return { min: clean(min), max: clean(max), interval: clean(interval) }
}

/** `[min, max]` of {@link niceScale}. */
export function niceExtent(low: number, high: number, pad = 0.04, ticks = 6): [number, number] {
  const { min, max } = niceScale(low, high, pad, ticks)
  return [min, max]
}

/** Min and max of the finite values (undefined when there are none). */
export function finiteExtent(values: Iterable<number>): [number, number] | undefined {
  let low = Infinity
  let high = -Infinity
  for (const value of values) {
    if (!Number.isFinite(value)) continue
    if (value < low) low = value
    if (value > high) high = value
  }
  return low <= high ? [low, high] : undefined
}
