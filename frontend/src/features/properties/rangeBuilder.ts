// Integer lists written as text: "2-5, 10, 20" → [2, 3, 4, 5, 10, 20]. One grammar, the server's
// (modules/ranges.py): comma-separated integers and inclusive ranges a-b with a ≤ b, the given order
// kept, duplicates dropped, a cap on the values in all. Range Builder parameters and column indices
// both use it; tests/contracts/integer_lists.json holds the cases both sides pass.

export const MAX_RANGE_VALUES = 10_000

export type RangeParse = { ok: true; values: number[] } | { ok: false; error: string }

const SIGNED_ITEM = /^\s*(-?\d+)\s*(?:-\s*(-?\d+)\s*)?$/
const UNSIGNED_ITEM = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/

/** The integers a text lists, or the first problem (`what` names one item: "an integer", "an index"). */
export function expandRanges(
  text: string,
  options: { signed: boolean; what: string; maxValues: number; empty: string },
): RangeParse {
  if (typeof text !== 'string' || !text.trim()) return { ok: false, error: options.empty }
  const item = options.signed ? SIGNED_ITEM : UNSIGNED_ITEM
  const seen = new Set<number>()
  const values: number[] = []
  for (const part of text.split(',')) {
    if (!part.trim()) return { ok: false, error: 'Empty item between commas' }
    const match = item.exec(part)
    if (!match) return { ok: false, error: `“${part.trim()}” is not ${options.what} or a range a-b` }
    const lo = Number.parseInt(match[1], 10)
    const hi = match[2] === undefined ? lo : Number.parseInt(match[2], 10)
    if (hi < lo) return { ok: false, error: `The range “${part.trim()}” goes downwards` }
    if (hi - lo + 1 + seen.size > options.maxValues) {
      return { ok: false, error: `It expands to more than ${options.maxValues.toLocaleString('en')} values` }
    }
    for (let v = lo; v <= hi; v += 1) {
      if (!seen.has(v)) {
        seen.add(v)
        values.push(v)
      }
    }
  }
  return { ok: true, values }
}

/** A Range Builder string: integers (negative too) and ranges, at most MAX_RANGE_VALUES values. */
export function parseIntRange(text: string): RangeParse {
  return expandRanges(text, {
    signed: true,
    what: 'an integer',
    maxValues: MAX_RANGE_VALUES,
    empty: 'Enter at least one value, e.g. 2-5, 10',
  })
}

/**
 * A short preview of an expansion: "2, 3, 4, 5, 10" or, for long ones, "2, 3, 4, … 99, 100".
 */
export function previewValues(values: readonly number[], head = 8): string {
  if (values.length <= head + 2) return values.join(', ')
  return `${values.slice(0, head).join(', ')}, … ${values.slice(-2).join(', ')}`
}
