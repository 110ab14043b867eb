import { describe, expect, it } from 'vitest'
import { columnWidth, pagesForRange, rowWindow, scrollTopForRow } from './virtualWindow'

const base = { viewportHeight: 300, rowHeight: 30, overscan: 2 }

describe('rowWindow', () => {
  it('renders the visible rows plus the overscan at the top', () => {
    const w = rowWindow({ ...base, scrollTop: 0, rowCount: 150 })
    expect(w).toMatchObject({ start: 0, end: 12, visibleStart: 0, visibleEnd: 10, offsetY: 0, contentHeight: 4500, scale: 1 })
  })

  it('places rows at their own offset in the middle', () => {
    const w = rowWindow({ ...base, scrollTop: 1000, rowCount: 150 })
    // 1000 / 30 = 33.3: row 33 is the first visible one, row 43 the last.
    expect(w.visibleStart).toBe(33)
    expect(w.visibleEnd).toBe(44)
    expect(w.start).toBe(31)
    expect(w.end).toBe(46)
    expect(w.offsetY).toBe(31 * 30)
  })

  it('clamps at the end of the table', () => {
    const w = rowWindow({ ...base, scrollTop: 99_999, rowCount: 150 })
    expect(w.end).toBe(150)
    expect(w.visibleEnd).toBe(150)
    expect(w.visibleStart).toBe(140)
    expect(w.offsetY + (149 - w.start) * 30 + 30).toBe(w.contentHeight)
  })

  it('handles empty tables and tables shorter than the viewport', () => {
    expect(rowWindow({ ...base, scrollTop: 0, rowCount: 0 })).toMatchObject({ start: 0, end: 0, contentHeight: 0 })
    expect(rowWindow({ ...base, scrollTop: 50, rowCount: 4 })).toMatchObject({ start: 0, end: 4, offsetY: 0, contentHeight: 120 })
  })

  it('100,000 rows: the window stays small wherever the scroll is', () => {
    for (const scrollTop of [0, 123_456, 1_500_000, 2_999_700]) {
      const w = rowWindow({ ...base, scrollTop, rowCount: 100_000 })
      expect(w.end - w.start).toBeLessThanOrEqual(10 + 1 + 2 * 2)
      expect(w.offsetY).toBe(w.start * 30)
    }
  })

  it('scales a table taller than the browser allows and still reaches the last row', () => {
    const input = { ...base, rowCount: 10_000_000, maxContentHeight: 1_000_000 }
    const top = rowWindow({ ...input, scrollTop: 0 })
    expect(top.contentHeight).toBe(1_000_000)
    expect(top.scale).toBeCloseTo(300)
    expect(top.start).toBe(0)
    const bottom = rowWindow({ ...input, scrollTop: 1_000_000 - 300 })
    expect(bottom.end).toBe(10_000_000)
    expect(bottom.visibleEnd).toBe(10_000_000)
    // The last row ends exactly at the bottom of the scroll content.
    expect(bottom.offsetY + (bottom.end - bottom.start) * 30).toBeCloseTo(1_000_000, 6)
    const middle = rowWindow({ ...input, scrollTop: 499_850 })
    expect(middle.visibleStart).toBeGreaterThan(4_990_000)
    expect(middle.visibleStart).toBeLessThan(5_010_000)
    // Rows are drawn around the viewport.
    expect(middle.offsetY).toBeLessThanOrEqual(499_850)
    expect(middle.offsetY + (middle.end - middle.start) * 30).toBeGreaterThanOrEqual(499_850 + 300)
  })

  it('scrollTopForRow is the inverse of the window start', () => {
    const input = { ...base, rowCount: 100_000 }
    expect(rowWindow({ ...input, scrollTop: scrollTopForRow(4321, input) }).visibleStart).toBe(4321)
    const tall = { ...input, rowCount: 10_000_000, maxContentHeight: 1_000_000 }
    expect(rowWindow({ ...tall, scrollTop: scrollTopForRow(7_654_321, tall) }).visibleStart).toBe(7_654_321)
  })
})

describe('pagesForRange', () => {
  it('lists the pages that hold the rows', () => {
    expect(pagesForRange(0, 12, 200)).toEqual([0])
    expect(pagesForRange(190, 215, 200)).toEqual([0, 1])
    expect(pagesForRange(99_990, 100_000, 200)).toEqual([499])
    expect(pagesForRange(5, 5, 200)).toEqual([])
  })
})

describe('columnWidth', () => {
  it('fits the name and stays within bounds', () => {
    expect(columnWidth('x', 'numeric')).toBe(120)
    expect(columnWidth('DistancesToClusterCenter no.0', 'numeric')).toBeGreaterThan(columnWidth('petal_width', 'numeric'))
    expect(columnWidth('a'.repeat(200), 'string')).toBe(280)
  })
})
