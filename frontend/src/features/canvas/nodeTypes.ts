import type { NodeTypes } from '@xyflow/react'
import { ModuleNodeView } from './ModuleNodeView'

// Defined once at module level: a new object on every render makes React Flow re-mount every node.
export const nodeTypes: NodeTypes = {
  module: ModuleNodeView,
}
