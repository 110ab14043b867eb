// Which results of the shown run the edits since made stale: the server's rule, its cache signature.
// A node is stale when the current graph would not reuse what it computed in the run, that is when
// the signature the server gives the node now (from validation) differs from the one it ran with.
// Runs recorded before the server kept signatures fall back to comparing the graphs client-side.

import type { Graph } from '../../api/types'

/**
 * The nodes of a run whose result the current graph would not reuse.
 *
 * - A run node with a signature is stale when `current` (node id → signature, from the latest
 *   validation) gives it another one, or none (the server cannot sign it now: it would not run it
 *   as it is). With no `current` at all (no validation has answered yet), nothing is known: not stale.
 * - A run node without one (an older run) is compared by `legacy`: the client-side texts of the
 *   graph it ran and of the current graph, when they are known.
 */
export function staleRunNodes(
  runNodes: Readonly<Record<string, { signature: string | null }>>,
  current: Readonly<Record<string, string>> | null,
  legacy: { ran: ReadonlyMap<string, string>; now: ReadonlyMap<string, string> } | null,
): Set<string> {
  const stale = new Set<string>()
  for (const [id, node] of Object.entries(runNodes)) {
    if (node.signature !== null) {
      if (current !== null && current[id] !== node.signature) stale.add(id)
    } else if (legacy !== null && legacy.ran.get(id) !== legacy.now.get(id)) {
      stale.add(id)
    }
  }
  return stale
}

/**
 * For runs without server signatures: what each node's result depends on, its module, parameters
 * and, recursively, its inputs. Coarser than the server's signature (every parameter counts, even
 * one its mode hides), so it may call a result stale that the server would reuse.
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
