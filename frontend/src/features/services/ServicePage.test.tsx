import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { BatchJob, Service } from '../../api/services'
import { jsonResponse, stubFetch, type RouteHandler } from '../../test/fixtures'
import { renderApp } from '../../test/renderApp'

const service = (over: Partial<Service> = {}): Service => ({
  id: 's-1',
  name: 'Iris scoring',
  model_id: 'm-1',
  model_name: 'Iris segments',
  append: false,
  enabled: true,
  score_url: 'http://studio.example/api/services/s-1/score',
  batch_url: 'http://studio.example/api/services/s-1/batch',
  primary_key_hint: 'csk_AAAA',
  secondary_key_hint: 'csk_BBBB',
  created_at: new Date(Date.now() - 86_400_000 * 3).toISOString(),
  input_columns: [
    { name: 'sepal_length', type: 'number' },
    { name: 'petal_length', type: 'number' },
  ],
  output_columns: ['Assignments', 'DistancesToClusterCenter no.0', 'DistancesToClusterCenter no.1'],
  ...over,
})

function routes(extra: Record<string, RouteHandler> = {}): Record<string, RouteHandler> {
  return {
    '/api/auth/me': () => jsonResponse({ id: 1, username: 'ada' }),
    'GET /api/services/s-1': () => jsonResponse(service()),
    'GET /api/models/m-1': () =>
      jsonResponse({
        id: 'm-1',
        feature_columns: [],
        summary: { features: ['sepal_length', 'petal_length'], normalization: { min: [4.3, 1], scale: [3.6, 5.9] }, centroids: [[0.7072649572649572, 0.797]] },
      }),
    'GET /api/services/s-1/batch': () => jsonResponse({ data: [], count: 0 }),
    '/api/services/s-1/usage': () => jsonResponse({ data: [], count: 0 }),
    ...extra,
  }
}

async function openService(extra?: Record<string, RouteHandler>) {
  const fetchMock = stubFetch(routes(extra))
  const user = userEvent.setup()
  const view = renderApp('/services/s-1')
  await screen.findByTestId('service-name')
  return { ...view, user, fetchMock }
}

