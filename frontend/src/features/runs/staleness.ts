import type { Graph } from '../../api/types'

/**
 * What each node's result depends on: its module, parameters and, recursively, its inputs — the
 * same idea as the server's cache signature. Two graphs give a node the same text exactly when its
 * output would be the same.
 */
export function nodeSignatures(graph: Graph): Map<string, string> {
  const nodes = new Map(graph.nodes.map((node) => [node.id, node]))
  const incoming = new Map<string, Graph['edges']>()
  for (const edge of graph.edges) incoming.set(edge.target, [...(incoming.get(edge.target) ?? []), edge])
  const done = new Map<string, string>()
  const visiting = new Set<string>()

  const signature = (id: string): string => {
    const known = done.get(id)
    if (known !== undefined) return known
    if (visiting.has(id)) return 'cycle'
    visiting.add(id)
    const node = nodes.get(id)
    const inputs = [...(incoming.get(id) ?? [])]
      .sort((a, b) => a.target_port.localeCompare(b.target_port))
      .map((edge) => [edge.target_port, edge.source_port, signature(edge.source)])
    const text = JSON.stringify([node?.module ?? null, sortedParams(node?.params ?? {}), inputs])
    visiting.delete(id)
    done.set(id, text)
    return text
  }
  for (const id of nodes.keys()) signature(id)
  return done
}

function sortedParams(params: Record<string, unknown>): [string, unknown][] {
  return Object.keys(params)
    .sort()
    .map((key) => [key, params[key]])
}

/** The nodes whose result the edits since `ran` would change (new nodes included). */
export function staleNodes(ran: Map<string, string>, now: Map<string, string>): Set<string> {
  const stale = new Set<string>()
  for (const [id, text] of now) if (ran.get(id) !== text) stale.add(id)
  return stale
}
