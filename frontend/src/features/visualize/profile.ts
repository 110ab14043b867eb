// Cluster profiles (GET …/outputs/{port}/profile): what each cluster is, feature by feature. The payload
// is made by backend/services/outputs/profiles.py; see its docstring for how each number is computed.
import { apiGet } from '../../api/client'
import { outputPath, type OutputRef } from './api'

export type EffectMagnitude = 'large' | 'medium' | 'small' | 'negligible'

export interface NumericDistinction {
  feature: string
  kind: 'numeric'
  /** Cohen's d of the cluster against the rest of the rows. */
  effect: number
  direction: 'higher' | 'lower'
  mean: number | null
  overall_mean: number | null
  magnitude: EffectMagnitude
}

export interface CategoryDistinction {
  feature: string
  kind: 'categorical'
  value: string
  share: number
  rest_share: number
  /** Cohen's h of the value's share in the cluster against its share in the rest. */
  effect: number
  magnitude: EffectMagnitude
}

export type Distinction = NumericDistinction | CategoryDistinction

export interface ProfileCluster {
  cluster: number
  size: number
  share: number
  distinguishing: Distinction[]
}

export interface NumericClusterStats {
  count: number
  mean: number | null
  std: number | null
  min: number | null
  q25: number | null
  median: number | null
  q75: number | null
  max: number | null
  /** Counts over the feature's `edges` (the same bins for every cluster). */
  histogram: number[]
  effect: number | null
}

export interface NumericFeatureProfile {
  feature: string
  kind: 'numeric'
  edges: number[]
  overall: { mean: number | null; std: number | null; median: number | null; histogram: number[] }
  clusters: NumericClusterStats[]
}

export interface ValueShare {
  value: string
  share: number
  effect?: number | null
}

export interface CategoricalFeatureProfile {
  feature: string
  kind: 'categorical'
  overall: ValueShare[]
  clusters: Array<{ count: number; top: ValueShare[] }>
}

export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile

export interface ClusterProfiles {
  assignments: string
  n_rows: number
  assigned_rows: number
  /** Rows the statistics come from: fewer than assigned_rows when a large table was sampled. */
  profiled_rows: number
  /** A table stored partitioned: counts, means, standard deviations and effect sizes count every row
   * (only quartiles, extremes, histograms and shares come from the sample, an even one). */
  moments_of_all_rows?: boolean
  n_clusters: number
  features_shown: number
  features_total: number
  /** In the order of every feature's `clusters` list. */
  clusters: ProfileCluster[]
  features: FeatureProfile[]
}

export function profileUrl(ref: OutputRef, format: 'json' | 'csv' = 'json'): string {
  return `${outputPath(ref)}/profile${format === 'csv' ? '?format=csv' : ''}`
}

export const getProfile = (ref: OutputRef, signal?: AbortSignal) => apiGet<ClusterProfiles>(profileUrl(ref), signal)

/** GET …/outputs/{port}/agreement?label=…: the clusters against a label column (modules/agreement.py). */
export interface LabelAgreement {
  assignments: string
  label_column: string
  n_rows: number
  compared_rows: number
  left_out: { missing_assignment: number; noise: number; missing_label: number }
  metrics: Array<{ id: string; name: string; description: string; value: number | null }>
  clusters: number[]
  labels: string[]
  /** contingency[i][j]: rows of clusters[i] with labels[j]. */
  contingency: number[][]
}

export function agreementUrl(ref: OutputRef, label: string): string {
  return `${outputPath(ref)}/agreement?label=${encodeURIComponent(label)}`
}

export const getAgreement = (ref: OutputRef, label: string, signal?: AbortSignal) =>
  apiGet<LabelAgreement>(agreementUrl(ref, label), signal)
