import { describe, expect, it } from 'vitest'
import integerLists from '../../../../tests/contracts/integer_lists.json?raw'
import { parseIndices } from './columnSelection'
import { parseIntRange, previewValues } from './rangeBuilder'

// The server's cases (modules/ranges.py runs the same file): both sides read integer lists alike.
const cases = JSON.parse(integerLists) as Record<'range_builder' | 'column_indices', { expands: [string, number[]][]; refuses: string[] }>

describe('integer lists (the server rules, its own cases)', () => {
  it.each(cases.range_builder.expands)('range builder expands %j', (text, values) => {
    expect(parseIntRange(text)).toEqual({ ok: true, values })
  })

  it.each(cases.range_builder.refuses)('range builder refuses %j', (text) => {
    expect(parseIntRange(text).ok).toBe(false)
  })

  it.each(cases.column_indices.expands)('column indices expand %j', (text, indices) => {
    expect(parseIndices(text)).toEqual({ ok: true, indices })
  })

  it.each(cases.column_indices.refuses)('column indices refuse %j', (text) => {
    expect(parseIndices(text).ok).toBe(false)
  })
})

describe('range builder messages', () => {
  it.each([
    ['', /at least one value/],
    ['2,,3', /Empty item/],
    ['2,', /Empty item/],
    ['a-b', /not an integer or a range/],
    ['2.5', /not an integer or a range/],
    ['5-2', /goes downwards/],
    ['1-20000', /more than 10,000 values/],
  ])('refuses %j', (text, message) => {
    const parsed = parseIntRange(text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toMatch(message)
  })

  it('previews long expansions with an ellipsis', () => {
    expect(previewValues([2, 3, 4])).toBe('2, 3, 4')
    const long = Array.from({ length: 30 }, (_, i) => i + 1)
    expect(previewValues(long)).toBe('1, 2, 3, 4, 5, 6, 7, 8, … 29, 30')
  })
})
