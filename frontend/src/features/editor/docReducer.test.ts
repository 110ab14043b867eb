import { describe, expect, it } from 'vitest'
import { copySelection, deleteSelection, pasteFragment } from './clipboard'
import { docReducer, initialDocState, type DocState } from './docReducer'
import { makeEdge, makeNode, type Doc } from './graphDoc'

function docOf(count: number): Doc {
  return {
    nodes: Array.from({ length: count }, (_, i) => ({ ...makeNode('kmeans_clustering', { x: i * 10, y: 0 }, { n_clusters: 2 }, `n${i}`), selected: true })),
    edges: [],
  }
}

const reset = (doc: Doc): DocState => docReducer(initialDocState, { type: 'reset', doc })

describe('undo grouping of editor actions', () => {
  it('undoes a paste of five nodes in one step', () => {
    let state = reset(docOf(5))
    const fragment = copySelection(state.present)!
    state = docReducer(state, { type: 'edit', update: (doc) => pasteFragment(doc, fragment, { x: 40, y: 40 }) })
    expect(state.present.nodes).toHaveLength(10)
    expect(state.present.nodes.filter((n) => n.selected)).toHaveLength(5)
    state = docReducer(state, { type: 'undo' })
    expect(state.present.nodes).toHaveLength(5)
    state = docReducer(state, { type: 'redo' })
    expect(state.present.nodes).toHaveLength(10)
  })

  it('pastes edges between copied nodes with new ids', () => {
    const doc: Doc = {
      nodes: [
        { ...makeNode('kmeans_clustering', { x: 0, y: 0 }, {}, 'a'), selected: true },
        { ...makeNode('train_clustering_model', { x: 0, y: 100 }, {}, 'b'), selected: true },
        makeNode('dataset', { x: 100, y: 0 }, {}, 'c'),
      ],
      edges: [makeEdge('e1', 'a', 'untrained_model', 'b', 'untrained_model'), makeEdge('e2', 'c', 'dataset', 'b', 'dataset')],
    }
    const pasted = pasteFragment(doc, copySelection(doc)!, { x: 30, y: 30 })
    expect(pasted.nodes).toHaveLength(5)
    expect(pasted.edges).toHaveLength(3)
    const added = pasted.edges[2]
    expect(added.id).not.toBe('e1')
    expect([added.source, added.target]).not.toContain('a')
    expect(added.sourceHandle).toBe('untrained_model')
  })

  it('makes a whole node drag one step', () => {
    let state = reset(docOf(1))
    for (const x of [5, 10, 20, 40]) {
      state = docReducer(state, { type: 'nodes', changes: [{ type: 'position', id: 'n0', position: { x, y: 0 }, dragging: true }] })
    }
    state = docReducer(state, { type: 'nodes', changes: [{ type: 'position', id: 'n0', dragging: false }] })
    expect(state.present.nodes[0].position.x).toBe(40)
    expect(state.past).toHaveLength(1)
    state = docReducer(state, { type: 'undo' })
    expect(state.present.nodes[0].position.x).toBe(0)
  })

  it('keeps selection and measuring out of the history', () => {
    let state = reset(docOf(2))
    state = docReducer(state, { type: 'nodes', changes: [{ type: 'select', id: 'n0', selected: false }] })
    state = docReducer(state, {
      type: 'nodes',
      changes: [{ type: 'dimensions', id: 'n1', dimensions: { width: 180, height: 40 }, setAttributes: true }],
    })
    expect(state.past).toHaveLength(0)
    expect(state.present.nodes[0].selected).toBe(false)
  })

  it('coalesces typing in one field and separates two fields', () => {
    let state = reset(docOf(1))
    const setParam = (id: string, value: unknown) =>
      ({
        type: 'edit',
        group: `param:n0:${id}`,
        update: (doc: Doc) => ({
          ...doc,
          nodes: doc.nodes.map((n) => ({ ...n, data: { ...n.data, params: { ...n.data.params, [id]: value } } })),
        }),
      }) as const
    state = docReducer(state, setParam('iterations', '1'))
    state = docReducer(state, setParam('iterations', '15'))
    state = docReducer(state, setParam('iterations', '150'))
    state = docReducer(state, setParam('n_clusters', 3))
    expect(state.past).toHaveLength(2)
    state = docReducer(state, { type: 'undo' })
    expect(state.present.nodes[0].data.params).toEqual({ n_clusters: 2, iterations: '150' })
    state = docReducer(state, { type: 'undo' })
    expect(state.present.nodes[0].data.params).toEqual({ n_clusters: 2 })
  })

  it('deletes nodes with their edges in one step', () => {
    const doc: Doc = {
      nodes: [{ ...makeNode('a', { x: 0, y: 0 }, {}, 'a'), selected: true }, makeNode('b', { x: 0, y: 0 }, {}, 'b')],
      edges: [makeEdge('e', 'a', 'o', 'b', 'i')],
    }
    let state = reset(doc)
    state = docReducer(state, { type: 'edit', update: deleteSelection })
    expect(state.present).toMatchObject({ nodes: [{ id: 'b' }], edges: [] })
    state = docReducer(state, { type: 'undo' })
    expect(state.present.edges).toHaveLength(1)
  })
})
