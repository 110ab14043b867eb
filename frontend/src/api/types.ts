// Shapes from the HTTP API contract (shared/spec/api.md). Fields may be added, none renamed.

export type DatabaseKind = 'sqlite' | 'postgresql'

export interface Health {
  status: string
  version: string
  database: DatabaseKind | string
}

export interface User {
  id: number
  username: string
}

export interface PortSpec {
  id: string
  name: string
  type: string
  optional?: boolean
}

export interface ChoiceSpec {
  value: string
  label: string
}

export type ParamType =
  | 'int'
  | 'float'
  | 'bool'
  | 'choice'
  | 'multi_choice'
  | 'int_range_string'
  | 'column_set'
  | 'column'
  | 'dataset'
  | 'seed'

export interface ParamSpec {
  id: string
  name: string
  type: ParamType | string
  default?: unknown
  description?: string
  required?: boolean
  nullable?: boolean
  min?: number
  max?: number
  min_exclusive?: boolean
  max_exclusive?: boolean
  choices?: ChoiceSpec[]
  /** Other parameter ids → the value (or list of values) they must have for this one to apply. */
  visible_when?: Record<string, unknown>
  /** The input port whose table's columns a `column` / `column_set` parameter refers to. */
  columns_from?: string
  /** What a null `column_set` selects, in words. */
  default_columns?: string
}

export interface ModuleSpec {
  id: string
  name: string
  category: string
  description?: string
  version?: number
  inputs: PortSpec[]
  outputs: PortSpec[]
  params: ParamSpec[]
}

export interface ColumnInfo {
  name: string
  type: string
}

export interface Dataset {
  id: string
  name: string
  n_rows: number
  n_columns: number
  columns: ColumnInfo[]
  size_bytes: number
  created_at: string | null
  sample?: boolean
  description?: string
  owner?: User | null
}

// ---- graphs & experiments ---------------------------------------------------------------------

export interface GraphNode {
  id: string
  module: string
  params: Record<string, unknown>
  position: { x: number; y: number }
  comment?: string
}

export interface GraphEdge {
  id: string
  source: string
  source_port: string
  target: string
  target_port: string
}

export interface Graph {
  nodes: GraphNode[]
  edges: GraphEdge[]
}

export interface RunBrief {
  id: number
  status: RunStatus
  created_at: string
  finished_at?: string | null
}

export interface Experiment {
  id: number
  name: string
  description: string
  graph: Graph
  version: number
  owner: User
  my_role?: 'owner' | 'editor' | 'viewer' | string
  created_at: string
  updated_at: string
  last_run?: RunBrief | null
}

export interface ExperimentVersion {
  version: number
  name: string
  description: string
  graph: Graph
  created_at: string
  created_by?: User | null
}

export interface ListOf<T> {
  data: T[]
  count: number
}

export interface ValidationIssue {
  code: string
  message: string
  node_id?: string | null
  edge_id?: string | null
  port?: string | null
  param?: string | null
}

export interface ValidationResult {
  valid: boolean
  errors: ValidationIssue[]
  warnings: ValidationIssue[]
  /** The columns each output port will carry where the server knows them, keyed `node_id.port`. */
  columns?: Record<string, ColumnInfo[]>
}

// ---- runs -------------------------------------------------------------------------------------

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted'

export interface NodeError {
  code: string
  message: string
}

export interface NodeRun {
  node_id: string
  module?: string
  status: RunStatus
  cached: boolean
  started_at?: string | null
  finished_at?: string | null
  duration_ms?: number | null
  progress?: number
  error?: NodeError | null
  /** port id → port type of the outputs this node produced. */
  outputs?: Record<string, string>
}

export interface Run {
  id: number
  experiment_id: number
  experiment_version: number
  status: RunStatus
  created_at: string
  started_at?: string | null
  finished_at?: string | null
  requested_nodes?: string[] | null
  error?: string | null
  nodes: Record<string, NodeRun>
}

// ---- sharing, links, the gallery ----------------------------------------------------------------

export type ShareRole = 'viewer' | 'editor'
export type Role = 'owner' | ShareRole

export interface Share {
  user: User
  role: ShareRole | string
}

export interface ShareLink {
  token: string
  url: string
}

export interface GalleryEntry {
  id: number
  title: string
  tags: string[]
  summary_markdown: string
  owner: User
  published_at: string
  experiment_name?: string
}

/** An experiment as a link holder or a gallery visitor sees it: read-only, with its latest run. */
export interface PublicExperiment {
  id: number
  name: string
  description: string
  graph: Graph
  version: number
  owner: User
  updated_at: string
  my_role: 'viewer' | string
  run: Run | null
  /** node id → port → the output's summary (table stats and preview, or the model's facts). */
  output_summaries: Record<string, Record<string, Record<string, unknown>>>
  /** The datasets the nodes use, by id. */
  datasets?: Record<string, Dataset>
  /** The gallery entry, when the experiment is published. */
  publication?: GalleryEntry | null
}
