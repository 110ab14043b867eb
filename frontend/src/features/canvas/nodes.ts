import type { Node, XYPosition } from '@xyflow/react'
import type { ModuleSpec } from '../../api/types'

export type NodeStatus = 'idle' | 'queued' | 'running' | 'succeeded' | 'cached' | 'failed' | 'cancelled'

export type ModuleNodeData = {
  moduleId: string
  spec: ModuleSpec
  status: NodeStatus
  comment: string
  params: Record<string, unknown>
}

export type ModuleNode = Node<ModuleNodeData, 'module'>

let counter = 0

/** A node id that is unique within this page (the server keeps whatever ids the graph uses). */
export function newNodeId(existing: ReadonlySet<string> = new Set()): string {
  let id: string
  do {
    counter += 1
    id = `n${Date.now().toString(36)}${counter.toString(36)}`
  } while (existing.has(id))
  return id
}

function defaultParams(spec: ModuleSpec): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const param of spec.params ?? []) {
    if (param.default !== undefined) params[param.id] = param.default
  }
  return params
}

/**
 * A canvas node for a catalogue module. The node's DOM element carries `data-module` and
 * `data-status` (the testability contract of the canvas).
 */
export function createModuleNode(spec: ModuleSpec, position: XYPosition, id = newNodeId()): ModuleNode {
  const status: NodeStatus = 'idle'
  return {
    id,
    type: 'module',
    position,
    data: { moduleId: spec.id, spec, status, comment: '', params: defaultParams(spec) },
    domAttributes: { 'data-module': spec.id, 'data-status': status } as ModuleNode['domAttributes'],
  }
}
