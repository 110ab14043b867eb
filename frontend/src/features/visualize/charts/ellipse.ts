import type { ClusterEllipse } from '../types'

export type Point = [number, number]

/**
 * The outline of an ellipse as a polygon of `segments` vertices (not closed: the last vertex is not the
 * first), in data coordinates. `rx` is the semi-axis along the direction `angle_deg` (counter-clockwise
 * from +x), `ry` the one perpendicular to it. An ellipse with no extent gives no vertices.
 */
export function ellipsePolygon(
  { cx, cy, rx, ry, angle_deg }: Pick<ClusterEllipse, 'cx' | 'cy' | 'rx' | 'ry' | 'angle_deg'>,
  segments = 72,
): Point[] {
  const values = [cx, cy, rx, ry, angle_deg]
  if (!values.every(Number.isFinite) || (rx <= 0 && ry <= 0) || segments < 3) return []
  const theta = (angle_deg * Math.PI) / 180
  const cos = Math.cos(theta)
  const sin = Math.sin(theta)
  const points: Point[] = []
  for (let i = 0; i < segments; i += 1) {
    const t = (2 * Math.PI * i) / segments
    const u = Math.abs(rx) * Math.cos(t)
    const v = Math.abs(ry) * Math.sin(t)
    points.push([cx + u * cos - v * sin, cy + u * sin + v * cos])
  }
  return points
}

/** The axis-aligned bounding box of a rotated ellipse: [xmin, xmax, ymin, ymax]. */
export function ellipseBounds({ cx, cy, rx, ry, angle_deg }: ClusterEllipse): [number, number, number, number] {
  const theta = (angle_deg * Math.PI) / 180
  const halfWidth = Math.hypot(rx * Math.cos(theta), ry * Math.sin(theta))
  const halfHeight = Math.hypot(rx * Math.sin(theta), ry * Math.cos(theta))
  return [cx - halfWidth, cx + halfWidth, cy - halfHeight, cy + halfHeight]
}
