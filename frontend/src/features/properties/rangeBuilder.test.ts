import { describe, expect, it } from 'vitest'
import { parseIntRange, previewValues } from './rangeBuilder'

describe('range builder expansion (the server rules)', () => {
  it.each([
    ['2-10', [2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['2, 4, 8', [2, 4, 8]],
    ['2-5, 10, 20', [2, 3, 4, 5, 10, 20]],
    [' 3 ', [3]],
    ['5-5', [5]],
    ['4, 2-5, 4', [4, 2, 3, 5]],
    ['-2--1', [-2, -1]],
  ])('expands %j', (text, values) => {
    expect(parseIntRange(text)).toEqual({ ok: true, values })
  })

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
