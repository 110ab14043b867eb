// The Range Builder: "2-5, 10, 20" → [2, 3, 4, 5, 10, 20]. The same rules as the server
// (modules/contract.py, parse_int_range): comma-separated integers and inclusive ranges a-b with
// a ≤ b, the given order kept, duplicates dropped, at most MAX_RANGE_VALUES values.

export const MAX_RANGE_VALUES = 10_000

export type RangeParse = { ok: true; values: number[] } | { ok: false; error: string }

const RANGE_ITEM = /^\s*(-?\d+)\s*(?:-\s*(-?\d+)\s*)?$/

export function parseIntRange(text: string): RangeParse {
  if (typeof text !== 'string') return { ok: false, error: 'Enter integers and ranges, e.g. 2-5, 10' }
  if (!text.trim()) return { ok: false, error: 'Enter at least one value, e.g. 2-5, 10' }
  const seen = new Set<number>()
  const values: number[] = []
  for (const part of text.split(',')) {
    if (!part.trim()) return { ok: false, error: 'Empty item between commas' }
    const match = RANGE_ITEM.exec(part)
    if (!match) return { ok: false, error: `“${part.trim()}” is not an integer or a range a-b` }
    const lo = Number.parseInt(match[1], 10)
    const hi = match[2] === undefined ? lo : Number.parseInt(match[2], 10)
    if (hi < lo) return { ok: false, error: `The range “${part.trim()}” goes downwards` }
    if (hi - lo + 1 + seen.size > MAX_RANGE_VALUES) {
      return { ok: false, error: `It expands to more than ${MAX_RANGE_VALUES.toLocaleString('en')} values` }
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

/**
 * A short preview of an expansion: "2, 3, 4, 5, 10" or, for long ones, "2, 3, 4, … 99, 100".
 */
export function previewValues(values: readonly number[], head = 8): string {
  if (values.length <= head + 2) return values.join(', ')
  return `${values.slice(0, head).join(', ')}, … ${values.slice(-2).join(', ')}`
}
