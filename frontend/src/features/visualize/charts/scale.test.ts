import { describe, expect, it } from 'vitest'
import { finiteExtent, niceExtent, niceScale, niceStep } from './scale'

describe('axis scale', () => {
  it('nice steps', () => {
    expect(niceStep(0.13)).toBeCloseTo(0.2)
    expect(niceStep(0.22)).toBeCloseTo(0.25)
    expect(niceStep(3)).toBe(5)
    expect(niceStep(70)).toBe(100)
  })

  it('nice extents contain the data with room and land on round numbers', () => {
    const [lo, hi] = niceExtent(-0.7519, 0.9563)
    expect(lo).toBeLessThan(-0.7519)
    expect(hi).toBeGreaterThan(0.9563)
    expect(lo).toBe(-1)
    expect(hi).toBe(1.5)
    expect(niceExtent(0.12, 0.87)).toEqual([0, 1])
  })

  it('nice scales put both ends on the tick grid', () => {
    for (const [low, high] of [[-0.7519, 0.9563], [-0.6, 0.62], [0.023, 0.55], [3, 1234], [-5e-4, 2e-4]]) {
      const { min, max, interval } = niceScale(low, high, 0.03, 7)
      expect(min).toBeLessThanOrEqual(low)
      expect(max).toBeGreaterThanOrEqual(high)
      const steps = (max - min) / interval
      expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-9)
      expect(Math.abs(min / interval - Math.round(min / interval))).toBeLessThan(1e-9)
      expect(steps).toBeLessThanOrEqual(10)
    }
  })

  it('widens a single value', () => {
    const [lo, hi] = niceExtent(5, 5)
    expect(lo).toBeLessThan(5)
    expect(hi).toBeGreaterThan(5)
  })

  it('finite extent skips NaN and infinities', () => {
    expect(finiteExtent([3, Number.NaN, -1, Infinity, 2])).toEqual([-1, 3])
    expect(finiteExtent([Number.NaN])).toBeUndefined()
  })
})
