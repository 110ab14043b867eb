// The silhouette plot (GET …/outputs/{port}/silhouette), made by backend/services/outputs/silhouette.py
// from modules/silhouette.py: see their docstrings for the feature space and the sampling.
import { apiGet } from '../../api/client'
import { outputPath, type OutputRef } from './api'

export interface WorstRow {
  /** The row's position in the table (0-based). */
  row: number
  silhouette: number | null
  simplified: number | null
  values: Record<string, string | number | boolean | null>
}

export interface SilhouetteCluster {
  cluster: number
  size: number
  /** Rows of the cluster with an exact value (all of them unless the table was sampled). */
  measured: number
  mean: number | null
  mean_simplified: number | null
  /** The exact values, highest first. */
  values: number[]
  worst: WorstRow[]
}

export interface SilhouettePlot {
  assignments: string
  features: string[]
  n_rows: number
  clustered_rows: number
  excluded_rows: number
  sampled: boolean
  exact_rows: number
  /** Set when the plot is of an even sample of a table stored in parts: the table's rows. The simplified
   * silhouette is then of the sample too. */
  sampled_from_rows?: number
  mean: number | null
  mean_simplified: number | null
  message: string | null
  clusters: SilhouetteCluster[]
}

export function silhouetteUrl(ref: OutputRef): string {
  return `${outputPath(ref)}/silhouette`
}

export const getSilhouette = (ref: OutputRef, signal?: AbortSignal) => apiGet<SilhouettePlot>(silhouetteUrl(ref), signal)

export interface Band {
  cluster: number
  /** Top of the band and its height, in rows of the plot (one unit per measured row). */
  top: number
  height: number
  values: number[]
}

/** The clusters stacked top to bottom with `gap` empty rows between them (the classic layout). */
export function stackBands(clusters: SilhouetteCluster[], gap: number): { bands: Band[]; total: number } {
  let top = 0
  const bands = clusters.map((cluster) => {
    const band = { cluster: cluster.cluster, top, height: cluster.values.length, values: cluster.values }
    top += cluster.values.length + gap
    return band
  })
  return { bands, total: Math.max(1, top - gap) }
}

/** The band's outline as SVG points: from the zero line out to each row's value and back. */
export function bandPoints(band: Band, x: (value: number) => number, y: (row: number) => number): string {
  const points = [`${x(0)},${y(band.top)}`]
  band.values.forEach((value, i) => {
    points.push(`${x(value)},${y(band.top + i)}`, `${x(value)},${y(band.top + i + 1)}`)
  })
  points.push(`${x(0)},${y(band.top + band.height)}`)
  return points.join(' ')
}
