import { describe, expect, it } from 'vitest'
import { ellipseBounds, ellipsePolygon } from './ellipse'

/** (u/rx)² + (v/ry)² of a point, with (u, v) its coordinates in the ellipse's own axes. */
function ellipseEquation(x: number, y: number, e: { cx: number; cy: number; rx: number; ry: number; angle_deg: number }) {
  const t = (e.angle_deg * Math.PI) / 180
  const dx = x - e.cx
  const dy = y - e.cy
  const u = dx * Math.cos(t) + dy * Math.sin(t)
  const v = -dx * Math.sin(t) + dy * Math.cos(t)
  return (u / e.rx) ** 2 + (v / e.ry) ** 2
}

describe('ellipsePolygon', () => {
  const cases = [
    { cx: 0.5567, cy: 0.1037, rx: 0.299, ry: 0.2035, angle_deg: 43.99 },
    { cx: -0.618, cy: 0.0686, rx: 0.3535, ry: 0.0973, angle_deg: -82.4 },
    { cx: 10, cy: -3, rx: 5, ry: 5, angle_deg: 0 },
    { cx: 0, cy: 0, rx: 2, ry: 1, angle_deg: 135 },
  ]

  it.each(cases)('puts every vertex on the ellipse %#', (e) => {
    const polygon = ellipsePolygon(e, 90)
    expect(polygon).toHaveLength(90)
    for (const [x, y] of polygon) expect(ellipseEquation(x, y, e)).toBeCloseTo(1, 9)
  })

  it('starts at the end of the major axis, in the direction of the angle (counter-clockwise from +x)', () => {
    const [first, , , quarter] = ellipsePolygon({ cx: 1, cy: 2, rx: 2, ry: 1, angle_deg: 90 }, 12)
    // angle 90°: the major axis points up (+y).
    expect(first[0]).toBeCloseTo(1, 12)
    expect(first[1]).toBeCloseTo(4, 12)
    // A quarter turn later: the end of the minor axis, at −x.
    expect(quarter[0]).toBeCloseTo(0, 12)
    expect(quarter[1]).toBeCloseTo(2, 12)
  })

  it('goes round once, counter-clockwise (positive signed area = π·rx·ry)', () => {
    const polygon = ellipsePolygon({ cx: 3, cy: 4, rx: 2, ry: 0.5, angle_deg: 30 }, 360)
    let area = 0
    for (let i = 0; i < polygon.length; i += 1) {
      const [x0, y0] = polygon[i]
      const [x1, y1] = polygon[(i + 1) % polygon.length]
      area += x0 * y1 - x1 * y0
    }
    expect(area / 2).toBeCloseTo(Math.PI * 2 * 0.5, 2)
  })

  it('gives nothing for a degenerate or non-finite ellipse', () => {
    expect(ellipsePolygon({ cx: 0, cy: 0, rx: 0, ry: 0, angle_deg: 0 })).toEqual([])
    expect(ellipsePolygon({ cx: Number.NaN, cy: 0, rx: 1, ry: 1, angle_deg: 0 })).toEqual([])
  })

  it('bounds contain every vertex and touch the polygon', () => {
    const e = { cluster: 0, cx: 0.2, cy: -0.4, rx: 0.9, ry: 0.3, angle_deg: 25 }
    const [x0, x1, y0, y1] = ellipseBounds(e)
    const polygon = ellipsePolygon(e, 3600)
    const xs = polygon.map((p) => p[0])
    const ys = polygon.map((p) => p[1])
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(x0 - 1e-12)
    expect(Math.max(...xs)).toBeLessThanOrEqual(x1 + 1e-12)
    expect(Math.min(...xs)).toBeCloseTo(x0, 4)
    expect(Math.max(...ys)).toBeCloseTo(y1, 4)
    expect(Math.min(...ys)).toBeCloseTo(y0, 4)
  })
})
