import { describe, expect, it } from 'vitest'
import { specOf } from '../../test/fixtures'
import { checkConnection } from './connections'
import { makeEdge, makeNode } from './graphDoc'

const nodes = [
  makeNode('dataset', { x: 0, y: 0 }, {}, 'data'),
  makeNode('kmeans_clustering', { x: 0, y: 0 }, {}, 'km'),
  makeNode('train_clustering_model', { x: 0, y: 0 }, {}, 'train'),
  makeNode('assign_data_to_clusters', { x: 0, y: 0 }, {}, 'assign'),
]

const c = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({ source, sourceHandle, target, targetHandle })

describe('connection rules', () => {
  it('accepts an output into an input of the same type', () => {
    expect(checkConnection(c('km', 'untrained_model', 'train', 'untrained_model'), nodes, [], specOf)).toEqual({ ok: true })
  })

  it('refuses a wrong type with a hint naming both ports', () => {
    const check = checkConnection(c('data', 'dataset', 'train', 'untrained_model'), nodes, [], specOf)
    expect(check).toEqual({ ok: false, reason: 'Dataset is a data table; Untrained model takes an untrained cluster model' })
  })

  it('refuses a second edge into an input', () => {
    const edges = [makeEdge('e1', 'data', 'dataset', 'train', 'dataset')]
    const check = checkConnection(c('data', 'dataset', 'train', 'dataset'), nodes, edges, specOf)
    expect(check.ok).toBe(false)
    if (!check.ok) expect(check.reason).toMatch(/already has a connection/)
  })

  it('refuses self loops and cycles', () => {
    expect(checkConnection(c('train', 'results_dataset', 'train', 'dataset'), nodes, [], specOf).ok).toBe(false)
    const edges = [makeEdge('e1', 'train', 'trained_model', 'assign', 'trained_model')]
    const cyc = checkConnection(c('assign', 'results_dataset', 'train', 'dataset'), nodes, edges, specOf)
    expect(cyc).toEqual({ ok: false, reason: 'That connection would make a cycle' })
  })
})
