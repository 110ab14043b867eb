import { describe, expect, it } from 'vitest'
import { fileNameFor, graphFile, parseGraphFile } from './graphFile'

const graph = {
  nodes: [{ id: 'a', module: 'dataset', params: { dataset_id: 'sample-iris' }, position: { x: 1, y: 2 }, comment: '' }],
  edges: [],
}

describe('graph files', () => {
  it('round-trips what export writes', () => {
    const text = JSON.stringify(graphFile('Iris', graph))
    expect(parseGraphFile(text)).toEqual({ ok: true, graph, name: 'Iris' })
  })

  it('accepts a bare graph and fills missing fields', () => {
    const parsed = parseGraphFile(JSON.stringify({ nodes: [{ id: 'a', module: 'dataset' }], edges: [] }))
    expect(parsed).toEqual({ ok: true, name: null, graph: { nodes: [{ id: 'a', module: 'dataset', params: {}, position: { x: 0, y: 0 }, comment: '' }], edges: [] } })
  })

  it('reports what is wrong', () => {
    expect(parseGraphFile('{nope')).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) })
    expect(parseGraphFile('[]')).toMatchObject({ ok: false })
    expect(parseGraphFile('{"nodes": []}')).toMatchObject({ ok: false, error: expect.stringMatching(/"edges"/) })
    expect(parseGraphFile('{"nodes": [{"id": "a"}], "edges": []}')).toMatchObject({ ok: false, error: expect.stringMatching(/Node 1/) })
    expect(parseGraphFile('{"nodes": [{"id": "a", "module": "m"}, {"id": "a", "module": "m"}], "edges": []}')).toMatchObject({ ok: false, error: expect.stringMatching(/Two nodes/) })
  })

  it('names files safely', () => {
    expect(fileNameFor('Iris / k=3')).toBe('Iris-k-3.graph.json')
    expect(fileNameFor('  ')).toBe('experiment.graph.json')
  })
})
