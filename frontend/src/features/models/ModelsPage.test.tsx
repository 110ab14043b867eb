import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { SavedModel } from '../../api/models'
import { jsonResponse, stubFetch, type RouteHandler } from '../../test/fixtures'
import { renderApp } from '../../test/renderApp'

const model = (over: Partial<SavedModel> = {}): SavedModel => ({
  id: 'm-1',
  name: 'Iris segments',
  description: 'Trained on the first half of Iris',
  algorithm: 'kmeans',
  algorithm_name: 'K-Means',
  k: 3,
  feature_columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'colour'].map((name) => ({ name, kind: name === 'colour' ? 'onehot' : 'numeric', categories: [] })),
  metric: 'cosine',
  normalize: true,
  created_at: new Date(Date.now() - 2 * 3600_000).toISOString(),
  source: { experiment_id: 2, run_id: 5, node_id: 'train' },
  owner: { id: 1, username: 'ada' },
  owned: true,
  size_bytes: 2048,
  ...over,
})

const shared = model({ id: 'm-2', name: 'Wine groups', description: '', owned: false, owner: { id: 2, username: 'bob' }, source: null })

function routes(extra: Record<string, RouteHandler> = {}): Record<string, RouteHandler> {
  return {
    '/api/auth/me': () => jsonResponse({ id: 1, username: 'ada' }),
    'GET /api/models': () => jsonResponse({ data: [model(), shared], count: 2 }),
    ...extra,
  }
}

async function openModels(extra?: Record<string, RouteHandler>) {
  const fetchMock = stubFetch(routes(extra))
  const user = userEvent.setup()
  const view = renderApp('/models')
  const row = await screen.findByTestId('model-row-m-1')
  return { ...view, user, fetchMock, row }
}

const calls = (fetchMock: ReturnType<typeof stubFetch>, method: string, path: string) =>
  fetchMock.mock.calls.filter(([url, init]) => String(url) === path && (init?.method ?? 'GET') === method)

