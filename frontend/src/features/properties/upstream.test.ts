import { describe, expect, it } from 'vitest'
import { specOf } from '../../test/fixtures'
import { makeEdge, makeNode } from '../editor/graphDoc'
import { upstreamDataset } from './upstream'

describe('the dataset feeding an input', () => {
  const doc = {
    nodes: [
      makeNode('dataset', { x: 0, y: 0 }, { dataset_id: 'sample-iris' }, 'data'),
      makeNode('normalize_data', { x: 0, y: 0 }, {}, 'norm'),
      makeNode('train_clustering_model', { x: 0, y: 0 }, {}, 'train'),
      makeNode('sweep_clustering', { x: 0, y: 0 }, {}, 'sweep'),
    ],
    edges: [makeEdge('e1', 'data', 'dataset', 'norm', 'dataset'), makeEdge('e2', 'norm', 'transformed_dataset', 'train', 'dataset'), makeEdge('e3', 'data', 'dataset', 'sweep', 'dataset')],
  }

  it('finds a directly connected dataset', () => {
    expect(upstreamDataset(doc, 'sweep', 'dataset', specOf)).toEqual({ datasetId: 'sample-iris', transformed: false })
  })

  it('walks through modules in between', () => {
    expect(upstreamDataset(doc, 'train', 'dataset', specOf)).toEqual({ datasetId: 'sample-iris', transformed: true })
  })

  it('is null for an unconnected input', () => {
    expect(upstreamDataset(doc, 'train', 'untrained_model', specOf)).toBeNull()
  })
})
