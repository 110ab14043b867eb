// The editor's document (React Flow nodes and edges) and the API's graph JSON, both ways.

import type { Edge, Node } from '@xyflow/react'
import type { Graph, GraphEdge, GraphNode } from '../../api/types'

export type ModuleNodeData = {
  moduleId: string
  params: Record<string, unknown>
  comment: string
}

export type ModuleNode = Node<ModuleNodeData, 'module'>
export type GraphEdgeView = Edge

export interface Doc {
  nodes: ModuleNode[]
  edges: GraphEdgeView[]
}

export const EMPTY_DOC: Doc = { nodes: [], edges: [] }

let counter = 0

/** An id that is unique among `existing` and matches the API's id pattern (≤ 64 of [A-Za-z0-9_.:-]). */
export function newId(prefix: string, existing: ReadonlySet<string> = new Set()): string {
  let id: string
  do {
    counter += 1
    id = `${prefix}${Date.now().toString(36)}${counter.toString(36)}`
  } while (existing.has(id))
  return id
}

export function makeNode(
  moduleId: string,
  position: { x: number; y: number },
  params: Record<string, unknown>,
  id: string,
  comment = '',
): ModuleNode {
  return { id, type: 'module', position, data: { moduleId, params, comment } }
}

export function makeEdge(id: string, source: string, sourcePort: string, target: string, targetPort: string): GraphEdgeView {
  return { id, source, sourceHandle: sourcePort, target, targetHandle: targetPort }
}

const round = (value: number) => Math.round(value * 10) / 10

export function toApiGraph(doc: Doc): Graph {
  return {
    nodes: doc.nodes.map(
      (node): GraphNode => ({
        id: node.id,
        module: node.data.moduleId,
        params: node.data.params,
        position: { x: round(node.position.x), y: round(node.position.y) },
        comment: node.data.comment ?? '',
      }),
    ),
    edges: doc.edges.map(
      (edge): GraphEdge => ({
        id: edge.id,
        source: edge.source,
        source_port: edge.sourceHandle ?? '',
        target: edge.target,
        target_port: edge.targetHandle ?? '',
      }),
    ),
  }
}

export function fromApiGraph(graph: Graph): Doc {
  return {
    nodes: (graph.nodes ?? []).map((node) =>
      makeNode(node.module, { x: node.position?.x ?? 0, y: node.position?.y ?? 0 }, { ...(node.params ?? {}) }, node.id, node.comment ?? ''),
    ),
    edges: (graph.edges ?? []).map((edge) => makeEdge(edge.id, edge.source, edge.source_port, edge.target, edge.target_port)),
  }
}

/** A stable text of what is saved: equal keys mean nothing to save. */
export function graphKey(graph: Graph): string {
  return JSON.stringify(graph)
}

/** What validation depends on (positions and comments do not matter to it). */
export function validationKey(graph: Graph): string {
  return JSON.stringify({
    nodes: graph.nodes.map((node) => [node.id, node.module, node.params]),
    edges: graph.edges.map((edge) => [edge.id, edge.source, edge.source_port, edge.target, edge.target_port]),
  })
}

/** Keeps the measured sizes React Flow found for nodes that exist in both documents. */
export function carryMeasured(target: Doc, current: Doc): Doc {
  const measured = new Map(current.nodes.map((node) => [node.id, node.measured]))
  let changed = false
  const nodes = target.nodes.map((node) => {
    const m = measured.get(node.id)
    if (m && !node.measured) {
      changed = true
      return { ...node, measured: m }
    }
    return node
  })
  return changed ? { ...target, nodes } : target
}