describe('the trained models page', () => {
  it('lists own and shared models with their algorithm, columns, age and source experiment', async () => {
    const { row } = await openModels()
    expect(screen.getByRole('heading', { level: 1, name: 'Trained models' })).toBeInTheDocument()
    expect(row).toHaveTextContent('Iris segments')
    expect(row).toHaveTextContent('Trained on the first half of Iris')
    expect(row).toHaveTextContent('K-Means')
    expect(row).toHaveTextContent('k = 3 · cosine · normalised')
    expect(row).toHaveTextContent('sepal_lengthsepal_widthpetal_lengthpetal_width+1')
    expect(row).toHaveTextContent('2 h ago')
    expect(within(row).getByRole('link', { name: 'Experiment 2 · run 5' })).toHaveAttribute('href', '/experiments/2')
    const other = screen.getByTestId('model-row-m-2')
    expect(other).toHaveTextContent('Shared by bob')
    expect(other).toHaveTextContent('Imported')
    // Someone else's model can be deployed and exported, not renamed or deleted.
    expect(within(other).queryByRole('button', { name: 'Delete Wine groups' })).toBeNull()
    expect(within(other).getByRole('button', { name: 'Deploy Wine groups as a web service' })).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Services' })).toHaveAttribute('href', '/services')
  })

  it('renames and describes a model, then loads the list again', async () => {
    const { user, fetchMock, row } = await openModels({
      'PATCH /api/models/m-1': ({ json }) => jsonResponse(model(json as Partial<SavedModel>)),
    })
    await user.click(within(row).getByRole('button', { name: 'Rename Iris segments' }))
    const dialog = screen.getByRole('dialog', { name: 'Rename and describe' })
    await user.clear(within(dialog).getByLabelText('Name'))
    await user.type(within(dialog).getByLabelText('Name'), 'Iris, 3 groups')
    await user.clear(within(dialog).getByLabelText('Description'))
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    const patch = calls(fetchMock, 'PATCH', '/api/models/m-1')
    expect(JSON.parse(String(patch[0][1]?.body))).toEqual({ name: 'Iris, 3 groups', description: '' })
    await waitFor(() => expect(calls(fetchMock, 'GET', '/api/models')).toHaveLength(2))
  })

  it('deletes a model after asking, saying its services go with it', async () => {
    const { user, fetchMock, row } = await openModels({ 'DELETE /api/models/m-1': () => new Response(null, { status: 204 }) })
    await user.click(within(row).getByRole('button', { name: 'Delete Iris segments' }))
    const dialog = screen.getByRole('dialog', { name: 'Delete “Iris segments”?' })
    expect(dialog).toHaveTextContent('every web service deployed from it')
    await user.click(within(dialog).getByRole('button', { name: 'Delete model' }))
    await waitFor(() => expect(calls(fetchMock, 'DELETE', '/api/models/m-1')).toHaveLength(1))
    expect(await screen.findByText('Deleted “Iris segments”')).toBeInTheDocument()
  })

  it('exports a model, and says in words when a format cannot express it', async () => {
    const created: Blob[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      created.push(blob as Blob)
      return 'blob:model'
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
    const clicked: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    })
    const { user, row } = await openModels({
      '/api/models/m-1/export': () =>
        jsonResponse({ detail: { code: '0083', message: 'PMML has no cosine distance: this model cannot be written as PMML.' } }, 400),
    })
    await user.click(within(row).getByRole('button', { name: 'Export Iris segments' }))
    await user.click(screen.getByRole('menuitem', { name: /PMML 4.4/ }))
    const problem = await screen.findByRole('dialog', { name: '“Iris segments” cannot be exported as PMML 4.4' })
    expect(within(problem).getByRole('alert')).toHaveTextContent('PMML has no cosine distance: this model cannot be written as PMML.')
    expect(clicked).toEqual([])
    await user.click(within(problem).getByRole('button', { name: 'OK' }))

    stubFetch(
      routes({
        '/api/models/m-1/export': () =>
          new Response('{"format": "cluster-studio-model"}', { status: 200, headers: { 'Content-Type': 'application/json', 'Content-Disposition': 'attachment; filename="Iris_segments.json"' } }),
      }),
    )
    await user.click(within(row).getByRole('button', { name: 'Export Iris segments' }))
    await user.click(screen.getByRole('menuitem', { name: /Portable JSON/ }))
    await waitFor(() => expect(clicked).toEqual(['Iris_segments.json']))
    expect(await created[0].text()).toBe('{"format": "cluster-studio-model"}')
  })

  it('imports a model file under the name given', async () => {
    const sent: FormData[] = []
    const { user, fetchMock } = await openModels({
      'POST /api/models/import': (init) => {
        sent.push(init.body as FormData)
        return jsonResponse(model({ id: 'm-3', name: 'From elsewhere' }), 201)
      },
    })
    await user.click(screen.getByRole('button', { name: 'Import' }))
    const dialog = screen.getByRole('dialog', { name: 'Import a model' })
    await user.upload(within(dialog).getByLabelText('Model file'), new File(['{}'], 'model.json', { type: 'application/json' }))
    await user.type(within(dialog).getByLabelText(/Name/), 'From elsewhere')
    await user.click(within(dialog).getByRole('button', { name: 'Import' }))
    expect(await screen.findByText('Imported “From elsewhere”')).toBeInTheDocument()
    expect((sent[0].get('file') as File).name).toBe('model.json')
    expect(sent[0].get('name')).toBe('From elsewhere')
    await waitFor(() => expect(calls(fetchMock, 'GET', '/api/models')).toHaveLength(2))
  })

  it('deploys a model as a web service and shows its two keys once on the service page', async () => {
    const service = {
      id: 's-1',
      name: 'Iris segments service',
      model_id: 'm-1',
      model_name: 'Iris segments',
      append: false,
      enabled: true,
      score_url: 'http://studio.example/api/services/s-1/score',
      batch_url: 'http://studio.example/api/services/s-1/batch',
      primary_key_hint: 'csk_AAAA',
      secondary_key_hint: 'csk_BBBB',
      created_at: new Date().toISOString(),
      input_columns: [{ name: 'sepal_length', type: 'number' }],
      output_columns: ['Assignments', 'DistancesToClusterCenter no.0'],
    }
    const { user, fetchMock, router, row } = await openModels({
      'POST /api/services': () => jsonResponse({ ...service, primary_key: 'csk_AAAAfirst-secret', secondary_key: 'csk_BBBBsecond-secret' }, 201),
      'GET /api/services/s-1': () => jsonResponse(service),
      '/api/services/s-1/batch': () => jsonResponse({ data: [], count: 0 }),
      '/api/services/s-1/usage': () => jsonResponse({ data: [], count: 0 }),
      'GET /api/models/m-1': () => jsonResponse(model()),
    })
    await user.click(within(row).getByRole('button', { name: 'Deploy Iris segments as a web service' }))
    const dialog = screen.getByRole('dialog', { name: 'Deploy as web service' })
    expect(within(dialog).getByLabelText('Service name')).toHaveValue('Iris segments service')
    await user.click(within(dialog).getByRole('checkbox', { name: /Return the input columns/ }))
    await user.click(within(dialog).getByRole('button', { name: 'Deploy' }))
    expect(JSON.parse(String(calls(fetchMock, 'POST', '/api/services')[0][1]?.body))).toEqual({ model_id: 'm-1', name: 'Iris segments service', append: true })

    expect(await screen.findByTestId('service-name')).toHaveTextContent('Iris segments service')
    expect(router.state.location.pathname).toBe('/services/s-1')
    expect(screen.getByRole('alert')).toHaveTextContent('Copy these keys now: you will not see them again.')
    expect(screen.getByTestId('service-key-primary-value')).toHaveValue('csk_AAAAfirst-secret')
    expect(screen.getByTestId('service-key-secondary-value')).toHaveValue('csk_BBBBsecond-secret')
    // The navigation state that carried them is gone: a reload or coming back shows the hints only.
    await waitFor(() => expect(router.state.location.state).toBeNull())
    await user.click(screen.getByRole('button', { name: 'I have copied them' }))
    expect(screen.queryByTestId('service-key-primary-value')).toBeNull()
    expect(screen.getByTestId('service-key-primary')).toHaveTextContent('csk_AAAA')
  })
})
