import { describe, expect, it } from 'vitest'
import { irisSweep } from '../testing/fixtures'
import type { SweepVisualization } from '../types'
import { bestFor, bestOf, buildSweepOption, directionNote, directionOf, K_AXIS, kCategories, sweepMetrics, sweepSeriesData, sweepXOptions, xLabel } from './sweepChart'

type AnySeries = { id: string; name: string; type: string; data: unknown[] }

const repeated: SweepVisualization = {
  kind: 'sweep',
  metric: 'Davies-Bouldin',
  better: 'lower',
  series: {
    'Davies-Bouldin': [
      { k: 3, best: 0.7, mean: 0.75, count: 2, values: [0.7, 0.8], runs: [2, 3] },
      { k: 2, best: 0.5, mean: 0.55, count: 2, values: [0.6, 0.5], runs: [0, 1] },
      { k: 4, best: 0.5, mean: 0.5, count: 1, values: [0.5], runs: [4] },
    ],
    Dunn: [
      { k: 2, best: 1.2, mean: 1.2, count: 1, values: [1.2], runs: [0] },
      { k: 3, best: 1.4, mean: 1.4, count: 1, values: [1.4], runs: [2] },
    ],
  },
  best: { k: 2, run: 1, value: 0.5 },
}

describe('sweep metrics', () => {
  it('lists the metrics in the spec order and knows their directions', () => {
    expect(sweepMetrics(irisSweep)).toEqual(['Simplified Silhouette', 'Davies-Bouldin', 'Dunn', 'Average Deviation'])
    expect(directionOf(irisSweep, 'Davies-Bouldin')).toBe('lower')
    expect(directionOf(irisSweep, 'Dunn')).toBe('higher')
    expect(directionOf({ metric: 'X', better: 'lower' }, 'Average Deviation')).toBe('lower')
    expect(directionNote('higher')).toBe('Higher is better')
    expect(directionNote('lower')).toBe('Lower is better')
  })

  it('finds the best k in the metric direction, ties to fewer centroids', () => {
    expect(bestOf(repeated.series['Davies-Bouldin'], 'lower')).toEqual({ k: 2, value: 0.5 })
    expect(bestOf(repeated.series.Dunn, 'higher')).toEqual({ k: 3, value: 1.4 })
    expect(bestFor(irisSweep, 'Simplified Silhouette')).toEqual({ k: 2, value: irisSweep.best!.value })
    expect(bestFor(irisSweep, 'Average Deviation')?.k).toBe(4)
  })

  it('builds best and mean lines and every run, ascending k', () => {
    const data = sweepSeriesData(repeated.series['Davies-Bouldin'])
    expect(data.best).toEqual([[2, 0.5], [3, 0.7], [4, 0.5]])
    expect(data.mean).toEqual([[2, 0.55], [3, 0.75], [4, 0.5]])
    expect(data.runs).toEqual([[2, 0.6, 0], [2, 0.5, 1], [3, 0.7, 2], [3, 0.8, 3], [4, 0.5, 4]])
    expect(data.hasRepeats).toBe(true)
  })
})

describe('kCategories', () => {
  it('lists every k between the smallest and largest, gaps included', () => {
    expect(kCategories([4, 2, 8])).toEqual(['2', '3', '4', '5', '6', '7', '8'])
    expect(kCategories([])).toEqual([])
    expect(kCategories([2, 500])).toEqual(['2', '500'])
  })
})

