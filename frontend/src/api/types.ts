// The shapes of the HTTP API (docs/api.md). Every type the server declares is named from the generated
// ./openapi.gen.ts (`make api-types` writes it from backend/schemas.py and the routes), so a change on the
// server shows up here as a type error. Written by hand, each with its reason: what the server leaves
// untyped (GET /api/modules, the generic `{data, count}`), and the few fields adjusted below.

import type { components } from './openapi.gen'

type Schemas = components['schemas']

/** `T` with the fields `K` optional. */
type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>

/** `T` with the fields `K` always present: the server fills them in every response (the schema marks them
 * optional because it has a default for them). */
type Present<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> }

export type DatabaseKind = 'sqlite' | 'postgresql'

export type Health = Schemas['Health']

export type User = Schemas['UserPublic']

// ---- the module catalogue ------------------------------------------------------------------------
// GET /api/modules returns the catalogue the module registry builds (modules/registry.py) with no
// response schema, so its shape is written here, from modules/contract.py.

export interface PortSpec {
  id: string
  name: string
  type: string
  optional?: boolean
  description?: string
  /** Outputs only: the view that shows the value (`table`, `clusters`, `sweep`, `model`). */
  view?: string
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
  | 'trained_model'
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

// ---- datasets -----------------------------------------------------------------------------------

export type ColumnInfo = Schemas['ColumnInfo']

export type Dataset = Schemas['DatasetPublic']

// ---- graphs & experiments -----------------------------------------------------------------------

/** A node as the server sends it, with `comment` optional: the editor builds nodes without one (the server
 * stores ""). */
export type GraphNode = Optional<Schemas['GraphNode-Output'], 'comment'>

export type GraphEdge = Schemas['GraphEdge']

export type Graph = Omit<Schemas['Graph-Output'], 'nodes'> & { nodes: GraphNode[] }

/** `T` with its `graph` made of the nodes above. */
type WithGraph<T extends { graph: unknown }> = Omit<T, 'graph'> & { graph: Graph }

export type RunBrief = Schemas['RunBrief']

export type Experiment = WithGraph<Omit<Schemas['ExperimentPublic'], 'last_run'> & { last_run?: RunBrief | null }>

export type ExperimentVersion = WithGraph<Schemas['ExperimentVersionPublic']>

/** Every paged list: `{data, count}` (the schema has one instance per item type, so it is written once here). */
export interface ListOf<T> {
  data: T[]
  count: number
}

export type ValidationIssue = Schemas['ValidationIssue']

export type ValidationResult = Schemas['ValidationResult']

// ---- runs -------------------------------------------------------------------------------------

/** Of runs and nodes alike: one enum on the server (backend/core/status.py). */
export type RunStatus = Schemas['RunStatus']

export type NodeError = Schemas['NodeError']

/** Where a node's time went in the worker (module, and what the runtime did around it). */
export type NodeTimings = Schemas['NodeTimingsPublic']

/** A node of a run. The fields a node has only once it started are optional here: the frontend's own node
 * states (and its tests) are built without them. */
export type NodeRun = Optional<
  Schemas['NodeRunPublic'],
  'module' | 'started_at' | 'finished_at' | 'duration_ms' | 'progress' | 'error' | 'timings'
>

export type Run = Optional<Omit<Schemas['RunPublic'], 'nodes'>, 'started_at' | 'finished_at'> & {
  nodes: Record<string, NodeRun>
}

// ---- sharing, links, the gallery ----------------------------------------------------------------

export type ShareRole = 'viewer' | 'editor'
export type Role = 'owner' | ShareRole

export type Share = Schemas['SharePublic']

export type ShareLink = Schemas['LinkPublic']

export type GalleryEntry = Schemas['GalleryEntry']

/** An experiment as a link holder or a gallery visitor sees it: read-only, with its latest run. */
export type PublicExperiment = WithGraph<
  Present<Omit<Schemas['PublicExperiment'], 'run'> & { run?: Run | null }, 'my_role' | 'run' | 'output_summaries'>
>
