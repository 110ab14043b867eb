import { render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ClusterProfiles } from '../profile'
import { describeDistinction, ProfileView } from './ProfileView'

const ref = { runId: 3, nodeId: 'train', port: 'results_dataset' }
const url = '/api/runs/3/nodes/train/outputs/results_dataset/profile'

// Two clusters of a toy table: petal length (numeric) sets cluster 0 apart, species (text) both.
const profile: ClusterProfiles = {
  assignments: 'Assignments',
  n_rows: 1_000_000,
  assigned_rows: 999_990,
  profiled_rows: 50_000,
  n_clusters: 2,
  features_shown: 2,
  features_total: 3,
  clusters: [
    {
      cluster: 0,
      size: 333_330,
      share: 0.3333,
      distinguishing: [
        { feature: 'petal length', kind: 'numeric', effect: -5.05, direction: 'lower', mean: 1.46, overall_mean: 3.76, magnitude: 'large' },
        { feature: 'species', kind: 'categorical', value: 'setosa', share: 1, rest_share: 0, effect: 3.14, magnitude: 'large' },
        { feature: 'sepal width', kind: 'numeric', effect: 0.1, direction: 'higher', mean: 3.1, overall_mean: 3.05, magnitude: 'negligible' },
      ],
    },
    { cluster: 1, size: 666_660, share: 0.6667, distinguishing: [] },
  ],
  features: [
    {
      feature: 'petal length',
      kind: 'numeric',
      edges: [1, 2, 3, 4],
      overall: { mean: 3.76, std: 1.76, median: 4.35, histogram: [50, 10, 90] },
      clusters: [
        { count: 50, mean: 1.46, std: 0.17, min: 1, q25: 1.4, median: 1.5, q75: 1.575, max: 1.9, histogram: [50, 0, 0], effect: -5.05 },
        { count: 100, mean: 4.9, std: 0.8, min: 3, q25: 4.5, median: 4.9, q75: 5.5, max: 6.9, histogram: [0, 10, 90], effect: 5.05 },
      ],
    },
    {
      feature: 'species',
      kind: 'categorical',
      overall: [{ value: 'virginica', share: 0.34 }],
      clusters: [
        { count: 50, top: [{ value: 'setosa', share: 1, effect: 3.14 }] },
        { count: 100, top: [{ value: 'virginica', share: 0.5, effect: 1.2 }, { value: 'versicolor', share: 0.5, effect: 1.2 }] },
      ],
    },
  ],
}

function serveProfile(served: ClusterProfiles = profile) {
  const calls: string[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const target = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
      calls.push(target)
      return target.endsWith(url)
        ? new Response(JSON.stringify(served), { status: 200, headers: { 'Content-Type': 'application/json' } })
        : new Response('{"detail":"Not Found"}', { status: 404 })
    }),
  )
  return calls
}

afterEach(() => vi.unstubAllGlobals())

describe('describeDistinction', () => {
  it('says which way a number differs and how much a category is over-represented', () => {
    expect(describeDistinction(profile.clusters[0].distinguishing[0])).toEqual({
      headline: 'petal length is lower',
      detail: 'mean 1.46 vs 3.76 overall',
      effect: 'd = −5.0',
    })
    const category = describeDistinction(profile.clusters[0].distinguishing[1])
    expect(category.headline).toBe('species = setosa')
    expect(category.detail).toBe('100% of the cluster vs 0% elsewhere')
  })
})

describe('ProfileView', () => {
  it('lists what sets each cluster apart, leaves out negligible effects and says it sampled', async () => {
    const calls = serveProfile()
    render(<ProfileView outputRef={ref} canDownload />)
    const cards = await screen.findAllByTestId('profile-card')
    expect(calls).toEqual([url])
    expect(cards).toHaveLength(2)
    const first = within(cards[0])
    expect(first.getByText('petal length is lower')).toBeTruthy()
    expect(first.getByText('species = setosa')).toBeTruthy()
    expect(first.queryByText(/sepal width/)).toBeNull()
    expect(within(cards[1]).getByText(/No feature sets this cluster clearly apart/)).toBeTruthy()
    expect(screen.getByTestId('profile-notes').textContent).toContain('statistics from a sample of 50,000 rows')
    expect(screen.getByTestId('profile-notes').textContent).toContain('2 of 3 columns profiled')
    expect(screen.getByTestId('profile-download')).toBeTruthy()
  })

  it('says what the profile of a partitioned table counts over every row', async () => {
    serveProfile({ ...profile, moments_of_all_rows: true })
    render(<ProfileView outputRef={ref} canDownload />)
    await screen.findAllByTestId('profile-card')
    const notes = screen.getByTestId('profile-notes').textContent
    expect(notes).toContain('quartiles, histograms and shares from a sample of 50,000 rows spread over the table')
    expect(notes).toContain('means, standard deviations and effects count every row')
    expect(notes).not.toContain('drawn by cluster')
  })

  it('draws one row per feature with a cell per cluster and hides the download when read-only', async () => {
    serveProfile()
    render(<ProfileView outputRef={ref} canDownload={false} />)
    const table = await screen.findByTestId('profile-table')
    const rows = within(table).getAllByRole('row')
    expect(rows).toHaveLength(3) // header + two features
    const cells = within(rows[1]).getAllByRole('cell')
    expect(cells).toHaveLength(3) // all rows + two clusters
    expect(cells[1].getAttribute('title')).toContain('median 1.5')
    expect(cells[1].className).toContain('is-distinct')
    expect(within(rows[2]).getAllByRole('cell')[2].textContent).toContain('virginica')
    expect(screen.getAllByRole('img', { name: /petal length/ })).toHaveLength(3)
    expect(screen.queryByTestId('profile-download')).toBeNull()
  })
})