describe('buildSweepOption', () => {
  it('one line per k for single runs, with the best k highlighted', () => {
    const option = buildSweepOption(irisSweep, 'Simplified Silhouette')
    const series = option.series as unknown as AnySeries[]
    expect(series.map((s) => s.id)).toEqual(['best-per-k', 'best-k'])
    expect(series[0].data).toEqual(irisSweep.series['Simplified Silhouette'].map((p) => [String(p.k), p.best]))
    expect((option.xAxis as { data: string[] }).data).toEqual(['2', '3', '4'])
    expect(series[1].name).toBe('Best k = 2')
    expect((option.xAxis as { name: string }).name).toBe('Number of centroids (k)')
    expect((option.yAxis as { name: string }).name).toBe('Simplified Silhouette (higher is better)')
  })

  it('adds the mean line and every run when a k was run more than once', () => {
    const option = buildSweepOption(repeated, 'Davies-Bouldin')
    const ids = (option.series as unknown as AnySeries[]).map((s) => s.id)
    expect(ids).toEqual(['best-per-k', 'mean-per-k', 'all-runs', 'best-k'])
    expect((option.yAxis as { name: string }).name).toBe('Davies-Bouldin (lower is better)')
  })

  it('highlights the best k of another metric when it is selected', () => {
    const option = buildSweepOption(irisSweep, 'Average Deviation')
    const best = (option.series as unknown as AnySeries[]).find((s) => s.id === 'best-k')!
    expect(best.name).toBe('Best k = 4')
  })
})

const withParameter: SweepVisualization = {
  ...repeated,
  parameters: [
    {
      column: 'Covariance type',
      numeric: false,
      values: ['diag', 'full'],
      series: {
        'Davies-Bouldin': [
          { x: 'diag', best: 0.6, mean: 0.7, count: 3, values: [0.6, 0.8, 0.7], runs: [0, 2, 4] },
          { x: 'full', best: 0.5, mean: 0.55, count: 2, values: [0.5, 0.6], runs: [1, 3] },
        ],
        Dunn: [{ x: 'diag', best: 1.4, mean: 1.3, count: 2, values: [1.2, 1.4], runs: [0, 2] }],
      },
    },
    { column: 'Epsilon', numeric: true, values: [0.25, 0.5], series: { Dunn: [{ x: 0.5, best: 1.2, mean: 1.2, count: 1, values: [1.2], runs: [0] }] } },
  ],
}

describe('buildSweepOption against a swept parameter', () => {
  it('offers the number of centroids and every swept parameter as x', () => {
    expect(sweepXOptions(withParameter).map((o) => o.id)).toEqual([K_AXIS, 'Covariance type', 'Epsilon'])
    expect(sweepXOptions(irisSweep)).toEqual([{ id: K_AXIS, label: 'Number of centroids' }])
  })

  it('draws the metric per value of the parameter and marks the value of the sweep’s best run', () => {
    const option = buildSweepOption(withParameter, 'Davies-Bouldin', 'Covariance type')
    const series = option.series as unknown as AnySeries[]
    expect((option.xAxis as { data: string[]; name: string }).data).toEqual(['diag', 'full'])
    expect((option.xAxis as { name: string }).name).toBe('Covariance type')
    expect(series.find((s) => s.id === 'best-per-k')!.data).toEqual([['diag', 0.6], ['full', 0.5]])
    expect(series.find((s) => s.id === 'all-runs')!.data).toHaveLength(5)
    // the best run (1) was trained with "full"
    const best = series.find((s) => s.id === 'best-k')!
    expect(best.name).toBe('Best Covariance type = full')
    expect(best.data).toEqual([['full', 0.5]])
  })

  it('labels numeric values as numbers and finds the best of another metric by its direction', () => {
    const option = buildSweepOption(withParameter, 'Dunn', 'Epsilon')
    expect((option.xAxis as { data: string[] }).data).toEqual([xLabel(0.25), xLabel(0.5)])
    const best = (option.series as unknown as AnySeries[]).find((s) => s.id === 'best-k')!
    expect(best.data).toEqual([[xLabel(0.5), 1.2]])
  })

  it('falls back to k for an unknown column', () => {
    const option = buildSweepOption(withParameter, 'Davies-Bouldin', 'No such column')
    expect((option.xAxis as { name: string }).name).toBe('Number of centroids (k)')
  })
})
