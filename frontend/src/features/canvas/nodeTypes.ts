import type { EdgeTypes, NodeTypes } from '@xyflow/react'
import { GraphEdgeView } from './GraphEdgeView'
import { ModuleNodeView } from './ModuleNodeView'

// Defined once at module level: a new object on every render makes React Flow re-mount every node.
export const nodeTypes: NodeTypes = {
  module: ModuleNodeView,
}

export const edgeTypes: EdgeTypes = {
  graph: GraphEdgeView,
}
