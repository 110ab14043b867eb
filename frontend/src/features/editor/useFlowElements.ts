import { useMemo, useRef } from 'react'
import type { ModuleSpec } from '../../api/types'
import type { GraphEdgeData } from '../canvas/GraphEdgeView'
import type { NodeRunView, NodeStatus } from '../runs/runState'
import type { Doc, GraphEdgeView, ModuleNode } from './graphDoc'

/**
 * What React Flow draws: the document's nodes with their status as DOM attributes, and its edges
 * typed by the port they leave. Each node and edge keeps its identity while neither it nor its
 * decoration changed, so React Flow re-renders only what did.
 */
export function useFlowElements(doc: Doc, runNodes: Readonly<Record<string, NodeRunView>> | null, specs: ReadonlyMap<string, ModuleSpec>) {
  const decoratedNodes = useRef(new WeakMap<ModuleNode, { status: NodeStatus; node: ModuleNode }>())
  const nodes = useMemo(() => {
    const cache = decoratedNodes.current
    return doc.nodes.map((node) => {
      const status = runNodes?.[node.id]?.status ?? 'idle'
      const hit = cache.get(node)
      if (hit && hit.status === status) return hit.node
      const out: ModuleNode = {
        ...node,
        domAttributes: { 'data-module': node.data.moduleId, 'data-status': status } as ModuleNode['domAttributes'],
      }
      cache.set(node, { status, node: out })
      return out
    })
  }, [doc.nodes, runNodes])

  const decoratedEdges = useRef(new WeakMap<GraphEdgeView, { type: string; edge: GraphEdgeView }>())
  const edges = useMemo(() => {
    const cache = decoratedEdges.current
    const moduleOf = new Map(doc.nodes.map((n) => [n.id, n.data.moduleId]))
    return doc.edges.map((edge) => {
      const spec = specs.get(moduleOf.get(edge.source) ?? '')
      const portType = spec?.outputs.find((p) => p.id === edge.sourceHandle)?.type ?? 'other'
      const hit = cache.get(edge)
      if (hit && hit.type === portType) return hit.edge
      const out: GraphEdgeView = { ...edge, type: 'graph', data: { portType } satisfies GraphEdgeData }
      cache.set(edge, { type: portType, edge: out })
      return out
    })
  }, [doc.nodes, doc.edges, specs])

  return { nodes, edges }
}
