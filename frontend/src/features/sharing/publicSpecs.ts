// What the read-only pages draw nodes with: the module catalogue (GET /api/modules is public) or,
// when it could not be loaded, specs made from the graph itself: the ports its edges and its run's
// outputs use, named from their ids. Dataset parameters are dropped in both cases: the visitor cannot read the owner's datasets, and a node titled
// "Dataset not found" would be wrong.
import type { Graph, ModuleSpec, PortSpec, Run } from '../../api/types'

/** "untrained_model" → "Untrained model"; "kmeans_clustering" → "Kmeans clustering". */
export function humanize(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').trim()
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : id
}

/** Module specs sufficient to draw `graph` (and its run's outputs) when there is no catalogue. */
export function specsFromGraph(graph: Graph, run: Run | null): ModuleSpec[] {
  const moduleOf = new Map(graph.nodes.map((node) => [node.id, node.module]))
  const specs = new Map<string, { inputs: Map<string, PortSpec>; outputs: Map<string, PortSpec> }>()
  const entry = (module: string) => {
    let spec = specs.get(module)
    if (!spec) specs.set(module, (spec = { inputs: new Map(), outputs: new Map() }))
    return spec
  }
  const outputType = new Map<string, string>() // "module:port" → type, from the run
  for (const node of graph.nodes) {
    entry(node.module)
    for (const [port, type] of Object.entries(run?.nodes[node.id]?.outputs ?? {})) {
      outputType.set(`${node.module}:${port}`, type)
      entry(node.module).outputs.set(port, { id: port, name: humanize(port), type })
    }
  }
  for (const edge of graph.edges) {
    const source = moduleOf.get(edge.source)
    const target = moduleOf.get(edge.target)
    if (!source || !target) continue
    const type = outputType.get(`${source}:${edge.source_port}`) ?? 'other'
    const outputs = entry(source).outputs
    if (!outputs.has(edge.source_port)) outputs.set(edge.source_port, { id: edge.source_port, name: humanize(edge.source_port), type })
    const inputs = entry(target).inputs
    if (!inputs.has(edge.target_port)) inputs.set(edge.target_port, { id: edge.target_port, name: humanize(edge.target_port), type })
  }
  return [...specs].map(([id, ports]) => {
    const inputs = [...ports.inputs.values()].sort((a, b) => a.id.localeCompare(b.id))
    const outputs = [...ports.outputs.values()].sort((a, b) => a.id.localeCompare(b.id))
    return { id, name: humanize(id), category: categoryFromPorts(inputs, outputs), inputs, outputs, params: [] }
  })
}

/** A category (for the node's colour only) guessed from what a module takes and makes. */
export function categoryFromPorts(inputs: readonly PortSpec[], outputs: readonly PortSpec[]): string {
  const made = new Set(outputs.map((p) => p.type))
  const taken = new Set(inputs.map((p) => p.type))
  if (made.has('untrained_cluster_model')) return 'Machine Learning / Initialize Model'
  if (made.has('trained_cluster_model')) return 'Machine Learning / Train'
  if (taken.has('trained_cluster_model')) return 'Machine Learning / Score'
  if (inputs.length === 0 && made.has('data_table')) return 'Saved Datasets'
  if (taken.has('data_table') && made.has('data_table')) return 'Data Transformation'
  return ''
}

/** The catalogue without dataset parameters (see above). */
export function withoutDatasetParams(catalogue: readonly ModuleSpec[]): ModuleSpec[] {
  return catalogue.map((spec) => (spec.params.some((p) => p.type === 'dataset') ? { ...spec, params: spec.params.filter((p) => p.type !== 'dataset') } : spec))
}
