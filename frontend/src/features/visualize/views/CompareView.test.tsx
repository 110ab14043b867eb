import { render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { betterSide, type RunComparison } from '../compare'
import { CompareView } from './CompareView'

const comparison: RunComparison = {
  runs: [7, 5],
  n_rows: 150,
  compared_rows: 150,
  parameters: [{ node_id: 'kmeans', param: 'n_clusters', a: 3, b: 4 }],
  metrics: [
    { id: 'clusters', name: 'Clusters', better: null, a: 3, b: 4 },
    { id: 'davies_bouldin', name: 'Davies-Bouldin', better: 'lower', a: 0.8, b: 0.9 },
  ],
  agreement: [{ id: 'adjusted_rand', name: 'Adjusted Rand index', description: 'pairs', value: 0.81 }],
  clusters_a: [0, 1, 2],
  clusters_b: [0, 1, 2, 3],
  contingency: [
    [50, 0, 0, 0],
    [0, 30, 0, 9],
    [0, 0, 40, 21],
  ],
}

const run = (id: number, status = 'succeeded') => ({
  id,
  experiment_id: 3,
  experiment_version: id,
  status,
  created_at: '2026-11-29T10:00:00Z',
  nodes: { train: { status } },
})

afterEach(() => vi.unstubAllGlobals())

describe('betterSide', () => {
  it('follows the metric’s direction and leaves unranked or equal values alone', () => {
    expect(betterSide(comparison.metrics[1])).toBe('a')
    expect(betterSide({ ...comparison.metrics[1], better: 'higher' })).toBe('b')
    expect(betterSide(comparison.metrics[0])).toBeNull()
    expect(betterSide({ ...comparison.metrics[1], b: 0.8 })).toBeNull()
  })
})

describe('CompareView', () => {
  it('picks the run before this one and shows what changed, the metrics and the agreement', async () => {
    const calls: string[] = []
    const answers: Record<string, unknown> = {
      '/api/runs/7': run(7),
      '/api/experiments/3/runs': [run(9), run(8, 'failed'), run(7), run(5)],
      '/api/runs/7/nodes/train/outputs/results_dataset/compare?other_run=5': comparison,
    }
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = String(input)
        calls.push(url)
        return url in answers
          ? new Response(JSON.stringify(answers[url]), { status: 200, headers: { 'Content-Type': 'application/json' } })
          : new Response('{"detail":"Not Found"}', { status: 404 })
      }),
    )
    render(<CompareView outputRef={{ runId: 7, nodeId: 'train', port: 'results_dataset' }} />)
    await screen.findByTestId('compare-result')
    const picker = screen.getByTestId('compare-run') as HTMLSelectElement
    expect(Array.from(picker.options).map((o) => o.value)).toEqual(['9', '5']) // not itself, not a failed run
    expect(picker.value).toBe('5')
    expect(within(screen.getByTestId('compare-parameters')).getAllByRole('cell').map((c) => c.textContent)).toEqual([
      'kmeans',
      'n_clusters',
      '3',
      '4',
    ])
    const davies = within(screen.getByTestId('compare-metrics')).getByText('Davies-Bouldin').closest('tr')!
    expect(within(davies).getAllByRole('cell')[0].className).toBe('is-better')
    expect(within(screen.getByTestId('agreement-metrics')).getByText('0.81')).toBeTruthy()
    expect(within(screen.getByTestId('contingency-table')).getAllByRole('columnheader').map((c) => c.textContent)).toEqual([
      'Cluster \\ Run 5',
      'Cluster 0',
      'Cluster 1',
      'Cluster 2',
      'Cluster 3',
    ])
  })
})
