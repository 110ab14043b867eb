import { describe, expect, it } from 'vitest'
import { irisSweep } from '../testing/fixtures'
import type { SweepVisualization } from '../types'
import { buildElbowOption, buildStabilityOption, elbowMarks } from './sweepElbowChart'

type AnySeries = { id: string; name: string; type: string; data: unknown[]; label?: { show: boolean; formatter: string } }

const elbowSweep: SweepVisualization = {
  ...irisSweep,
  best: { k: 2, run: 0, value: 0.73, row: 0 },
  elbow: {
    points: [
      { k: 4, inertia: 15, count: 2 },
      { k: 2, inertia: 100, count: 2 },
      { k: 3, inertia: 30, count: 2 },
      { k: 5, inertia: 12, count: 2 },
    ],
    knee: { k: 3, inertia: 30 },
    method: 'Kneedle',
  },
  stability: {
    points: [
      { k: 3, ari: 0.9, min_ari: 0.8, spread: 0.01, runs: 3 },
      { k: 2, ari: 1, min_ari: 1, spread: 0, runs: 3 },
    ],
  },
}

describe('elbow chart', () => {
  it('draws inertia against ascending k with the knee and the best k marked', () => {
    expect(elbowMarks(elbowSweep)).toEqual({ knee: 3, best: 2 })
    const option = buildElbowOption(elbowSweep)
    const series = option.series as unknown as AnySeries[]
    expect(series.map((s) => s.id)).toEqual(['inertia', 'knee', 'best-k'])
    expect(series[0].data).toEqual([['2', 100], ['3', 30], ['4', 15], ['5', 12]])
    expect(series[1].data).toEqual([['3', 30]])
    expect(series[1].name).toBe('Knee k = 3')
    expect(series[2].data).toEqual([['2', 100]])
    expect(series[2].label?.show).toBe(true)
    expect((option.xAxis as { data: string[] }).data).toEqual(['2', '3', '4', '5'])
  })

  it('leaves out the knee when none was found and the best k when it is not on the curve', () => {
    const none = { ...elbowSweep, elbow: { ...elbowSweep.elbow!, knee: null }, best: { k: 9, run: 3, value: 1 } }
    expect(elbowMarks(none)).toEqual({ knee: null, best: null })
    expect((buildElbowOption(none).series as unknown as AnySeries[]).map((s) => s.id)).toEqual(['inertia'])
  })

  it('does not repeat the best label when the best k is the knee', () => {
    const same = { ...elbowSweep, best: { k: 3, run: 1, value: 0.7 } }
    const best = (buildElbowOption(same).series as unknown as AnySeries[]).find((s) => s.id === 'best-k')!
    expect(best.label?.show).toBe(false)
  })
})

describe('stability chart', () => {
  it('draws the mean pairwise ARI per ascending k on an axis up to 1', () => {
    const option = buildStabilityOption(elbowSweep)
    const series = option.series as unknown as AnySeries[]
    expect(series[0].data).toEqual([['2', 1], ['3', 0.9]])
    expect((option.yAxis as { min: number; max: number }).max).toBe(1)
    expect((option.yAxis as { min: number; max: number }).min).toBe(0)
  })
})
