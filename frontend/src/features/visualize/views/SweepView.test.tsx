import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { irisSweep } from '../testing/fixtures'
import type { SweepVisualization } from '../types'
import { SweepView } from './SweepView'

// ECharts needs a real canvas: the chart module is replaced by a stub that reports 'finished'.
vi.mock('../charts/echartsSetup', () => ({
  init: () => {
    const handlers = new Map<string, Set<() => void>>()
    let disposed = false
    return {
      setOption: () => setTimeout(() => handlers.get('finished')?.forEach((handler) => handler()), 0),
      on: (event: string, handler: () => void) => {
        if (!handlers.has(event)) handlers.set(event, new Set())
        handlers.get(event)!.add(handler)
      },
      off: (event: string, handler: () => void) => handlers.get(event)?.delete(handler),
      resize: () => {},
      dispose: () => {
        disposed = true
      },
      isDisposed: () => disposed,
    }
  },
}))

const swept: SweepVisualization = {
  ...irisSweep,
  parameters: [
    {
      column: 'Covariance type',
      numeric: false,
      values: ['diag', 'full'],
      series: {
        'Simplified Silhouette': [
          { x: 'diag', best: 0.6, mean: 0.6, count: 1, values: [0.6], runs: [1] },
          { x: 'full', best: 0.73, mean: 0.73, count: 1, values: [0.73], runs: [0] },
        ],
      },
    },
  ],
  elbow: {
    points: [
      { k: 2, inertia: 12, count: 1 },
      { k: 3, inertia: 7, count: 1 },
      { k: 4, inertia: 5.5, count: 1 },
    ],
    knee: { k: 3, inertia: 7 },
    method: 'Kneedle (kneed)',
  },
  stability: { points: [{ k: 2, ari: 1, min_ari: 1, spread: 0, runs: 3 }] },
}

describe('SweepView', () => {
  it('shows the elbow with its knee beside the metric chart, and the seeds’ agreement', async () => {
    render(<SweepView viz={swept} />)
    const elbow = await screen.findByTestId('elbow-chart')
    expect(elbow).toHaveAttribute('data-knee', '3')
    expect(elbow).toHaveAttribute('data-best-k', '2')
    expect(screen.getByTestId('knee-note')).toHaveTextContent('knee at k = 3')
    expect(screen.getByTestId('stability-chart')).toHaveAttribute('data-ks', '1')
  })

  it('plots the metric against a swept parameter picked as x', async () => {
    render(<SweepView viz={swept} />)
    const chart = await screen.findByTestId('sweep-chart')
    expect(chart).toHaveAttribute('data-x', 'k')
    const picker = screen.getByTestId('sweep-x')
    expect(within(picker).getAllByRole('option').map((o) => o.textContent)).toEqual(['Number of centroids', 'Covariance type'])
    await userEvent.setup().selectOptions(picker, 'Covariance type')
    expect(chart).toHaveAttribute('data-x', 'Covariance type')
    expect(screen.getByRole('heading', { name: 'Simplified Silhouette against Covariance type' })).toBeInTheDocument()
  })

  it('has no x picker, elbow or agreement when the sweep has none', async () => {
    render(<SweepView viz={irisSweep} />)
    await screen.findByTestId('sweep-chart')
    expect(screen.queryByTestId('sweep-x')).toBeNull()
    expect(screen.queryByTestId('elbow-chart')).toBeNull()
    expect(screen.queryByTestId('stability-chart')).toBeNull()
  })
})
