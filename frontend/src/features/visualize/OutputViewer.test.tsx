import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { OutputViewer } from './OutputViewer'
import { irisClusters, irisModel, irisResultsTable, irisSweep, irisUntrained } from './testing/fixtures'

// ECharts needs a real canvas: the chart module is replaced by a recorder that reports 'finished'.
const charts = vi.hoisted(() => ({ options: [] as unknown[] }))
vi.mock('./charts/echartsSetup', () => ({
  init: () => {
    const handlers = new Map<string, Set<() => void>>()
    let disposed = false
    return {
      setOption: (option: unknown) => {
        charts.options.push(option)
        setTimeout(() => handlers.get('finished')?.forEach((handler) => handler()), 0)
      },
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

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

/** A fetch stub: `routes[path]` answers (query string ignored, passed as the second argument). */
function serve(routes: Record<string, (query: URLSearchParams) => Response>) {
  const calls: string[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    calls.push(url)
    const [path, query = ''] = url.replace(/^https?:\/\/[^/]+/, '').split('?')
    const route = routes[path]
    return route ? route(new URLSearchParams(query)) : json({ detail: 'Not Found' }, 404)
  })
  vi.stubGlobal('fetch', fetchMock)
  return calls
}

const base = '/api/runs/7/nodes/assign/outputs/results_dataset'

function rowsPage(query: URLSearchParams) {
  const offset = Number(query.get('offset'))
  const limit = Number(query.get('limit'))
  const total = irisResultsTable.n_rows
  const rows = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) =>
    irisResultsTable.columns.map((c, j) => (c.type === 'numeric' ? offset + i + j / 10 : `value ${offset + i}`)),
  )
  return json({ columns: irisResultsTable.columns.map((c) => c.name), rows, total, offset, limit })
}

describe('OutputViewer', () => {
  it('shows the cluster chart with one legend entry per cluster and switches to all points', async () => {
    const calls = serve({
      [base]: () => json(irisResultsTable),
      [`${base}/visualization`]: (query) =>
        json(query.get('all_points') === 'true' ? { ...irisClusters, sampled: false, points: irisClusters.points } : irisClusters),
      [`${base}/rows`]: rowsPage,
    })
    render(<OutputViewer runId={7} nodeId="assign" port="results_dataset" portType="data_table" />)

    expect(screen.getByRole('heading', { level: 2, name: 'Results dataset' })).toBeInTheDocument()
    expect(screen.getByTestId('output-loading')).toBeInTheDocument()

    const legend = await screen.findByTestId('cluster-legend')
    const entries = within(legend).getAllByTestId('legend-item')
    expect(entries.map((entry) => entry.getAttribute('aria-label'))).toEqual(['Cluster 0', 'Cluster 1', 'Cluster 2'])
    expect(screen.getByRole('tab', { name: 'Clusters', selected: true })).toBeInTheDocument()
    expect(screen.getByRole('tab', { name: 'Table' })).toBeInTheDocument()
    expect(screen.getByTestId('sample-note')).toHaveTextContent('Showing 12 of 150 points')
    expect(screen.queryByTestId('projection-note')).toBeNull() // computed from every row

    const chart = screen.getByTestId('cluster-chart')
    await waitFor(() => expect(chart).toHaveAttribute('data-rendered', 'true'))
    expect(chart).toHaveAttribute('data-points', '12')
    expect(chart).toHaveAttribute('data-ellipses', '3')
    expect(chart).toHaveAttribute('data-centroids', '3')
    expect(screen.getByTestId('cluster-sizes-chart')).toHaveAttribute('data-bars', '3')
    expect(screen.getByTestId('distance-histograms')).toHaveAttribute('data-panels', '3')
    expect(screen.getByTestId('output-view').dataset.firstPaintMs).toBeDefined()
    expect(screen.getByTestId('download-csv')).toHaveAttribute('href', `${base}/download?format=csv`)

    // A legend entry hides its cluster.
    const user = userEvent.setup()
    await user.click(entries[1])
    expect(entries[1]).toHaveAttribute('aria-pressed', 'false')
    const last = charts.options.at(-1) as { legend?: { selected?: Record<string, boolean> } }
    expect(last.legend?.selected).toMatchObject({ 'Cluster 1': false })

    await user.click(screen.getByRole('switch', { name: 'Show all points' }))
    await waitFor(() => expect(calls.some((url) => url.endsWith('/visualization?all_points=true'))).toBe(true))
    await waitFor(() => expect(screen.getByRole('switch', { name: 'Show all points' })).toBeChecked())
  })

  it('says when a large table\'s chart was computed from a sample of its rows', async () => {
    serve({
      [base]: () => json(irisResultsTable),
      [`${base}/visualization`]: () => json({ ...irisClusters, projection_rows: 100 }),
      [`${base}/rows`]: rowsPage,
    })
    render(<OutputViewer runId={7} nodeId="assign" port="results_dataset" portType="data_table" />)
    expect(await screen.findByTestId('projection-note')).toHaveTextContent(
      'Projection, centroids, ellipses and distance histograms computed from 100 of 150 rows (sampled per cluster)',
    )
  })

  it('pages the table tab from the API', async () => {
    const calls = serve({
      [base]: () => json(irisResultsTable),
      [`${base}/visualization`]: () => json(irisClusters),
      [`${base}/rows`]: rowsPage,
    })
    render(<OutputViewer runId={7} nodeId="assign" port="results_dataset" portType="data_table" />)
    const user = userEvent.setup()
    await user.click(await screen.findByRole('tab', { name: 'Table' }))
    const grid = await screen.findByRole('grid')
    expect(within(grid).getByTestId('column-header-Assignments')).toHaveTextContent('Assignments')
    expect(within(grid).getAllByRole('columnheader')).toHaveLength(irisResultsTable.columns.length + 1)
    await waitFor(() => expect(calls.some((url) => url.endsWith('/rows?offset=0&limit=200'))).toBe(true))
    await waitFor(() => expect(within(grid).getAllByRole('row')[1]).toHaveTextContent('value 0'))
    // Column statistics of the first column, then of another one.
    expect(screen.getByTestId('column-stats')).toHaveTextContent(irisResultsTable.columns[0].name)
    await user.click(within(grid).getByTestId('column-header-petal_width'))
    expect(screen.getByTestId('column-stats')).toHaveTextContent('petal_width')
    expect(screen.getByTestId('column-stats')).toHaveTextContent('Median')
    expect(screen.getByRole('img', { name: /^Histogram of/ })).toBeInTheDocument()
    expect(screen.queryByTestId('sampled-stats-note')).toBeNull() // statistics of every row
    expect(screen.getByTestId('column-stats')).toHaveTextContent('Unique')
    expect(screen.getByTestId('column-stats')).not.toHaveTextContent('Unique in sample')
  })

  it('says which column statistics of a partitioned table come from a sample', async () => {
    serve({
      [base]: () => json({ ...irisResultsTable, sampled_rows: 100 }),
      [`${base}/visualization`]: () => json(irisClusters),
      [`${base}/rows`]: rowsPage,
    })
    render(<OutputViewer runId={7} nodeId="assign" port="results_dataset" portType="data_table" />)
    await userEvent.setup().click(await screen.findByRole('tab', { name: 'Table' }))
    expect(await screen.findByTestId('sampled-stats-note')).toHaveTextContent(
      'Distinct values, quartiles, histograms and top values from a sample of 100 rows',
    )
    expect(screen.getByTestId('column-stats')).toHaveTextContent('Unique in sample')
  })

  it('says when an output is gone', async () => {
    serve({})
    render(<OutputViewer runId={7} nodeId="assign" port="results_dataset" portType="data_table" />)
    expect(await screen.findByRole('alert')).toHaveTextContent('This output is no longer available')
  })

  it('shows a trained model: facts, heat map, centroid table, parameters with the seed', async () => {
    const calls = serve({ '/api/runs/7/nodes/train/outputs/trained_model': () => json(irisModel) })
    const onClose = vi.fn()
    render(<OutputViewer runId={7} nodeId="train" port="trained_model" portType="trained_cluster_model" onClose={onClose} />)
    const heatmap = await screen.findByTestId('centroid-heatmap')
    expect(heatmap).toHaveAttribute('data-clusters', '3')
    expect(heatmap).toHaveAttribute('data-features', '4')
    expect(screen.getByTestId('model-seed')).toHaveTextContent('7')
    expect(screen.getByRole('heading', { name: 'Parameters used' })).toBeInTheDocument()
    expect(screen.getByTestId('parameter-list')).toHaveTextContent('Number of Centroids3')
    expect(screen.getByTestId('centroid-table')).toHaveTextContent('Cluster 2')
    expect(screen.getByText('295 ms')).toBeInTheDocument()
    expect(calls.every((url) => !url.includes('/visualization'))).toBe(true)
    expect(screen.queryByTestId('download-csv')).toBeNull()
    await userEvent.setup().click(screen.getByRole('button', { name: 'Close' }))
    expect(onClose).toHaveBeenCalled()
  })

  it('shows a model of an algorithm without centres: facts and sizes, no centroid views', async () => {
    const { centroids: _dropped, metric: _metric, inertia: _inertia, ...rest } = irisModel
    const seedRows = { ...rest, algorithm: 'seed_rows', algorithm_name: 'Nearest seed row', seed_rows: [[0], [1], [2]] }
    serve({ '/api/runs/7/nodes/train/outputs/trained_model': () => json(seedRows) })
    render(<OutputViewer runId={7} nodeId="train" port="trained_model" portType="trained_cluster_model" />)
    expect(await screen.findByTestId('model-sizes-chart')).toHaveAttribute('data-bars', '3')
    expect(screen.getByRole('heading', { name: 'Training · Nearest seed row' })).toBeInTheDocument()
    expect(screen.queryByTestId('centroid-heatmap')).toBeNull()
    expect(screen.queryByTestId('centroid-table')).toBeNull()
    expect(screen.queryByText('Inertia')).toBeNull()
  })

  it('shows a model that assigns noise with its noise count, and its results with grey noise counted in the legend', async () => {
    const { centroids: _dropped, metric: _metric, inertia: _inertia, ...rest } = irisModel
    const density = { ...rest, algorithm: 'toy_density', algorithm_name: 'Toy density', k: 2, cluster_sizes: [100, 40], noise_count: 10 }
    serve({
      '/api/runs/7/nodes/train/outputs/trained_model': () => json(density),
      [base]: () => json(irisResultsTable),
      [`${base}/visualization`]: () =>
        json({
          ...irisClusters,
          k: 2,
          noise_count: 4,
          distance_columns: [],
          distance_histograms: [],
          cluster_sizes: [
            { cluster: 0, count: 5 },
            { cluster: 1, count: 3 },
          ],
          points: { ...irisClusters.points, cluster: [1, 1, 1, -1, 0, -1, 0, -1, 0, -1, 0, 0] },
          centroids: irisClusters.centroids.slice(0, 2),
          ellipses: irisClusters.ellipses.slice(0, 2),
        }),
      [`${base}/rows`]: rowsPage,
    })
    const { unmount } = render(<OutputViewer runId={7} nodeId="train" port="trained_model" portType="trained_cluster_model" />)
    expect(await screen.findByTestId('model-noise')).toHaveTextContent('Noise rows10')
    unmount()

    render(<OutputViewer runId={7} nodeId="assign" port="results_dataset" portType="data_table" />)
    const legend = await screen.findByTestId('cluster-legend')
    const entries = within(legend).getAllByTestId('legend-item')
    expect(entries.map((entry) => entry.getAttribute('aria-label'))).toEqual(['Cluster 0', 'Cluster 1', 'Noise (4)'])
    const chart = screen.getByTestId('cluster-chart')
    await waitFor(() => expect(chart).toHaveAttribute('data-rendered', 'true'))
    expect(chart).toHaveAttribute('data-noise', '4')
    expect(chart).toHaveAttribute('data-points', '12')
    expect(chart).toHaveAttribute('data-centroids', '2')
    expect(screen.getByTestId('noise-fact')).toHaveTextContent('Noise rows4')
    expect(screen.queryByTestId('distance-histograms')).toBeNull()
  })

  it('shows a merge-tree model: its dendrogram, and no seed, initialisation or iterations it does not have', async () => {
    const { init: _init, iterations: _iterations, iterations_run: _run, converged: _converged, inertia: _inertia, ...rest } = irisModel
    const tree = {
      ...rest,
      algorithm: 'hierarchical',
      algorithm_name: 'Hierarchical',
      parameters: { type: 'untrained_cluster_model', trainer_mode: 'single', linkage: 'ward', metric: 'euclidean', cut_by: 'n_clusters', n_clusters: 3, normalize: true },
      dendrogram: {
        icoord: [[5, 5, 15, 15], [10, 10, 25, 25]],
        dcoord: [[0, 1, 1, 0], [1, 3, 3, 0]],
        leaves: [0, 1, 2],
        leaf_labels: ['0', '1', '2'],
        leaf_counts: [1, 1, 1],
        leaf_clusters: [0, 0, 1],
        n_rows: 3,
        truncated: null,
        cut_height: 2,
      },
    }
    serve({ '/api/runs/7/nodes/train/outputs/trained_model': () => json(tree) })
    render(<OutputViewer runId={7} nodeId="train" port="trained_model" portType="trained_cluster_model" />)
    expect(await screen.findByTestId('dendrogram')).toHaveAttribute('data-cut', '2')
    expect(screen.getByRole('heading', { name: 'Dendrogram' })).toBeInTheDocument()
    expect(screen.getByTestId('centroid-table')).toHaveTextContent('Cluster 2')
    for (const absent of ['Seed used', 'Initialization', 'Iterations run']) expect(screen.queryByText(absent)).toBeNull()
    expect(screen.getByTestId('parameter-list')).not.toHaveTextContent('Random number seed')
    expect(screen.getByTestId('parameter-list')).toHaveTextContent('Linkageward')
  })

  it('shows an untrained model as its parameters', async () => {
    serve({ '/api/runs/7/nodes/kmeans/outputs/untrained_model': () => json(irisUntrained) })
    render(<OutputViewer runId={7} nodeId="kmeans" port="untrained_model" portType="untrained_cluster_model" />)
    const parameters = await screen.findByTestId('parameter-list')
    expect(parameters).toHaveTextContent('Initialization')
    expect(parameters).toHaveTextContent('Tolerance0')
    expect(parameters).toHaveTextContent('Number of restarts1')
    expect(parameters).toHaveTextContent('Use 32-bit floatsNo')
  })

  it('shows a sweep: metric against k, direction note, other metrics', async () => {
    const sweepBase = '/api/runs/7/nodes/sweep/outputs/sweep_results'
    serve({
      [sweepBase]: () => json({ ...irisResultsTable, n_rows: 3 }),
      [`${sweepBase}/visualization`]: () => json(irisSweep),
    })
    render(<OutputViewer runId={7} nodeId="sweep" port="sweep_results" portType="" />)
    const chart = await screen.findByTestId('sweep-chart')
    expect(screen.getByRole('tab', { name: 'Metric vs k', selected: true })).toBeInTheDocument()
    expect(chart).toHaveAttribute('data-best-k', '2')
    expect(screen.getByTestId('direction-note')).toHaveTextContent('Higher is better')
    const user = userEvent.setup()
    await user.click(screen.getByRole('radio', { name: 'Davies-Bouldin' }))
    expect(screen.getByTestId('direction-note')).toHaveTextContent('Lower is better')
    expect(chart).toHaveAttribute('data-metric', 'Davies-Bouldin')
  })

  it('reads a shared run through its public API prefix, without download or new-tab links', async () => {
    const publicBase = '/api/public/tok123/runs/7/nodes/assign/outputs/results_dataset'
    serve({
      [publicBase]: () => json(irisResultsTable),
      [`${publicBase}/visualization`]: () => json(irisClusters),
    })
    render(<OutputViewer runId={7} nodeId="assign" port="results_dataset" portType="data_table" apiBase="/api/public/tok123" />)
    expect(await screen.findByTestId('cluster-legend')).toBeInTheDocument()
    expect(screen.queryByTestId('download-csv')).toBeNull()
    expect(screen.queryByRole('link', { name: 'Open in new tab' })).toBeNull()
  })

  it('saves a table output as a dataset under the name given', async () => {
    const evalBase = '/api/runs/7/nodes/eval/outputs/evaluation_results'
    serve({
      [evalBase]: () => json(irisResultsTable),
      [`${evalBase}/visualization`]: () => json({ kind: 'table', ...irisResultsTable }),
      [`${evalBase}/rows`]: rowsPage,
      [`${evalBase}/save-as-dataset`]: () => json({ id: 'd1', name: 'Evaluation', n_rows: 4, n_columns: 5 }, 201),
    })
    render(<OutputViewer runId={7} nodeId="eval" port="evaluation_results" portType="data_table" />)
    const user = userEvent.setup()
    await user.click(await screen.findByTestId('save-as-dataset'))
    const name = screen.getByLabelText('Dataset name')
    expect(name).toHaveValue('eval evaluation_results')
    await user.clear(name)
    await user.click(screen.getByRole('button', { name: 'Save' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Give the dataset a name.')
    await user.type(name, 'Evaluation')
    await user.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(screen.queryByLabelText('Dataset name')).toBeNull())
    const post = vi.mocked(fetch).mock.calls.find(([, init]) => init?.method === 'POST')
    expect(post?.[0]).toContain(`${evalBase}/save-as-dataset`)
    expect(JSON.parse(String(post?.[1]?.body))).toEqual({ name: 'Evaluation' })
  })

  it('saves a trained model output as a saved model, and tells the palette to reload', async () => {
    const modelBase = '/api/runs/7/nodes/train/outputs/trained_model'
    serve({
      [modelBase]: () => json({ ...irisModel, algorithm: 'kmeans', algorithm_name: 'K-Means' }),
      '/api/models': () => json({ id: 'm1', name: 'Iris segments', algorithm_name: 'K-Means', k: 3, feature_columns: irisModel.feature_columns }, 201),
    })
    let announced = 0
    const onChanged = () => (announced += 1)
    window.addEventListener('studio:models-changed', onChanged)
    render(<OutputViewer runId={7} nodeId="train" port="trained_model" portType="trained_cluster_model" />)
    await screen.findByTestId('centroid-heatmap')
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Save as trained model' }))
    const name = screen.getByLabelText('Model name')
    expect(name).toHaveValue('K-Means, k = 3')
    await user.clear(name)
    await user.click(screen.getByRole('button', { name: 'Save model' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Give the model a name.')
    await user.type(name, 'Iris segments')
    await user.type(screen.getByLabelText(/Description/), 'Petal-driven')
    await user.click(screen.getByRole('button', { name: 'Save model' }))
    await waitFor(() => expect(screen.queryByLabelText('Model name')).toBeNull())
    window.removeEventListener('studio:models-changed', onChanged)
    const post = vi.mocked(fetch).mock.calls.find(([, init]) => init?.method === 'POST')
    expect(post?.[0]).toBe('/api/models')
    expect(JSON.parse(String(post?.[1]?.body))).toEqual({ run_id: 7, node_id: 'train', port: 'trained_model', name: 'Iris segments', description: 'Petal-driven' })
    expect(announced).toBe(1)
  })

  it('offers model saving on the output page, where the port type is known only from the summary', async () => {
    serve({
      '/api/runs/7/nodes/train/outputs/trained_model/visualization': () => json({ kind: 'model', ...irisModel }),
      '/api/runs/7/nodes/train/outputs/trained_model': () => json(irisModel),
    })
    render(<OutputViewer runId={7} nodeId="train" port="trained_model" portType="" variant="page" />)
    expect(await screen.findByTestId('save-as-model')).toBeInTheDocument()
  })

  it('offers no model saving on a shared link or a table', async () => {
    const publicBase = '/api/public/tok123/runs/7/nodes/train/outputs/trained_model'
    serve({ [publicBase]: () => json(irisModel) })
    render(<OutputViewer runId={7} nodeId="train" port="trained_model" portType="trained_cluster_model" apiBase="/api/public/tok123" />)
    await screen.findByTestId('centroid-heatmap')
    expect(screen.queryByTestId('save-as-model')).toBeNull()
  })

  it('shows a plain table (evaluation results) as the grid', async () => {
    const evalBase = '/api/runs/7/nodes/eval/outputs/evaluation_results'
    serve({
      [evalBase]: () => json(irisResultsTable),
      [`${evalBase}/visualization`]: () => json({ kind: 'table', ...irisResultsTable }),
      [`${evalBase}/rows`]: rowsPage,
    })
    render(<OutputViewer runId={7} nodeId="eval" port="evaluation_results" portType="data_table" />)
    expect(await screen.findByRole('grid')).toBeInTheDocument()
    expect(screen.queryByRole('tablist')).toBeNull()
    expect(screen.getByTestId('download-csv')).toBeInTheDocument()
    expect(screen.queryByTestId('save-as-model')).toBeNull()
    await act(async () => {})
  })
})
