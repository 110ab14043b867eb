// Which table feeds a node's input: walk up the edges, through modules that take a table in, to the
// dataset node at the start of the chain. The dataset's columns are what column pickers offer.

import type { ModuleSpec } from '../../api/types'
import type { Doc } from '../editor/graphDoc'
import { datasetParamOf } from '../palette/sourceModules'

export interface UpstreamSource {
  /** The dataset id at the start of the chain. */
  datasetId: string
  /** Whether modules between that dataset and this input may add or drop columns. */
  transformed: boolean
}

export function upstreamDataset(
  doc: Pick<Doc, 'nodes' | 'edges'>,
  nodeId: string,
  port: string,
  specOf: (moduleId: string) => ModuleSpec | undefined,
): UpstreamSource | null {
  const byId = new Map(doc.nodes.map((node) => [node.id, node]))
  let targetId = nodeId
  let targetPort = port
  let transformed = false
  for (let depth = 0; depth < 100; depth += 1) {
    const edge = doc.edges.find((e) => e.target === targetId && e.targetHandle === targetPort)
    if (!edge) return null
    const source = byId.get(edge.source)
    if (!source) return null
    const spec = specOf(source.data.moduleId)
    const datasetParam = datasetParamOf(spec)
    if (datasetParam) {
      const id = source.data.params[datasetParam.id]
      return typeof id === 'string' && id ? { datasetId: id, transformed } : null
    }
    // Follow the first connected table input of the module in between.
    const tableInputs = (spec?.inputs ?? []).filter((input) => input.type === 'data_table')
    const next = tableInputs.find((input) => doc.edges.some((e) => e.target === source.id && e.targetHandle === input.id))
    if (!next) return null
    transformed = true
    targetId = source.id
    targetPort = next.id
  }
  return null
}
