import { describe, expect, it } from 'vitest'
import type { Graph } from '../../api/types'
import { nodeSignatures, staleNodes } from './staleness'

const graph: Graph = {
  nodes: [
    { id: 'd', module: 'dataset', params: { dataset_id: 'sample-iris' }, position: { x: 0, y: 0 }, comment: '' },
    { id: 'k', module: 'kmeans_clustering', params: { n_clusters: 3 }, position: { x: 0, y: 0 }, comment: '' },
    { id: 't', module: 'train_clustering_model', params: {}, position: { x: 0, y: 0 }, comment: '' },
    { id: 'a', module: 'assign_data_to_clusters', params: {}, position: { x: 0, y: 0 }, comment: '' },
  ],
  edges: [
    { id: 'e1', source: 'k', source_port: 'untrained_model', target: 't', target_port: 'untrained_model' },
    { id: 'e2', source: 'd', source_port: 'dataset', target: 't', target_port: 'dataset' },
    { id: 'e3', source: 't', source_port: 'trained_model', target: 'a', target_port: 'trained_model' },
    { id: 'e4', source: 'd', source_port: 'dataset', target: 'a', target_port: 'dataset' },
  ],
}

describe('which results an edit makes stale', () => {
  const ran = nodeSignatures(graph)

  it('nothing, when only positions or comments changed', () => {
    const moved = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, position: { x: 99, y: 9 }, comment: 'note' })) }
    expect(staleNodes(ran, nodeSignatures(moved))).toEqual(new Set())
  })

  it('the edited node and everything downstream of it', () => {
    const edited = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'k' ? { ...n, params: { n_clusters: 4 } } : n)) }
    expect(staleNodes(ran, nodeSignatures(edited))).toEqual(new Set(['k', 't', 'a']))
  })

  it('a rewired input, and new nodes', () => {
    const rewired: Graph = {
      nodes: [...graph.nodes, { id: 'd2', module: 'dataset', params: { dataset_id: 'sample-wine' }, position: { x: 0, y: 0 }, comment: '' }],
      edges: graph.edges.map((e) => (e.id === 'e4' ? { ...e, source: 'd2' } : e)),
    }
    expect(staleNodes(ran, nodeSignatures(rewired))).toEqual(new Set(['a', 'd2']))
  })
})
