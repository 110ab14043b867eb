import { describe, expect, it } from 'vitest'
import { specOf } from '../../test/fixtures'
import { type Doc, makeEdge, makeNode } from '../editor/graphDoc'
import { inferredColumns } from './PropertiesPanel'
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

describe('the table arriving at an input, as the server inferred it', () => {
  const doc = {
    nodes: [
      makeNode('dataset', { x: 0, y: 0 }, { dataset_id: 'sample-iris' }, 'data'),
      makeNode('train_clustering_model', { x: 0, y: 0 }, {}, 'train'),
      makeNode('select_columns', { x: 0, y: 0 }, {}, 'pick'),
    ],
    edges: [makeEdge('e1', 'data', 'dataset', 'train', 'dataset'), makeEdge('e2', 'train', 'results_dataset', 'pick', 'dataset')],
  } as unknown as Doc
  const inferred = {
    'data.dataset': [{ name: 'petal_width', type: 'numeric' }],
    'train.results_dataset': [
      { name: 'petal_width', type: 'numeric' },
      { name: 'Assignments', type: 'numeric' },
    ],
  }

  it('offers the columns the upstream module adds (Assignments), named by where they come from', () => {
    const found = inferredColumns(doc, 'pick', 'dataset', inferred, specOf)
    expect(found?.columns.map((c) => c.name)).toEqual(['petal_width', 'Assignments'])
    expect(found?.source).toBe('Train Clustering Model — Results dataset')
  })

  it('is null when the server has not said (the caller falls back to the dataset)', () => {
    expect(inferredColumns(doc, 'pick', 'dataset', {}, specOf)).toBeNull()
    expect(inferredColumns(doc, 'train', 'untrained_model', inferred, specOf)).toBeNull()
  })
})
