import { describe, expect, it } from 'vitest'
import type { Graph } from '../../api/types'
import { nodeSignatures, staleRunNodes } from './staleness'

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

/** Run nodes as the server reports them: each with the signature it ran with. */
const ranWith = (signatures: Record<string, string | null>) =>
  Object.fromEntries(Object.entries(signatures).map(([id, signature]) => [id, { signature }]))

const SIGNED = { d: 'sig-d', k: 'sig-k3', t: 'sig-t3', a: 'sig-a3' }

describe('which results of a run are stale, by the server’s signatures', () => {
  it('none, when the server signs every node as it ran', () => {
    expect(staleRunNodes(ranWith(SIGNED), { ...SIGNED }, null)).toEqual(new Set())
  })

  it('a hidden parameter edit: the server’s signature stays, so the result is not stale', () => {
    // kmeans' `init_sweep` applies only when trainer_mode is 'range': in single mode the server fills in its default.
    const edited: Graph = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'k' ? { ...n, params: { ...n.params, init_sweep: ['random'] } } : n)) }
    // Compared client-side, the edit would make k and everything downstream stale...
    const legacy = { ran: nodeSignatures(graph), now: nodeSignatures(edited) }
    expect(staleRunNodes(ranWith({ k: null, t: null, a: null }), null, legacy)).toEqual(new Set(['k', 't', 'a']))
    // ...but the run carries signatures and the server gives the same ones: nothing is stale.
    expect(staleRunNodes(ranWith(SIGNED), { ...SIGNED }, legacy)).toEqual(new Set())
  })

  it('the nodes whose signature changed (the edited one and what is downstream)', () => {
    const now = { d: 'sig-d', k: 'sig-k4', t: 'sig-t4', a: 'sig-a4' }
    expect(staleRunNodes(ranWith(SIGNED), now, null)).toEqual(new Set(['k', 't', 'a']))
  })

  it('a node the server cannot sign now (e.g. a bad parameter) is stale', () => {
    const { t: _t, a: _a, ...now } = SIGNED
    expect(staleRunNodes(ranWith(SIGNED), now, null)).toEqual(new Set(['t', 'a']))
  })

  it('nothing, before any validation has given signatures', () => {
    expect(staleRunNodes(ranWith(SIGNED), null, null)).toEqual(new Set())
  })
})

describe('which results are stale for a run recorded without signatures (client-side rule)', () => {
  const unsigned = ranWith({ d: null, k: null, t: null, a: null })
  const ran = nodeSignatures(graph)
  const staleAfter = (edited: Graph) => staleRunNodes(unsigned, { ...SIGNED }, { ran, now: nodeSignatures(edited) })

  it('nothing, when only positions or comments changed', () => {
    const moved = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, position: { x: 99, y: 9 }, comment: 'note' })) }
    expect(staleAfter(moved)).toEqual(new Set())
  })

  it('the edited node and everything downstream of it', () => {
    const edited = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'k' ? { ...n, params: { n_clusters: 4 } } : n)) }
    expect(staleAfter(edited)).toEqual(new Set(['k', 't', 'a']))
  })

  it('a rewired input', () => {
    const rewired: Graph = {
      nodes: [...graph.nodes, { id: 'd2', module: 'dataset', params: { dataset_id: 'sample-wine' }, position: { x: 0, y: 0 }, comment: '' }],
      edges: graph.edges.map((e) => (e.id === 'e4' ? { ...e, source: 'd2' } : e)),
    }
    expect(staleAfter(rewired)).toEqual(new Set(['a']))
  })

  it('nothing, while the graph the run ran is not known yet', () => {
    expect(staleRunNodes(unsigned, { ...SIGNED }, null)).toEqual(new Set())
  })
})
