import { describe, expect, it } from 'vitest'
import type { Graph, Run, Share } from '../../api/types'
import { catalogue } from '../../test/fixtures'
import { categoryFromPorts, humanize, specsFromGraph, withoutDatasetParams } from './publicSpecs'
import {
  openInStudioSignUpPath,
  parseTags,
  publishProblem,
  readOnlyReason,
  sharedMessage,
  sharedNote,
  shareProblem,
  tagCounts,
  tagsProblem,
  upsertShare,
  withoutShare,
} from './shareLogic'

const bob: Share = { user: { id: 2, username: 'bob' }, role: 'viewer' }
const carol: Share = { user: { id: 3, username: 'carol' }, role: 'editor' }

describe('share dialog logic', () => {
  it('parses tags: trimmed, commas or new lines, no empties, no case-insensitive repeats', () => {
    expect(parseTags(' iris, k-means ,, Iris,\n customer   segmentation ')).toEqual(['iris', 'k-means', 'customer segmentation'])
    expect(parseTags('')).toEqual([])
  })

  it('limits tags to 20 of 40 characters at most, like the server', () => {
    expect(tagsProblem(Array.from({ length: 21 }, (_, i) => `t${i}`))).toBe('At most 20 tags')
    expect(tagsProblem(['x'.repeat(41)])).toMatch(/longer than 40 characters/)
    expect(tagsProblem(['iris'])).toBeNull()
  })

  it('checks a draft before publishing it', () => {
    expect(publishProblem({ title: '  ', tags: '', summary: '' })).toBe('Give it a title')
    expect(publishProblem({ title: 'Iris', tags: 'a,b', summary: '# hi' })).toBeNull()
    expect(publishProblem({ title: 'Iris', tags: 'y'.repeat(50), summary: '' })).toMatch(/longer than 40/)
    expect(publishProblem({ title: 'Iris', tags: '', summary: 'x'.repeat(50_001) })).toMatch(/summary is longer/)
  })

  it('refuses an empty username and the owner before asking the server', () => {
    expect(shareProblem(' ', { id: 1, username: 'ada' })).toBe('Enter a username')
    expect(shareProblem('Ada', { id: 1, username: 'ada' })).toBe('You own this experiment already')
    expect(shareProblem('bob', { id: 1, username: 'ada' })).toBeNull()
  })

  it('keeps one row per user, sorted by name, when a share is added or its role changes', () => {
    const added = upsertShare([carol], bob)
    expect(added.map((s) => s.user.username)).toEqual(['bob', 'carol'])
    const changed = upsertShare(added, { ...bob, role: 'editor' })
    expect(changed).toHaveLength(2)
    expect(changed[0].role).toBe('editor')
    expect(withoutShare(changed, 2).map((s) => s.user.username)).toEqual(['carol'])
  })

  it('says what changed', () => {
    expect(sharedMessage([], bob)).toBe('bob can now view')
    expect(sharedMessage([bob], { ...bob, role: 'editor' })).toBe('bob can now edit (was viewer)')
    expect(sharedNote('viewer', 'ada')).toBe('Shared by ada · you can view')
    expect(sharedNote('editor', 'ada')).toBe('Shared by ada · you can edit')
  })

  it('explains why editing is off, and only when it is', () => {
    expect(readOnlyReason('viewer', false, 'ada')).toMatch(/^View only: ada shared this with you as a viewer/)
    expect(readOnlyReason('editor', false, 'ada')).toBeNull()
    expect(readOnlyReason('owner', false)).toBeNull()
    expect(readOnlyReason('owner', true)).toMatch(/earlier run/)
  })

  it('sends a visitor to sign up and back to finish Open in Studio', () => {
    expect(openInStudioSignUpPath('/gallery/7')).toBe('/signup?next=%2Fgallery%2F7%3Fopen%3D1')
  })

  it('counts tags for the gallery filter, most used first', () => {
    expect(tagCounts([{ tags: ['iris', 'k-means'] }, { tags: ['iris'] }, { tags: ['wine'] }])).toEqual([
      { tag: 'iris', count: 2 },
      { tag: 'k-means', count: 1 },
      { tag: 'wine', count: 1 },
    ])
  })
})

describe('specs for the read-only pages', () => {
  const graph: Graph = {
    nodes: [
      { id: 'data', module: 'dataset', params: { dataset_id: 'x' }, position: { x: 0, y: 0 } },
      { id: 'km', module: 'kmeans_clustering', params: {}, position: { x: 0, y: 0 } },
      { id: 'train', module: 'train_clustering_model', params: {}, position: { x: 0, y: 0 } },
    ],
    edges: [
      { id: 'e1', source: 'km', source_port: 'untrained_model', target: 'train', target_port: 'untrained_model' },
      { id: 'e2', source: 'data', source_port: 'dataset', target: 'train', target_port: 'dataset' },
    ],
  }
  const run = {
    id: 1,
    nodes: {
      data: { node_id: 'data', status: 'succeeded', cached: false, outputs: { dataset: 'data_table' } },
      km: { node_id: 'km', status: 'succeeded', cached: false, outputs: { untrained_model: 'untrained_cluster_model' } },
      train: { node_id: 'train', status: 'succeeded', cached: false, outputs: { trained_model: 'trained_cluster_model', results_dataset: 'data_table' } },
    },
  } as unknown as Run

  it('draws every port an edge or the run uses, typed from the run, without the catalogue', () => {
    const specs = new Map(specsFromGraph(graph, run).map((s) => [s.id, s]))
    expect(specs.get('kmeans_clustering')?.name).toBe('Kmeans clustering')
    expect(specs.get('train_clustering_model')?.inputs.map((p) => [p.id, p.type])).toEqual([
      ['dataset', 'data_table'],
      ['untrained_model', 'untrained_cluster_model'],
    ])
    expect(specs.get('train_clustering_model')?.outputs.map((p) => p.id)).toEqual(['results_dataset', 'trained_model'])
    expect(specs.get('dataset')?.category).toBe('Saved Datasets')
    expect(specs.get('kmeans_clustering')?.category).toMatch(/Initialize Model/)
    expect(specs.get('train_clustering_model')?.category).toMatch(/Train$/)
    // Without a run, the ports still come from the edges (type unknown).
    expect(specsFromGraph(graph, null).find((s) => s.id === 'kmeans_clustering')?.outputs).toEqual([{ id: 'untrained_model', name: 'Untrained model', type: 'other' }])
  })

  it('guesses a colour family from the port types', () => {
    expect(categoryFromPorts([{ id: 'm', name: 'm', type: 'trained_cluster_model' }], [{ id: 'r', name: 'r', type: 'data_table' }])).toMatch(/Score/)
    expect(categoryFromPorts([], [])).toBe('')
    expect(humanize('results_dataset')).toBe('Results dataset')
  })

  it('drops dataset parameters from the catalogue (the visitor cannot read the owner’s datasets)', () => {
    const dataset = withoutDatasetParams(catalogue).find((s) => s.id === 'dataset')
    expect(dataset?.params.some((p) => p.type === 'dataset')).toBe(false)
  })
})
