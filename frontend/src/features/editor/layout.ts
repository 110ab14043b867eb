// Auto-layout: a top-to-bottom layered drawing (dagre), inputs above, outputs below.

import dagre from '@dagrejs/dagre'
import type { Doc } from './graphDoc'

const DEFAULT_SIZE = { width: 200, height: 48 }

export function layoutDoc(doc: Doc): Doc {
  if (doc.nodes.length === 0) return doc
  const g = new dagre.graphlib.Graph()
  g.setGraph({ rankdir: 'TB', nodesep: 48, ranksep: 72, marginx: 20, marginy: 20 })
  g.setDefaultEdgeLabel(() => ({}))
  for (const node of doc.nodes) {
    const width = node.measured?.width ?? DEFAULT_SIZE.width
    const height = node.measured?.height ?? DEFAULT_SIZE.height
    g.setNode(node.id, { width, height })
  }
  for (const edge of doc.edges) {
    if (g.hasNode(edge.source) && g.hasNode(edge.target)) g.setEdge(edge.source, edge.target)
  }
  dagre.layout(g)
  // Keep the drawing where the old one was (its top-left corner), so the view does not jump.
  const minX = Math.min(...doc.nodes.map((n) => n.position.x))
  const minY = Math.min(...doc.nodes.map((n) => n.position.y))
  let laidMinX = Infinity
  let laidMinY = Infinity
  const placed = new Map<string, { x: number; y: number }>()
  for (const node of doc.nodes) {
    const p = g.node(node.id)
    const width = node.measured?.width ?? DEFAULT_SIZE.width
    const height = node.measured?.height ?? DEFAULT_SIZE.height
    const x = p.x - width / 2
    const y = p.y - height / 2
    placed.set(node.id, { x, y })
    laidMinX = Math.min(laidMinX, x)
    laidMinY = Math.min(laidMinY, y)
  }
  const dx = minX - laidMinX
  const dy = minY - laidMinY
  return {
    ...doc,
    nodes: doc.nodes.map((node) => {
      const p = placed.get(node.id) as { x: number; y: number }
      return { ...node, position: { x: Math.round(p.x + dx), y: Math.round(p.y + dy) } }
    }),
  }
}
