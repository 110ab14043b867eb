// Output payloads served by GET /api/runs/{run}/nodes/{node}/outputs/{port}[/rows|/visualization]
// (backend/services/outputs/*.py, modules/models.py `to_json_summary`). Fields may be added, none renamed.

export type ColumnType = 'numeric' | 'string' | 'boolean' | 'datetime'

export interface Histogram {
  /** n + 1 bin edges (numbers, or ISO strings for datetime columns). */
  edges: Array<number | string>
  counts: number[]
}

export interface TopValue {
  value: unknown
  count: number
}

export interface ColumnStats {
  count: number
  missing: number
  unique: number
  mean?: number | null
  std?: number | null
  min?: number | string | null
  q25?: number | null
  median?: number | null
  q75?: number | null
  max?: number | string | null
  histogram?: Histogram
  top?: TopValue[]
  other_count?: number
  true_count?: number
  false_count?: number
}

export interface ColumnSummary {
  name: string
  type: ColumnType | string
  stats: ColumnStats
}

export interface TableSummary {
  type: 'data_table'
  n_rows: number
  n_columns: number
  columns: ColumnSummary[]
  preview?: unknown[][]
  /** A table stored partitioned (too large to read whole): the rows its distinct values, quartiles,
   * histograms and top values come from; counts, min, max, mean and std count every row. */
  sampled_rows?: number
}

export interface UntrainedModelSummary {
  type: 'untrained_cluster_model'
  algorithm?: string
  algorithm_name?: string
  trainer_mode: 'single' | 'range' | string
  n_clusters?: number
  n_clusters_range?: number[]
  init?: string
  init_sweep?: string[]
  seed?: number | null
  n_seeds?: number
  metric?: string
  normalize?: boolean
  iterations?: number
  tol?: number
  n_init?: number
  float32?: boolean
  assign_label_mode?: string
  [extra: string]: unknown
}

export interface FeatureColumnInfo {
  name: string
  kind: string
  categories: string[]
}

/** A merge tree a model summary may carry (modules/dendrogram.py): SciPy's `dendrogram(no_plot=True)`
 * geometry, leaf i at x = 10·i + 5, heights as merge distances. */
export interface DendrogramView {
  icoord: number[][]
  dcoord: Array<Array<number | null>>
  /** Each leaf's id: below n_rows a training row, else a group of rows merged below it. */
  leaves: number[]
  leaf_labels: string[]
  leaf_counts: number[]
  /** The cluster of each leaf's rows (null when they span several). */
  leaf_clusters?: Array<number | null>
  n_rows: number
  /** Set when only the last merges are shown. */
  truncated: { shown: number; of: number } | null
  cut_height: number | null
}

export interface TrainedModelSummary {
  type: 'trained_cluster_model'
  /** The algorithm's id and display name (e.g. "kmeans", "K-Means"). */
  algorithm?: string
  algorithm_name?: string
  k: number
  features: string[]
  feature_columns?: FeatureColumnInfo[]
  metric?: string
  normalize: boolean
  normalization?: { min: Array<number | null>; scale: Array<number | null> } | null
  /** Offered by algorithms whose clusters have centres (K-Means); the centroid views need it. */
  centroids?: Array<Array<number | null>>
  cluster_sizes: number[]
  seed: number | null
  init?: string
  iterations?: number
  iterations_run?: number
  converged?: boolean
  inertia?: number | null
  training_seconds?: number | null
  n_training_rows?: number
  label_column?: string | null
  label_mode?: string
  cluster_labels?: unknown[] | null
  /** Training rows in no cluster: only models that may assign noise (density clustering) have it. */
  noise_count?: number
  parameters?: UntrainedModelSummary
  /** Offered by hierarchical models: the merge tree the model view draws with its cut. */
  dendrogram?: DendrogramView
  [extra: string]: unknown
}

/** A trained model whose summary offers cluster centres. */
export type ModelWithCentroids = TrainedModelSummary & { centroids: Array<Array<number | null>> }

