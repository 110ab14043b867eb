import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bandPoints, stackBands, type SilhouettePlot } from '../silhouette'
import { SilhouetteView } from './SilhouetteView'

const plot: SilhouettePlot = {
  assignments: 'Assignments',
  features: ['x', 'y'],
  n_rows: 20_000,
  clustered_rows: 20_000,
  excluded_rows: 0,
  sampled: true,
  exact_rows: 5,
  mean: 0.5,
  mean_simplified: 0.6,
  message: null,
  clusters: [
    { cluster: 0, size: 12_000, measured: 3, mean: 0.6, mean_simplified: 0.7, values: [0.9, 0.6, 0.3], worst: [{ row: 41, silhouette: -0.2, simplified: 0.1, values: { x: 1.5, y: 2 } }] },
    { cluster: 1, size: 8_000, measured: 2, mean: 0.35, mean_simplified: 0.4, values: [0.5, 0.2], worst: [] },
  ],
}

afterEach(() => vi.unstubAllGlobals())

describe('silhouette layout', () => {
  it('stacks the clusters with a gap and outlines each from the zero line', () => {
    const { bands, total } = stackBands(plot.clusters, 1)
    expect(bands.map((b) => [b.cluster, b.top, b.height])).toEqual([
      [0, 0, 3],
      [1, 4, 2],
    ])
    expect(total).toBe(6)
    expect(bandPoints(bands[1], (v) => v * 10, (r) => r)).toBe('0,4 5,4 5,5 2,5 2,6 0,6')
  })
})

describe('SilhouetteView', () => {
  it('draws a band per cluster, says it sampled, and lists a clicked cluster’s worst rows', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify(plot), { status: 200, headers: { 'Content-Type': 'application/json' } })),
    )
    render(<SilhouetteView outputRef={{ runId: 1, nodeId: 'train', port: 'results_dataset' }} />)
    const chart = await screen.findByTestId('silhouette-chart')
    expect(chart.getAttribute('data-bands')).toBe('2')
    expect(chart.getAttribute('data-rows')).toBe('5')
    expect(screen.getByTestId('silhouette-note').textContent).toContain('exact on a sample of 5 of 20,000 rows')
    expect(within(chart).getByTestId('silhouette-mean').textContent).toBe('mean 0.5')
    expect(screen.queryByTestId('worst-rows')).toBeNull()
    await userEvent.click(screen.getByRole('button', { name: /Cluster 0 · mean 0.6/ }))
    const worst = screen.getByTestId('worst-rows')
    const cells = within(worst).getAllByRole('cell')
    expect(cells.map((c) => c.textContent)).toEqual(['-0.2', '0.1', '1.5', '2'])
    expect(cells[0].className).toBe('is-negative')
    expect(within(worst).getByRole('rowheader').textContent).toBe('42') // rows are numbered from 1
  })

  it('says so when the plot is of an even sample of a table stored in parts', async () => {
    const sampledPlot = { ...plot, sampled: true, exact_rows: 5, clustered_rows: 5, sampled_from_rows: 80000 }
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify(sampledPlot), { status: 200, headers: { 'Content-Type': 'application/json' } })),
    )
    render(<SilhouetteView outputRef={{ runId: 1, nodeId: 'assign', port: 'results_dataset' }} />)
    await screen.findByTestId('silhouette-chart')
    const note = screen.getByTestId('silhouette-note').textContent
    expect(note).toContain('exact on an even sample of 5 of 80,000 rows')
    expect(note).toContain('simplified silhouette (to the centroids) on the same sample')
  })
})