describe('a web service’s page', () => {
  it('shows status, key hints only, the request and answer with the model’s columns, and samples with a key placeholder', async () => {
    await openService()
    expect(screen.getByTestId('service-name')).toHaveTextContent('Iris scoring')
    expect(screen.getByText('Iris segments')).toHaveAttribute('href', '/models')
    expect(screen.getByTestId('service-status')).toHaveTextContent('Enabled')
    expect(screen.getByTestId('service-key-primary')).toHaveTextContent('csk_AAAA')
    expect(screen.queryByTestId('service-key-primary-value')).toBeNull()
    expect(screen.getByTestId('score-url')).toHaveTextContent('http://studio.example/api/services/s-1/score')
    expect(within(screen.getByRole('table', { name: 'Input columns' })).getAllByRole('row').map((r) => r.textContent)).toEqual([
      'Input columnType',
      'sepal_lengthnumber',
      'petal_lengthnumber',
    ])
    expect(screen.getByRole('table', { name: 'Answer columns' })).toHaveTextContent('AssignmentsThe cluster the row belongs to')
    expect(screen.getByLabelText('Request body')).toHaveTextContent('"columns": ["sepal_length", "petal_length"]')

    const python = screen.getByTestId('sample-python')
    expect(python).toHaveTextContent('SCORE_URL = "http://studio.example/api/services/s-1/score"')
    expect(python).toHaveTextContent('API_KEY = "<YOUR_KEY>"')
    // The example row is the model's first centre, in the data's units; the test form starts with it too.
    await waitFor(() => expect(python).toHaveTextContent('[6.846, 5.702],'))
    expect(screen.getByLabelText('Row 1 sepal_length')).toHaveValue('6.846')
    const user = userEvent.setup()
    await user.click(screen.getByRole('tab', { name: 'curl' }))
    expect(screen.getByTestId('sample-curl')).toHaveTextContent("-H 'Authorization: Bearer <YOUR_KEY>'")
    await user.click(screen.getByRole('tab', { name: 'JavaScript' }))
    expect(screen.getByTestId('sample-javascript')).toHaveTextContent('await fetch(SCORE_URL')
  })

  it('turns the service off and on', async () => {
    const patches: unknown[] = []
    const { user } = await openService({
      'PATCH /api/services/s-1': ({ json }) => {
        patches.push(json)
        return jsonResponse(service(json as Partial<Service>))
      },
    })
    await user.click(screen.getByRole('switch', { name: 'Enabled' }))
    await waitFor(() => expect(screen.getByTestId('service-status')).toHaveTextContent('Disabled'))
    expect(screen.getByText(/every scoring request gets 403/)).toBeInTheDocument()
    expect(patches).toEqual([{ enabled: false }])
  })

  it('regenerates the primary key after asking, and shows the new one once, in the samples too', async () => {
    const { user, fetchMock } = await openService({
      'POST /api/services/s-1/keys/primary': () => jsonResponse({ ...service(), primary_key: 'csk_CCCCnew-secret', secondary_key: null, primary_key_hint: 'csk_CCCC' }),
    })
    await user.click(screen.getByRole('button', { name: 'Regenerate the primary key' }))
    const dialog = screen.getByRole('dialog', { name: 'Regenerate the primary key?' })
    expect(dialog).toHaveTextContent('The secondary key keeps working')
    await user.click(within(dialog).getByRole('button', { name: 'Regenerate primary key' }))
    expect(await screen.findByTestId('service-key-primary-value')).toHaveValue('csk_CCCCnew-secret')
    expect(screen.queryByTestId('service-key-secondary-value')).toBeNull()
    expect(screen.getByRole('alert')).toHaveTextContent('Copy this key now: you will not see it again.')
    expect(screen.getByTestId('sample-python')).toHaveTextContent('API_KEY = "csk_CCCCnew-secret"')
    expect(fetchMock.mock.calls.some(([url, init]) => url === '/api/services/s-1/keys/primary' && init?.method === 'POST')).toBe(true)
    await user.click(screen.getByRole('button', { name: 'I have copied it' }))
    expect(screen.getByTestId('service-key-primary')).toHaveTextContent('csk_CCCC')
  })

  it('scores rows typed in the grid or pasted as CSV with the pasted key, and shows the service’s complaint', async () => {
    const sent: { auth: string | null; body: unknown }[] = []
    const { user } = await openService({
      'POST /api/services/s-1/score': (init) => {
        const headers = new Headers(init.headers)
        sent.push({ auth: headers.get('Authorization'), body: init.json })
        const data = (init.json as { dataframe_split: { data: unknown[][] } }).dataframe_split.data
        if (data.some((row) => typeof row[0] !== 'number')) return jsonResponse({ detail: "Row 1, column 'sepal_length': 'abc' is not a number" }, 400)
        return jsonResponse({
          dataframe_split: { columns: ['Assignments', 'DistancesToClusterCenter no.0'], data: data.map((_row, i) => [i + 1, 0.123456789]) },
        })
      },
    })
    await user.click(screen.getByRole('button', { name: 'Score' }))
    expect(await screen.findByText('Paste one of the service’s keys first.')).toBeInTheDocument()

    await user.type(screen.getByLabelText('Service key for the test'), 'csk_AAAAsecret')
    fireEvent.change(screen.getByLabelText('Row 1 sepal_length'), { target: { value: '5.1' } })
    fireEvent.change(screen.getByLabelText('Row 1 petal_length'), { target: { value: '1.4' } })
    await user.click(screen.getByRole('button', { name: 'Add row' }))
    fireEvent.change(screen.getByLabelText('Row 2 sepal_length'), { target: { value: '6.7' } })
    fireEvent.change(screen.getByLabelText('Row 2 petal_length'), { target: { value: '5.2' } })
    await user.click(screen.getByRole('button', { name: 'Score' }))
    const result = await screen.findByRole('table', { name: 'Assignments' })
    expect(within(result).getAllByRole('row').map((r) => r.textContent)).toEqual(['AssignmentsDistancesToClusterCenter no.0', '10.12346', '20.12346'])
    expect(sent.at(-1)).toEqual({
      auth: 'Bearer csk_AAAAsecret',
      body: { dataframe_split: { columns: ['sepal_length', 'petal_length'], data: [[5.1, 1.4], [6.7, 5.2]] } },
    })

    await user.click(screen.getByRole('tab', { name: 'Paste CSV' }))
    fireEvent.change(screen.getByLabelText('Rows as CSV'), { target: { value: 'petal_length,sepal_length\n1.5,abc\n' } })
    await user.click(screen.getByRole('button', { name: 'Score' }))
    expect(await screen.findByRole('alert')).toHaveTextContent("400: Row 1, column 'sepal_length': 'abc' is not a number")
    expect(sent.at(-1)?.body).toEqual({ dataframe_split: { columns: ['sepal_length', 'petal_length'], data: [['abc', 1.5]] } })
  })

  it('starts a batch job from a file, follows it, and offers the result for download', async () => {
    let jobs: BatchJob[] = []
    const uploads: FormData[] = []
    const { user } = await openService({
      'GET /api/services/s-1/batch': () => {
        const answer = jsonResponse({ data: jobs, count: jobs.length })
        // Each look moves the job on: running at 40 %, then done.
        jobs = jobs.map((job) => (job.status === 'queued' ? { ...job, status: 'running', progress: 0.4 } : { ...job, status: 'succeeded', progress: 1, n_rows: 75 }))
        return answer
      },
      'POST /api/services/s-1/batch': (init) => {
        uploads.push(init.body as FormData)
        jobs = [
          {
            id: 'j-1',
            service_id: 's-1',
            status: 'queued',
            progress: 0,
            source: 'upload',
            input_name: 'new.csv',
            submitted_by: 'owner',
            n_rows: null,
            error: null,
            result_url: null,
            created_at: new Date().toISOString(),
            started_at: null,
            finished_at: null,
          },
        ]
        return jsonResponse(jobs[0], 202)
      },
    })
    expect(await screen.findByText(/No batch job yet/)).toBeInTheDocument()
    await user.upload(screen.getByTestId('batch-file-input'), new File(['sepal_length,petal_length\n5.1,1.4\n'], 'new.csv', { type: 'text/csv' }))
    expect((uploads[0].get('file') as File).name).toBe('new.csv')
    const row = await screen.findByTestId('batch-job-j-1')
    await waitFor(() => expect(within(row).getByRole('link', { name: 'CSV' })).toHaveAttribute('href', '/api/services/s-1/batch/j-1/result'))
    expect(within(row).getByRole('link', { name: 'Parquet' })).toHaveAttribute('href', '/api/services/s-1/batch/j-1/result?format=parquet')
    expect(row).toHaveTextContent('new.csv')
    expect(row).toHaveTextContent('Succeeded')
    expect(row).toHaveTextContent('75')
  })

  it('shows the usage per hour: totals over the last 24 hours, bars and the table', async () => {
    const hourAgo = (n: number) => new Date((Math.floor(Date.now() / 3_600_000) - n) * 3_600_000).toISOString()
    await openService({
      '/api/services/s-1/usage': () =>
        jsonResponse({
          data: [
            { hour: hourAgo(30), requests: 1000, rows: 1000, errors: 0, p50_ms: 2, p95_ms: 3 },
            { hour: hourAgo(2), requests: 120, rows: 4000, errors: 3, p50_ms: 2.4, p95_ms: 8.1 },
            { hour: hourAgo(1), requests: 80, rows: 80, errors: 0, p50_ms: 1.9, p95_ms: 4.25 },
          ],
          count: 2,
        }),
    })
    const table = await screen.findByRole('table', { name: 'Usage per hour' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows[0]).toHaveTextContent(/80\s*80\s*0\s*1.9 ms\s*4.3 ms$/)
    expect(rows[1]).toHaveTextContent(/120\s*4,000\s*3\s*2.4 ms\s*8.1 ms$/)
    expect(rows).toHaveLength(3)
    const figures = screen.getAllByRole('term').map((term) => `${term.textContent}: ${term.nextElementSibling?.textContent}`)
    expect(figures).toEqual(['Requests: 200', 'Rows scored: 4,080', 'Errors: 3 (1.5 %)', 'p95 latency, latest hour: 4.3 ms'])
    const bars = screen.getByRole('img', { name: 'Requests per hour over the last 24 hours' }).children
    expect(bars).toHaveLength(24)
    expect([...bars].filter((bar) => bar.children.length > 0)).toHaveLength(2)
  })

  it('says when the service does not exist', async () => {
    stubFetch(routes({ 'GET /api/services/s-1': () => jsonResponse({ detail: 'Service not found' }, 404) }))
    renderApp('/services/s-1')
    expect(await screen.findByRole('heading', { name: 'Service not found' })).toBeInTheDocument()
  })

  it('is listed on the services page with its model, status and scoring URL', async () => {
    stubFetch(routes({ 'GET /api/services': () => jsonResponse({ data: [service(), service({ id: 's-2', name: 'Old one', enabled: false })], count: 2 }) }))
    renderApp('/services')
    const row = await screen.findByTestId('service-row-s-1')
    expect(within(row).getByRole('link', { name: 'Iris scoring' })).toHaveAttribute('href', '/services/s-1')
    expect(row).toHaveTextContent('Serves Iris segments')
    expect(row).toHaveTextContent('Enabled')
    expect(row).toHaveTextContent('http://studio.example/api/services/s-1/score')
    expect(screen.getByTestId('service-row-s-2')).toHaveTextContent('Disabled')
    expect(screen.getByRole('heading', { level: 1, name: 'Web services' })).toBeInTheDocument()
  })

  it('points to the models when there is no service yet', async () => {
    stubFetch(routes({ 'GET /api/services': () => jsonResponse({ data: [], count: 0 }) }))
    renderApp('/services')
    expect(await screen.findByText('No web services yet')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Go to trained models' })).toHaveAttribute('href', '/models')
  })
})
