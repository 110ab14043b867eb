// Two clustering results side by side (GET …/outputs/{port}/compare?other_run=…), made by
// backend/services/run_comparison.py.
import { apiGet } from '../../api/client'
import { outputPath, type OutputRef } from './api'
import type { LabelAgreement } from './profile'
import type { MetricDirection } from './types'

export interface RunComparison {
  runs: [number, number]
  n_rows: number
  compared_rows: number
  parameters: Array<{ node_id: string; param: string; a: unknown; b: unknown }>
  metrics: Array<{ id: string; name: string; better: MetricDirection | null; a: number | null; b: number | null }>
  agreement: LabelAgreement['metrics']
  clusters_a: number[]
  clusters_b: number[]
  contingency: number[][]
}

export function compareUrl(ref: OutputRef, otherRun: number): string {
  return `${outputPath(ref)}/compare?other_run=${encodeURIComponent(String(otherRun))}`
}

export const getComparison = (ref: OutputRef, otherRun: number, signal?: AbortSignal) =>
  apiGet<RunComparison>(compareUrl(ref, otherRun), signal)

/** Which side is better on a metric ('a', 'b', or null when equal, unknown or not ranked). */
export function betterSide(metric: RunComparison['metrics'][number]): 'a' | 'b' | null {
  if (metric.better === null || metric.a === null || metric.b === null || metric.a === metric.b) return null
  const aHigher = metric.a > metric.b
  return (metric.better === 'higher') === aHigher ? 'a' : 'b'
}
