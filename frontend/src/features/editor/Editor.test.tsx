import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Experiment, Graph, Run } from '../../api/types'
import { catalogue, jsonResponse, stubFetch, type RouteHandler } from '../../test/fixtures'
import { renderApp } from '../../test/renderApp'

const graph: Graph = {
  nodes: [
    { id: 'data', module: 'dataset', params: { dataset_id: 'sample-iris' }, position: { x: 0, y: 0 }, comment: '' },
    { id: 'km', module: 'kmeans_clustering', params: { n_clusters: 3, iterations: 100 }, position: { x: 0, y: 160 }, comment: 'k from the species' },
  ],
  edges: [],
}

const experiment = (over: Partial<Experiment> = {}): Experiment => ({
  id: 3,
  name: 'Iris clusters',
  description: '',
  graph,
  version: 4,
  owner: { id: 1, username: 'ada' },
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:00Z',
  last_run: null,
  ...over,
})

const iris = {
  id: 'sample-iris',
  name: 'Iris',
  n_rows: 150,
  n_columns: 5,
  size_bytes: 4000,
  created_at: null,
  sample: true,
  columns: [{ name: 'sepal_length', type: 'numeric' }],
}

function routes(extra: Record<string, RouteHandler> = {}): Record<string, RouteHandler> {
  return {
    '/api/auth/me': () => jsonResponse({ id: 1, username: 'ada' }),
    '/api/health': () => jsonResponse({ status: 'ok', version: '0.1.0', database: 'sqlite' }),
    '/api/modules': () => jsonResponse(catalogue),
    '/api/datasets': () => jsonResponse([iris]),
    'GET /api/experiments/3': () => jsonResponse(experiment()),
    '/api/experiments/3/runs': () => jsonResponse([]),
    'POST /api/graphs/validate': () =>
      jsonResponse({
        valid: false,
        errors: [{ node_id: 'km', param: 'iterations', code: '0007', message: "Parameter 'Iterations' must be ≤ 10000" }],
        warnings: [],
      }),
    ...extra,
  }
}

async function openEditor(extra?: Record<string, RouteHandler>) {
  const fetchMock = stubFetch(routes(extra))
  const user = userEvent.setup()
  const view = renderApp('/experiments/3')
  await screen.findByTestId('palette-dataset-Iris')
  await waitFor(() => expect(view.container.querySelectorAll('.react-flow__node')).toHaveLength(2))
  return { ...view, user, fetchMock }
}