export function hasCentroids(model: TrainedModelSummary): model is ModelWithCentroids {
  return Array.isArray(model.centroids)
}

export type OutputSummary = TableSummary | TrainedModelSummary | UntrainedModelSummary

export interface RowsPage {
  columns: string[]
  rows: unknown[][]
  total: number
  offset: number
  limit: number
}

export interface ClusterEllipse {
  cluster: number
  cx: number
  cy: number
  /** Semi-axis along the rotated x direction (the major axis). */
  rx: number
  ry: number
  /** Counter-clockwise from +x, in data coordinates. */
  angle_deg: number
  count?: number
}

export interface ClusterVisualization {
  kind: 'clusters'
  type?: string
  k: number
  n_rows?: number
  n_points_total: number
  n_excluded?: number
  excluded?: { missing_assignment: number; missing_features: number }
  /** Rows whose assignment is noise (-1): charted grey as cluster -1, in no size, centroid or ellipse. */
  noise_count?: number
  assignments_column?: string
  distance_columns?: string[]
  /** What the score columns hold: distances to the centres (lower is nearer) or probabilities of the
   * clusters (higher is nearer); the histograms are of the own cluster's score either way. */
  score_kind?: 'distance' | 'probability'
  cluster_sizes: Array<{ cluster: number; count: number }>
  distance_histograms: Array<{ cluster: number; count?: number; edges: number[]; counts: number[] }>
  ellipse_sigma?: number
  max_points?: number | null
  /** Rows the projection, centroids, ellipses and histograms come from: fewer than n_points_total
   * when a large table's default chart was computed from a sample of them. */
  projection_rows?: number
  message: string | null
  projection: {
    method?: string
    scaling?: string
    features?: string[]
    explained_variance_ratio: number[]
    components?: number[][]
  } | null
  points: { x: number[]; y: number[]; cluster: number[]; row: number[] }
  sampled: boolean
  centroids: Array<{ cluster: number; x: number; y: number }>
  ellipses: ClusterEllipse[]
  /** Where the ellipses come from: the points' own covariance per cluster, or the covariances of the
   * trained model the node output beside the results (a Gaussian mixture's components). */
  ellipse_source?: 'points' | 'model'
}

export type MetricDirection = 'higher' | 'lower'

export interface SweepPoint {
  k: number
  best: number | null
  mean: number | null
  count?: number
  values: Array<number | null>
  runs: Array<number | null>
}

/** One value of a swept parameter and the runs that had it (as SweepPoint, by value not by k). */
export interface SweepParameterPoint extends Omit<SweepPoint, 'k'> {
  x: number | string
}

/** A parameter the sweep varied (a column of the sweep results) and each metric against it. */
export interface SweepParameter {
  column: string
  numeric: boolean
  values: Array<number | string>
  series: Record<string, SweepParameterPoint[]>
}

/** Inertia against k (the smallest of each k's runs) and the knee Kneedle found on the server. */
export interface SweepElbow {
  points: Array<{ k: number; inertia: number; count: number }>
  knee: { k: number; inertia: number } | null
  method: string
}

/** Per k run with several seeds: the mean pairwise ARI of its seeds and the chosen metric's spread. */
export interface SweepStability {
  points: Array<{ k: number; ari: number; min_ari: number; spread: number | null; runs: number }>
}

export interface SweepVisualization {
  kind: 'sweep'
  type?: string
  metric: string
  metric_source?: string
  better: MetricDirection
  directions?: Record<string, MetricDirection>
  n_runs?: number
  series: Record<string, SweepPoint[]>
  best: { k: number; run: number | null; value: number | null; row?: number } | null
  parameters?: SweepParameter[]
  elbow?: SweepElbow | null
  stability?: SweepStability | null
}

export interface TableVisualization extends Omit<TableSummary, 'type'> {
  kind: 'table'
  type?: string
}

export interface ModelVisualization {
  kind: 'model'
  type: string
  [extra: string]: unknown
}

export type Visualization = ClusterVisualization | SweepVisualization | TableVisualization | ModelVisualization
