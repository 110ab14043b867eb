import { createEvent, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { SavedModel } from '../../api/models'
import type { Experiment, Graph } from '../../api/types'
import { catalogue, jsonResponse, stubFetch, type RouteHandler } from '../../test/fixtures'
import { renderApp } from '../../test/renderApp'

const model = (over: Partial<SavedModel> = {}): SavedModel => ({
  id: 'm-1',
  name: 'Iris segments',
  description: 'Trained on the first half of Iris',
  algorithm: 'kmeans',
  algorithm_name: 'K-Means',
  k: 3,
  feature_columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((name) => ({ name, kind: 'numeric', categories: [] })),
  metric: 'euclidean',
  normalize: true,
  created_at: '2026-01-02T10:00:00Z',
  source: { experiment_id: 2, run_id: 5, node_id: 'train' },
  owner: { id: 1, username: 'ada' },
  owned: true,
  size_bytes: 2048,
  ...over,
})

const mine = model()
const shared = model({ id: 'm-2', name: 'Wine groups', description: '', k: 4, owner: { id: 2, username: 'bob' }, owned: false, feature_columns: [{ name: 'alcohol', kind: 'numeric', categories: [] }] })

const experiment = (graph: Graph): Experiment => ({
  id: 3,
  name: 'Score new flowers',
  description: '',
  graph,
  version: 1,
  owner: { id: 1, username: 'ada' },
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:00Z',
  last_run: null,
})

function routes(graph: Graph, extra: Record<string, RouteHandler> = {}): Record<string, RouteHandler> {
  return {
    '/api/auth/me': () => jsonResponse({ id: 1, username: 'ada' }),
    '/api/health': () => jsonResponse({ status: 'ok', version: '0.1.0', database: 'sqlite' }),
    '/api/modules': () => jsonResponse(catalogue),
    '/api/datasets': () => jsonResponse([]),
    '/api/models': () => jsonResponse({ data: [mine, shared], count: 2 }),
    'GET /api/experiments/3': () => jsonResponse(experiment(graph)),
    '/api/experiments/3/runs': () => jsonResponse([]),
    'POST /api/graphs/validate': () => jsonResponse({ valid: true, errors: [], warnings: [] }),
    ...extra,
  }
}

/** A stand-in for the browser's drag data (jsdom has no DataTransfer). */
function dragData() {
  const data = new Map<string, string>()
  return {
    setData: (type: string, value: string) => void data.set(type, value),
    getData: (type: string) => data.get(type) ?? '',
    get types() {
      return [...data.keys()]
    },
    effectAllowed: 'all',
    dropEffect: 'none',
  }
}

describe('trained models in the editor', () => {
  it('lists own and shared models under Trained Models, searchable, and drops one as a trained model node', async () => {
    stubFetch(routes({ nodes: [], edges: [] }))
    const user = userEvent.setup()
    const { container } = renderApp('/experiments/3')
    const palette = await screen.findByRole('complementary', { name: 'Module palette' })
    const section = await within(palette).findByRole('region', { name: 'Trained Models' })
    const item = await within(section).findByTestId('palette-model-Iris segments')
    expect(item).toHaveTextContent('K-Means · k = 3 · 4 columns')
    expect(within(section).getByRole('button', { name: /My models/ })).toHaveTextContent('1')
    expect(within(section).getByRole('button', { name: /Shared with me/ })).toBeInTheDocument()
    expect(within(section).getByTestId('palette-model-Wine groups').title).toContain('Shared by bob')
    expect(within(section).getByRole('link', { name: 'Manage' })).toHaveAttribute('href', '/models')

    // Searching finds a model by one of its columns.
    await user.type(within(palette).getByRole('searchbox', { name: 'Search modules' }), 'petal')
    expect(within(palette).getByTestId('palette-model-Iris segments')).toBeInTheDocument()
    expect(within(palette).queryByTestId('palette-model-Wine groups')).toBeNull()
    await user.clear(within(palette).getByRole('searchbox', { name: 'Search modules' }))

    const data = dragData()
    fireEvent.dragStart(within(palette).getByTestId('palette-model-Iris segments'), { dataTransfer: data })
    const canvas = screen.getByRole('region', { name: 'Experiment canvas' })
    fireEvent.dragOver(canvas, { dataTransfer: data })
    // jsdom has no DragEvent: the drop point is set on a plain event.
    const drop = createEvent.drop(canvas, { dataTransfer: data })
    Object.defineProperties(drop, { clientX: { value: 300 }, clientY: { value: 200 } })
    fireEvent(canvas, drop)

    await waitFor(() => expect(container.querySelector('.react-flow__node[data-module="trained_model"]')).not.toBeNull())
    const node = container.querySelector('.react-flow__node[data-module="trained_model"]') as HTMLElement
    expect(node).toHaveTextContent('Iris segments')
    expect(node).toHaveTextContent('K-Means · k = 3')
    // The new node is selected: its properties offer the saved models, the dropped one chosen.
    const select = await screen.findByRole('combobox', { name: 'Trained model' })
    expect(select).toHaveValue('m-1')
    expect(within(select).getByRole('group', { name: 'Shared with me' })).toHaveTextContent('Wine groups')
    await user.selectOptions(select, 'm-2')
    await waitFor(() => expect(node).toHaveTextContent('Wine groups'))
  })

  it('shows a model that is gone as not found, keeping its id', async () => {
    const graph: Graph = {
      nodes: [{ id: 'saved', module: 'trained_model', params: { model_id: 'm-gone' }, position: { x: 0, y: 0 }, comment: '' }],
      edges: [],
    }
    stubFetch(routes(graph, { 'GET /api/models/m-gone': () => jsonResponse({ detail: 'Model not found' }, 404) }))
    const { container } = renderApp('/experiments/3')
    await waitFor(() => expect(container.querySelector('.react-flow__node[data-module="trained_model"]')).toHaveTextContent('Model not found'))
    fireEvent.click(container.querySelector('.react-flow__node[data-module="trained_model"]') as HTMLElement)
    const select = await screen.findByRole('combobox', { name: 'Trained model' })
    expect(select).toHaveValue('m-gone')
    expect(within(select).getByRole('option', { name: 'm-gone (not found)' })).toBeInTheDocument()
    expect(screen.getByText(/This model was deleted, or it is not shared with you/)).toBeInTheDocument()
  })

  it('names a model of a shared experiment that the list does not hold, read one by one', async () => {
    const other = model({ id: 'm-9', name: 'Carol’s model', owner: { id: 3, username: 'carol' }, owned: false })
    const graph: Graph = {
      nodes: [{ id: 'saved', module: 'trained_model', params: { model_id: 'm-9' }, position: { x: 0, y: 0 }, comment: '' }],
      edges: [],
    }
    stubFetch(routes(graph, { 'GET /api/models/m-9': () => jsonResponse(other) }))
    const { container } = renderApp('/experiments/3')
    await waitFor(() => expect(container.querySelector('.react-flow__node[data-module="trained_model"]')).toHaveTextContent('Carol’s model'))
  })
})