describe('the editor', () => {
  it('draws the saved graph with the contract attributes and the dataset palette', async () => {
    const { container } = await openEditor()
    expect(screen.getByTestId('experiment-name')).toHaveTextContent('Iris clusters')
    expect(screen.getByTestId('save-state')).toHaveTextContent('Saved')
    const km = container.querySelector('.react-flow__node[data-module="kmeans_clustering"]') as HTMLElement
    expect(km).toHaveAttribute('data-status', 'idle')
    expect(km).toHaveTextContent('k from the species')
    expect(km.querySelector('.react-flow__handle.source[data-handleid="untrained_model"]')).not.toBeNull()
    // The dataset node is titled by its dataset.
    expect(container.querySelector('.react-flow__node[data-module="dataset"]')).toHaveTextContent('Iris150 rows × 5 columns')
    for (const name of ['Run', 'Save', 'Undo', 'Redo']) expect(screen.getByRole('button', { name })).toBeInTheDocument()
  })

  it('puts the server’s validation problems on the node and the status bar', async () => {
    const { container } = await openEditor()
    await waitFor(() => expect(screen.getByTestId('validation-status')).toHaveTextContent('1 problem'))
    const km = container.querySelector('.react-flow__node[data-module="kmeans_clustering"]') as HTMLElement
    // The node's badge follows the status bar by one effect (the runtime store update): wait for it.
    await waitFor(() => expect(within(km).getByLabelText('1 problem')).toHaveAttribute('title', "0007: Parameter 'Iterations' must be ≤ 10000"))
  })

  it('undoes typing in one field in one step, and saves with the version', async () => {
    const puts: unknown[] = []
    const { container, user } = await openEditor({
      'PUT /api/experiments/3': ({ json }) => {
        puts.push(json)
        return jsonResponse(experiment({ version: 5, graph: (json as { graph: Graph }).graph }))
      },
    })
    // A click without the pointer-down (d3-drag needs a real window on the event).
    fireEvent.click(container.querySelector('.react-flow__node[data-module="kmeans_clustering"]') as HTMLElement)
    const iterations = await screen.findByLabelText('Iterations')
    await user.clear(iterations)
    await user.type(iterations, '250')
    expect(screen.getByTestId('save-state')).toHaveTextContent('Unsaved changes')
    await user.click(screen.getByRole('button', { name: 'Undo' }))
    await waitFor(() => expect(screen.getByLabelText('Iterations')).toHaveValue(100))
    expect(screen.getByTestId('save-state')).toHaveTextContent('Saved')
    await user.click(screen.getByRole('button', { name: 'Redo' }))
    await waitFor(() => expect(screen.getByLabelText('Iterations')).toHaveValue(250))
    await user.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(screen.getByTestId('save-state')).toHaveTextContent('Saved'))
    expect(puts).toHaveLength(1)
    const body = puts[0] as { version: number; graph: Graph }
    expect(body.version).toBe(4)
    expect(body.graph.nodes[1].params).toEqual({ n_clusters: 3, iterations: 250 })
  })

  it('tells the user when someone saved first, offering reload or a copy', async () => {
    const { container, user } = await openEditor({
      'PUT /api/experiments/3': () =>
        jsonResponse({ detail: { message: 'Someone saved this experiment first (version 5); your save was based on version 4.', current_version: 5 } }, 409),
    })
    // A click without the pointer-down (d3-drag needs a real window on the event).
    fireEvent.click(container.querySelector('.react-flow__node[data-module="kmeans_clustering"]') as HTMLElement)
    await user.type(await screen.findByLabelText('Comment'), '!')
    await user.keyboard('{Control>}s{/Control}')
    const dialog = await screen.findByRole('dialog', { name: 'Someone saved first' })
    expect(dialog).toHaveTextContent('version 5')
    expect(within(dialog).getByRole('button', { name: 'Reload' })).toBeInTheDocument()
    expect(within(dialog).getByRole('button', { name: 'Save as a copy' })).toBeInTheDocument()
  })

  it('marks a result stale when the server signs the node differently now, not when it signs it the same', async () => {
    const lastRun: Run = {
      id: 9,
      experiment_id: 3,
      experiment_version: 4,
      status: 'succeeded',
      created_at: '2026-01-01T10:00:00Z',
      nodes: {
        data: { node_id: 'data', status: 'succeeded', cached: false, outputs: { dataset: 'data_table' }, signature: 'sig-data' },
        km: { node_id: 'km', status: 'succeeded', cached: false, outputs: { untrained_model: 'untrained_cluster_model' }, signature: 'sig-km-3' },
      },
    }
    // A stand-in for the server's rule: here only n_clusters goes into kmeans' signature.
    const { container, user } = await openEditor({
      'GET /api/experiments/3': () => jsonResponse(experiment({ last_run: { id: 9, status: 'succeeded', created_at: lastRun.created_at } })),
      'GET /api/runs/9': () => jsonResponse(lastRun),
      'POST /api/graphs/validate': ({ json }) => {
        const params = (json as { graph: Graph }).graph.nodes.find((n) => n.id === 'km')?.params ?? {}
        // A warning marks the answer to the edited graph, so the test knows when it has arrived.
        const warnings = params.iterations === 250 ? [{ code: 'W', message: 'Many iterations', node_id: 'km' }] : []
        return jsonResponse({ valid: true, errors: [], warnings, signatures: { data: 'sig-data', km: `sig-km-${String(params.n_clusters)}` } })
      },
    })
    const km = () => container.querySelector('.react-flow__node[data-module="kmeans_clustering"]') as HTMLElement
    await waitFor(() => expect(km()).toHaveAttribute('data-status', 'succeeded'))
    fireEvent.click(km())

    // An edit the server's signature does not see: the result still holds.
    const iterations = await screen.findByLabelText('Iterations')
    await user.clear(iterations)
    await user.type(iterations, '250')
    await waitFor(() => expect(screen.getByTestId('validation-status')).toHaveTextContent('1 warning'))
    expect(km()).toHaveAttribute('data-status', 'succeeded')

    // An edit it does see: the result is stale (shown idle), the dataset's still holds.
    const clusters = screen.getByLabelText('Number of Centroids')
    await user.clear(clusters)
    await user.type(clusters, '4')
    await waitFor(() => expect(km()).toHaveAttribute('data-status', 'idle'))
    expect(container.querySelector('.react-flow__node[data-module="dataset"]')).toHaveAttribute('data-status', 'succeeded')
  })
})
