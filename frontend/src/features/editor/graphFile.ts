// Export / import of a graph as a JSON file. Import accepts what export writes, or a bare
// {nodes, edges} graph, or an experiment from the API ({graph: {...}}).

import { saveBlob } from '../../api/download'
import type { Graph } from '../../api/types'

export const GRAPH_FILE_FORMAT = 'cluster-studio-graph'

export interface GraphFile {
  format: typeof GRAPH_FILE_FORMAT
  version: 1
  name: string
  exported_at: string
  graph: Graph
}

export function graphFile(name: string, graph: Graph, now = new Date()): GraphFile {
  return { format: GRAPH_FILE_FORMAT, version: 1, name, exported_at: now.toISOString(), graph }
}

export function fileNameFor(name: string): string {
  const base = name.trim().replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'experiment'
  return `${base}.graph.json`
}

export type ParsedGraph = { ok: true; graph: Graph; name: string | null } | { ok: false; error: string }

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value)

/** Reads a graph file's text; checks the shape (the server checks the meaning). */
export function parseGraphFile(text: string): ParsedGraph {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    return { ok: false, error: `The file is not JSON (${(error as Error).message}).` }
  }
  if (!isObject(data)) return { ok: false, error: 'The file does not hold a graph: expected a JSON object.' }
  const name = typeof data.name === 'string' ? data.name : null
  const graph = isObject(data.graph) ? data.graph : data
  if (!Array.isArray(graph.nodes) || !Array.isArray(graph.edges)) {
    return { ok: false, error: 'The file does not hold a graph: expected "nodes" and "edges" lists.' }
  }
  const ids = new Set<string>()
  for (const [index, node] of graph.nodes.entries()) {
    if (!isObject(node) || typeof node.id !== 'string' || typeof node.module !== 'string') {
      return { ok: false, error: `Node ${index + 1} needs a string "id" and "module".` }
    }
    if (ids.has(node.id)) return { ok: false, error: `Two nodes have the id “${node.id}”.` }
    ids.add(node.id)
    if (node.params !== undefined && !isObject(node.params)) return { ok: false, error: `Node “${node.id}”: "params" must be an object.` }
  }
  for (const [index, edge] of graph.edges.entries()) {
    if (!isObject(edge) || !['id', 'source', 'source_port', 'target', 'target_port'].every((k) => typeof edge[k] === 'string')) {
      return { ok: false, error: `Edge ${index + 1} needs string "id", "source", "source_port", "target" and "target_port".` }
    }
  }
  const clean: Graph = {
    nodes: graph.nodes.map((raw) => {
      const node = raw as Record<string, unknown>
      const position = isObject(node.position) ? node.position : {}
      return {
        id: node.id as string,
        module: node.module as string,
        params: (isObject(node.params) ? node.params : {}) as Record<string, unknown>,
        position: { x: Number(position.x) || 0, y: Number(position.y) || 0 },
        comment: typeof node.comment === 'string' ? node.comment : '',
      }
    }),
    edges: graph.edges.map((raw) => {
      const edge = raw as Record<string, string>
      return { id: edge.id, source: edge.source, source_port: edge.source_port, target: edge.target, target_port: edge.target_port }
    }),
  }
  return { ok: true, graph: clean, name }
}

export function downloadText(fileName: string, text: string, type = 'application/json'): void {
  saveBlob(new Blob([text], { type }), fileName)
}
