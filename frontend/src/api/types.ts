// Shapes from the HTTP API contract (shared/spec/api.md). Fields may be added, none renamed.

export type DatabaseKind = 'sqlite' | 'postgresql'

export interface Health {
  status: string
  version: string
  database: DatabaseKind | string
}

export interface PortSpec {
  id: string
  name: string
  type: string
  optional?: boolean
}

export interface ParamSpec {
  id: string
  name: string
  type: string
  default?: unknown
  visible_when?: unknown
  [extra: string]: unknown
}

export interface ModuleSpec {
  id: string
  name: string
  category: string
  description?: string
  inputs: PortSpec[]
  outputs: PortSpec[]
  params: ParamSpec[]
}
