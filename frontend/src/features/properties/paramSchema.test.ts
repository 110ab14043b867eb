import { describe, expect, it } from 'vitest'
import type { ModuleSpec } from '../../api/types'
import { kmeansSpec, splitSpec } from '../../test/fixtures'
import { describeBounds, fieldKind, fillParams, nodeParamProblems, paramProblem, visibleParams } from './paramSchema'

const param = (id: string, spec: ModuleSpec = kmeansSpec) => spec.params.find((p) => p.id === id)!

describe('parameter schema → fields', () => {
  it('shows only the parameters of the current mode (visible_when)', () => {
    expect(visibleParams(kmeansSpec, {}).map((p) => p.id)).toEqual([
      'trainer_mode',
      'n_clusters',
      'init',
      'seed',
      'metric',
      'normalize',
      'iterations',
      'tol',
      'n_init',
      'float32',
      'assign_label_mode',
    ])
    expect(visibleParams(kmeansSpec, { trainer_mode: 'range' }).map((p) => p.id)).toEqual([
      'trainer_mode',
      'n_clusters_range',
      'init_sweep',
      'n_seeds',
      'metric',
      'normalize',
      'iterations',
      'tol',
      'n_init',
      'float32',
      'assign_label_mode',
    ])
  })

  it('compares visible_when against booleans and fills missing values with defaults', () => {
    expect(visibleParams(splitSpec, {}).map((p) => p.id)).toEqual(['fraction', 'randomize', 'seed'])
    expect(visibleParams(splitSpec, { randomize: false }).map((p) => p.id)).toEqual(['fraction', 'randomize'])
    expect(fillParams(kmeansSpec, { n_clusters: null })).toMatchObject({ n_clusters: 2, seed: null, trainer_mode: 'single' })
  })

  it('maps parameter types to controls', () => {
    expect(fieldKind(param('trainer_mode'))).toBe('select')
    expect(fieldKind(param('n_clusters'))).toBe('number')
    expect(fieldKind(param('n_clusters_range'))).toBe('range')
    expect(fieldKind(param('init_sweep'))).toBe('multi')
    expect(fieldKind(param('normalize'))).toBe('checkbox')
    expect(fieldKind(param('seed'))).toBe('seed')
  })

  it('marks invalid values the way the server does', () => {
    expect(paramProblem(param('n_clusters'), 3)).toBeNull()
    expect(paramProblem(param('n_clusters'), 1)).toBe('Must be ≥ 2')
    expect(paramProblem(param('n_clusters'), '2.5')).toBe('Must be a whole number')
    expect(paramProblem(param('n_clusters'), '')).toBe('Enter a whole number')
    expect(paramProblem(param('iterations'), 10001)).toBe('Must be ≤ 10000')
    expect(paramProblem(param('seed'), null)).toBeNull()
    expect(paramProblem(param('seed'), -1)).toBe('Must be ≥ 0')
    expect(paramProblem(param('n_clusters_range'), '2-5, 10')).toBeNull()
    expect(paramProblem(param('n_clusters_range'), '1-3')).toMatch(/1 is out of range/)
    expect(paramProblem(param('n_clusters_range'), '5-2')).toMatch(/downwards/)
    expect(paramProblem(param('init_sweep'), [])).toBe('Choose at least one')
    expect(paramProblem(param('fraction', splitSpec), 1.5)).toBe('Must be ≤ 1')
    expect(paramProblem(param('metric'), 'manhattan')).toBe('Choose one of the options')
  })

  it('checks only the parameters that apply', () => {
    const problems = nodeParamProblems(kmeansSpec, { n_clusters: 1, n_clusters_range: 'bad' })
    expect([...problems.keys()]).toEqual(['n_clusters'])
    expect(describeBounds(param('iterations'))).toBe('1 … 10000')
    expect(describeBounds(param('n_clusters'))).toBe('2 … 1000')
  })
})
