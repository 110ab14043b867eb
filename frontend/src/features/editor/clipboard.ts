// Copy / paste / duplicate of a selection: the nodes with the edges between them, pasted with new
// ids, shifted, and selected (one undo step).

import type { Edge } from '@xyflow/react'
import { makeEdge, newId, type Doc, type ModuleNode } from './graphDoc'

export interface Fragment {
  kind: 'cluster-studio/fragment'
  nodes: { id: string; moduleId: string; params: Record<string, unknown>; comment: string; position: { x: number; y: number } }[]
  edges: { source: string; sourceHandle: string; target: string; targetHandle: string }[]
}

export function copySelection(doc: Doc): Fragment | null {
  const picked = doc.nodes.filter((node) => node.selected)
  if (picked.length === 0) return null
  const ids = new Set(picked.map((node) => node.id))
  return {
    kind: 'cluster-studio/fragment',
    nodes: picked.map((node) => ({
      id: node.id,
      moduleId: node.data.moduleId,
      params: JSON.parse(JSON.stringify(node.data.params)) as Record<string, unknown>,
      comment: node.data.comment,
      position: { ...node.position },
    })),
    edges: doc.edges
      .filter((edge) => ids.has(edge.source) && ids.has(edge.target))
      .map((edge) => ({
        source: edge.source,
        sourceHandle: edge.sourceHandle ?? '',
        target: edge.target,
        targetHandle: edge.targetHandle ?? '',
      })),
  }
}

export function isFragment(value: unknown): value is Fragment {
  const v = value as Fragment | null
  return !!v && v.kind === 'cluster-studio/fragment' && Array.isArray(v.nodes) && Array.isArray(v.edges)
}

/** The document with the fragment added (new ids, shifted by `offset`), the pasted nodes selected. */
export function pasteFragment(doc: Doc, fragment: Fragment, offset: { x: number; y: number }): Doc {
  const taken = new Set<string>([...doc.nodes.map((n) => n.id), ...doc.edges.map((e) => e.id)])
  const idMap = new Map<string, string>()
  const pasted: ModuleNode[] = fragment.nodes.map((node) => {
    const id = newId('n', taken)
    taken.add(id)
    idMap.set(node.id, id)
    return {
      id,
      type: 'module',
      position: { x: node.position.x + offset.x, y: node.position.y + offset.y },
      data: { moduleId: node.moduleId, params: JSON.parse(JSON.stringify(node.params)), comment: node.comment },
      selected: true,
    }
  })
  const edges: Edge[] = fragment.edges.map((edge) => {
    const id = newId('e', taken)
    taken.add(id)
    return makeEdge(id, idMap.get(edge.source) as string, edge.sourceHandle, idMap.get(edge.target) as string, edge.targetHandle)
  })
  return {
    nodes: [...doc.nodes.map((node) => (node.selected ? { ...node, selected: false } : node)), ...pasted],
    edges: [...doc.edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge)), ...edges],
  }
}

/** Removes the selected nodes, their edges and the selected edges. */
export function deleteSelection(doc: Doc): Doc {
  const gone = new Set(doc.nodes.filter((node) => node.selected).map((node) => node.id))
  const edges = doc.edges.filter((edge) => !edge.selected && !gone.has(edge.source) && !gone.has(edge.target))
  if (gone.size === 0 && edges.length === doc.edges.length) return doc
  return { nodes: doc.nodes.filter((node) => !gone.has(node.id)), edges }
}

export function selectAll(doc: Doc): Doc {
  return {
    nodes: doc.nodes.map((node) => (node.selected ? node : { ...node, selected: true })),
    edges: doc.edges.map((edge) => (edge.selected ? edge : { ...edge, selected: true })),
  }
}
