import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Experiment, GalleryEntry, Graph, PublicExperiment, Share } from '../../api/types'
import { catalogue, jsonResponse, stubFetch, type RouteHandler } from '../../test/fixtures'
import { renderApp } from '../../test/renderApp'

const graph: Graph = {
  nodes: [
    { id: 'data', module: 'dataset', params: { dataset_id: 'ds-ada' }, position: { x: 0, y: 0 }, comment: '' },
    { id: 'km', module: 'kmeans_clustering', params: { n_clusters: 3 }, position: { x: 0, y: 160 }, comment: '' },
  ],
  edges: [],
}
const ada = { id: 1, username: 'ada' }
const bob = { id: 2, username: 'bob' }

const experiment = (over: Partial<Experiment> = {}): Experiment => ({
  id: 3,
  name: 'Iris clusters',
  description: '',
  graph,
  version: 4,
  owner: ada,
  my_role: 'owner',
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:00Z',
  last_run: null,
  ...over,
})

const flowers = { id: 'ds-ada', name: 'flowers', n_rows: 150, n_columns: 5, size_bytes: 4000, created_at: null, columns: [{ name: 'sepal_length', type: 'numeric' }] }

function editorRoutes(me: typeof ada, exp: Experiment, extra: Record<string, RouteHandler> = {}): Record<string, RouteHandler> {
  return {
    '/api/auth/me': () => jsonResponse(me),
    '/api/health': () => jsonResponse({ status: 'ok', version: '0.1.0', database: 'sqlite' }),
    '/api/modules': () => jsonResponse(catalogue),
    // Bob's own list does not have Ada's dataset; it is readable one by one through the share.
    '/api/datasets': () => jsonResponse(me.id === ada.id ? [flowers] : []),
    '/api/datasets/ds-ada': () => jsonResponse(flowers),
    'GET /api/experiments/3': () => jsonResponse(exp),
    '/api/experiments/3/runs': () => jsonResponse([]),
    'POST /api/graphs/validate': () => jsonResponse({ valid: true, errors: [], warnings: [] }),
    ...extra,
  }
}

async function openEditor(routes: Record<string, RouteHandler>) {
  const fetchMock = stubFetch(routes)
  const user = userEvent.setup()
  const view = renderApp('/experiments/3')
  await waitFor(() => expect(view.container.querySelectorAll('.react-flow__node')).toHaveLength(2))
  return { ...view, user, fetchMock }
}

describe('read-only mode for a viewer', () => {
  it('disables every editing control, says why, and keeps outputs and Save a copy', async () => {
    const cloned: unknown[] = []
    const { container, user, router } = await openEditor(
      editorRoutes(bob, experiment({ my_role: 'viewer' }), {
        'POST /api/experiments/3/clone': ({ json }) => {
          cloned.push(json)
          return jsonResponse(experiment({ id: 12, name: 'Iris clusters (copy)', owner: bob, my_role: 'owner' }), 201)
        },
      }),
    )
    const banner = screen.getByTestId('readonly-share-banner')
    expect(banner).toHaveTextContent('Shared by ada · you can view')
    for (const name of ['Save', 'Run', 'Undo', 'Redo', 'Auto-layout']) expect(screen.getByRole('button', { name })).toBeDisabled()
    expect(screen.queryByRole('button', { name: 'Share' })).not.toBeInTheDocument()
    // Why, in a tooltip on the wrapper (a disabled button gets no hover in every browser).
    expect(screen.getByRole('button', { name: 'Save' }).closest('.disabled-reason')).toHaveAttribute('title', expect.stringMatching(/^View only: ada shared this with you/))
    expect(screen.getByRole('button', { name: 'Run' })).toHaveAttribute('title', expect.stringMatching(/^View only/))
    // The name cannot be changed; the palette cannot be dragged from.
    expect(screen.getByTestId('experiment-name')).toBeDisabled()
    expect(await screen.findByTestId('palette-item-kmeans_clustering')).toHaveAttribute('draggable', 'false')
    // The shared dataset is named, though it is not in Bob's own list.
    await waitFor(() => expect(container.querySelector('.react-flow__node[data-module="dataset"]')).toHaveTextContent('flowers150 rows × 5 columns'))
    // Parameters are read-only.
    fireEvent.click(container.querySelector('.react-flow__node[data-module="kmeans_clustering"]') as HTMLElement)
    expect(await screen.findByLabelText('Number of Centroids')).toBeDisabled()
    expect(screen.getByRole('button', { name: 'Run selected' })).toBeDisabled()
    // Delete does nothing.
    await user.keyboard('{Delete}')
    expect(container.querySelectorAll('.react-flow__node')).toHaveLength(2)
    expect(screen.getByTestId('save-state')).toHaveTextContent('Saved')
    expect(screen.getByText('Read-only')).toBeInTheDocument()

    await user.click(within(banner).getByRole('button', { name: 'Save a copy' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/experiments/12'))
    expect(cloned).toEqual([{ name: 'Iris clusters (copy)' }])
  })

  it('lets an editor save and run, with a small note of whose it is', async () => {
    await openEditor(editorRoutes(bob, experiment({ my_role: 'editor' })))
    expect(screen.getByTestId('shared-note')).toHaveTextContent('Shared by ada · you can edit')
    expect(screen.queryByTestId('readonly-share-banner')).not.toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Run' })).toBeEnabled()
    expect(screen.getByRole('button', { name: 'Save' }).closest('.disabled-reason')).toBeNull()
    expect(screen.queryByRole('button', { name: 'Share' })).not.toBeInTheDocument()
  })
})

describe('the Share dialog', () => {
  it('adds, changes and revokes shares, and turns the read-only link on and off', async () => {
    let shares: Share[] = []
    let link: { token: string; url: string } | null = null
    const calls: string[] = []
    const { user } = await openEditor(
      editorRoutes(ada, experiment(), {
        'GET /api/experiments/3/shares': () => jsonResponse(shares),
        'POST /api/experiments/3/shares': ({ json }) => {
          const body = json as { username: string; role: 'viewer' | 'editor' }
          calls.push(`share ${body.username} ${body.role}`)
          if (body.username !== 'bob') return jsonResponse({ detail: `No user is called '${body.username}'` }, 404)
          const saved = { user: bob, role: body.role }
          shares = [saved]
          return jsonResponse(saved)
        },
        'DELETE /api/experiments/3/shares/2': () => {
          calls.push('revoke 2')
          shares = []
          return new Response(null, { status: 204 })
        },
        'GET /api/experiments/3/link': () => jsonResponse(link),
        'POST /api/experiments/3/link': () => {
          calls.push('link on')
          link = { token: 'tok123', url: 'http://studio.test/shared/tok123' }
          return jsonResponse(link)
        },
        'DELETE /api/experiments/3/link': () => {
          calls.push('link off')
          link = null
          return new Response(null, { status: 204 })
        },
      }),
    )
    await user.click(screen.getByRole('button', { name: 'Share' }))
    const dialog = await screen.findByRole('dialog', { name: 'Share' })
    expect(await within(dialog).findByText('Only you can open this experiment.')).toBeInTheDocument()

    // Unknown user: the server's 404 in words.
    await user.type(within(dialog).getByLabelText('Username to share with'), 'nobody')
    await user.click(within(dialog).getByRole('button', { name: 'Share' }))
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('No user is called “nobody”')
    // The owner is refused before asking.
    await user.clear(within(dialog).getByLabelText('Username to share with'))
    await user.type(within(dialog).getByLabelText('Username to share with'), 'ada{Enter}')
    expect(within(dialog).getByRole('alert')).toHaveTextContent('You own this experiment already')

    await user.clear(within(dialog).getByLabelText('Username to share with'))
    await user.type(within(dialog).getByLabelText('Username to share with'), 'bob')
    await user.click(within(dialog).getByRole('button', { name: 'Share' }))
    const row = await within(dialog).findByTestId('share-row-bob')
    expect(within(row).getByLabelText('Role of bob')).toHaveValue('viewer')
    expect(within(dialog).getByLabelText('Username to share with')).toHaveValue('')

    await user.selectOptions(within(row).getByLabelText('Role of bob'), 'editor')
    await waitFor(() => expect(within(row).getByLabelText('Role of bob')).toHaveValue('editor'))
    expect(await screen.findByText('bob can now edit (was viewer)')).toBeInTheDocument()

    await user.click(within(row).getByRole('button', { name: 'Remove bob' }))
    await waitFor(() => expect(within(dialog).queryByTestId('share-row-bob')).not.toBeInTheDocument())

    const toggle = within(dialog).getByRole('switch', { name: 'Read-only link' })
    expect(toggle).toHaveAttribute('aria-checked', 'false')
    await user.click(toggle)
    expect(await within(dialog).findByLabelText('Link address')).toHaveValue('http://studio.test/shared/tok123')
    expect(toggle).toHaveAttribute('aria-checked', 'true')
    await user.click(toggle)
    await waitFor(() => expect(within(dialog).queryByLabelText('Link address')).not.toBeInTheDocument())
    expect(calls).toEqual(['share nobody viewer', 'share bob viewer', 'share bob editor', 'revoke 2', 'link on', 'link off'])
  })

  it('publishes with a live, inert preview, then updates and unpublishes', async () => {
    let entry: GalleryEntry | null = null
    const bodies: unknown[] = []
    const { user } = await openEditor(
      editorRoutes(ada, experiment(), {
        'GET /api/experiments/3/shares': () => jsonResponse([]),
        'GET /api/experiments/3/link': () => jsonResponse(null),
        'GET /api/experiments/3/publish': () => jsonResponse(entry),
        'POST /api/experiments/3/publish': ({ json }) => {
          bodies.push(json)
          const body = json as { title: string; summary_markdown: string; tags: string[] }
          entry = { id: 3, owner: ada, published_at: new Date().toISOString(), experiment_name: 'Iris clusters', ...body, tags: [...body.tags].sort() }
          return jsonResponse(entry)
        },
        'DELETE /api/experiments/3/publish': () => {
          entry = null
          return new Response(null, { status: 204 })
        },
      }),
    )
    await user.click(screen.getByRole('button', { name: 'Share' }))
    const dialog = await screen.findByRole('dialog', { name: 'Share' })
    await user.click(within(dialog).getByRole('tab', { name: 'Publish to gallery' }))
    expect(await within(dialog).findByTestId('publish-status')).toHaveTextContent('Not published')
    expect(within(dialog).getByLabelText('Title')).toHaveValue('Iris clusters')

    await user.clear(within(dialog).getByLabelText('Title'))
    await user.click(within(dialog).getByRole('button', { name: 'Publish' }))
    expect(within(dialog).getByRole('alert')).toHaveTextContent('Give it a title')
    expect(bodies).toEqual([])

    await user.type(within(dialog).getByLabelText('Title'), 'Iris in three clusters')
    await user.type(within(dialog).getByLabelText('Tags'), 'k-means, iris, Iris')
    expect(within(dialog).getAllByText(/^(k-means|iris)$/)).toHaveLength(2)
    fireEvent.change(within(dialog).getByLabelText(/^Summary/), {
      target: { value: '**Three** clusters <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> [click](javascript:window.__pwned=3)' },
    })
    const preview = within(dialog).getByTestId('summary-preview')
    expect(preview.querySelector('strong')).toHaveTextContent('Three')
    expect(preview.querySelectorAll('script, img, a')).toHaveLength(0)
    expect(preview).toHaveTextContent('click')

    await user.click(within(dialog).getByRole('button', { name: 'Publish' }))
    await waitFor(() => expect(within(dialog).getByTestId('publish-status')).toHaveTextContent('In the gallery since'))
    expect(bodies[0]).toMatchObject({ title: 'Iris in three clusters', tags: ['k-means', 'iris'] })
    expect(within(dialog).getByRole('link', { name: 'View entry' })).toHaveAttribute('href', '/gallery/3')

    await user.click(within(dialog).getByRole('button', { name: 'Update' }))
    await waitFor(() => expect(bodies).toHaveLength(2))
    await user.click(within(dialog).getByRole('button', { name: 'Unpublish' }))
    await waitFor(() => expect(within(dialog).getByTestId('publish-status')).toHaveTextContent('Not published'))
  })
})

describe('the experiments list', () => {
  it('marks shared experiments and offers rename and delete only to owners', async () => {
    stubFetch({
      '/api/auth/me': () => jsonResponse(bob),
      'GET /api/experiments': () =>
        jsonResponse({
          data: [experiment({ id: 3, my_role: 'viewer' }), experiment({ id: 4, name: 'Wine', my_role: 'editor' }), experiment({ id: 5, name: 'Mine', owner: bob, my_role: 'owner' })],
          count: 3,
        }),
    })
    renderApp('/')
    const viewerRow = await screen.findByTestId('experiment-row-3')
    expect(within(viewerRow).getByTestId('role-badge')).toHaveTextContent('Viewer')
    expect(within(viewerRow).getByTestId('shared-by')).toHaveTextContent('Shared by ada')
    expect(within(viewerRow).queryByRole('button', { name: /^(Rename|Delete) / })).not.toBeInTheDocument()
    expect(within(viewerRow).getByRole('button', { name: 'Save Iris clusters as…' })).toBeInTheDocument()
    expect(within(screen.getByTestId('experiment-row-4')).getByTestId('role-badge')).toHaveTextContent('Editor')
    const mine = screen.getByTestId('experiment-row-5')
    expect(within(mine).queryByTestId('role-badge')).not.toBeInTheDocument()
    expect(within(mine).getByRole('button', { name: 'Delete Mine' })).toBeInTheDocument()
    expect(within(mine).getByRole('button', { name: 'Rename Mine' })).toBeInTheDocument()
  })
})

const publicView = (over: Partial<PublicExperiment> = {}): PublicExperiment => ({
  id: 3,
  name: 'Iris clusters',
  description: '',
  graph: {
    nodes: graph.nodes,
    edges: [{ id: 'e1', source: 'km', source_port: 'untrained_model', target: 'data', target_port: 'x' }],
  },
  version: 4,
  owner: ada,
  updated_at: '2026-01-01T10:00:00Z',
  my_role: 'viewer',
  run: {
    id: 9,
    experiment_id: 3,
    experiment_version: 4,
    status: 'succeeded',
    created_at: '2026-01-01T10:00:00Z',
    nodes: {
      km: { node_id: 'km', status: 'succeeded', cached: false, outputs: { untrained_model: 'untrained_cluster_model' } },
      data: { node_id: 'data', status: 'succeeded', cached: false, outputs: { dataset: 'data_table' } },
    },
  },
  output_summaries: { km: { untrained_model: { type: 'untrained_cluster_model', trainer_mode: 'single', n_clusters: 3 } } },
  ...over,
})

describe('the read-only pages, signed out', () => {
  it('shows a linked experiment without a session (graph-made specs when the catalogue is unavailable)', async () => {
    const fetchMock = stubFetch({
      '/api/auth/me': () => jsonResponse({ detail: 'Not signed in' }, 401),
      '/api/health': () => jsonResponse({ status: 'ok', version: '0.1.0', database: 'sqlite' }),
      '/api/public/tok123': () => jsonResponse(publicView()),
    })
    const { container, router } = renderApp('/shared/tok123')
    expect(await screen.findByTestId('readonly-share-banner')).toHaveTextContent('Shared by ada · read-only link')
    await waitFor(() => expect(container.querySelectorAll('.react-flow__node')).toHaveLength(2))
    expect(container.querySelector('.react-flow__node[data-module="kmeans_clustering"]')).toHaveAttribute('data-status', 'succeeded')
    expect(container.querySelector('.react-flow__node[data-module="kmeans_clustering"]')).toHaveTextContent('Kmeans clustering')
    expect(screen.getByTestId('public-run')).toHaveAttribute('data-run-status', 'succeeded')
    expect(screen.getByRole('button', { name: 'Visualize Kmeans clustering Untrained model' })).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/shared/tok123')
    const asked = fetchMock.mock.calls.map(([input]) => String(input))
    expect(asked.some((url) => url.startsWith('/api/datasets'))).toBe(false)
    expect(asked.some((url) => url.startsWith('/api/modules'))).toBe(true)

    // Open in Studio: sign up first, then back here to finish the copy.
    await userEvent.setup().click(screen.getByRole('button', { name: 'Open in Studio' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/signup'))
    expect(router.state.location.search).toBe('?next=%2Fshared%2Ftok123%3Fopen%3D1')
  })

  it('says "not found" for a revoked link', async () => {
    stubFetch({
      '/api/auth/me': () => jsonResponse({ detail: 'Not signed in' }, 401),
      '/api/public/gone': () => jsonResponse({ detail: 'This link does not exist or was revoked' }, 404),
    })
    renderApp('/shared/gone')
    expect(await screen.findByRole('heading', { name: 'This link does not work' })).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Browse the gallery' })).toHaveAttribute('href', '/gallery')
  })

  it('finishes Open in Studio after signing in (?open=1)', async () => {
    const opened: string[] = []
    stubFetch({
      '/api/auth/me': () => jsonResponse(bob),
      '/api/health': () => jsonResponse({ status: 'ok', version: '0.1.0', database: 'sqlite' }),
      '/api/modules': () => jsonResponse(catalogue),
      '/api/gallery/3': () => jsonResponse(publicView()),
      '/api/gallery': () => jsonResponse({ data: [], count: 0 }),
      'POST /api/gallery/3/open': () => {
        opened.push('open')
        return jsonResponse(experiment({ id: 21, owner: bob }), 201)
      },
      'GET /api/experiments/21': () => jsonResponse(experiment({ id: 21, owner: bob })),
      '/api/experiments/21/runs': () => jsonResponse([]),
      '/api/datasets': () => jsonResponse([]),
      'POST /api/graphs/validate': () => jsonResponse({ valid: true, errors: [], warnings: [] }),
    })
    const { router } = renderApp('/gallery/3?open=1')
    await waitFor(() => expect(router.state.location.pathname).toBe('/experiments/21'))
    expect(opened).toEqual(['open'])
  })

  it('lists the gallery with safe excerpts, and filters by tag through the address', async () => {
    const entries: GalleryEntry[] = [
      { id: 3, title: 'Iris in three clusters', tags: ['iris', 'k-means'], summary_markdown: '**Three** <script>x()</script><img src=x onerror=alert(1)> [a](javascript:alert(1))', owner: ada, published_at: '2026-01-01T10:00:00Z', experiment_name: 'Iris' },
      { id: 4, title: 'Wine', tags: ['wine'], summary_markdown: '', owner: bob, published_at: '2026-01-01T10:00:00Z', experiment_name: 'Wine' },
    ]
    stubFetch({
      '/api/auth/me': () => jsonResponse({ detail: 'Not signed in' }, 401),
      '/api/gallery': () => jsonResponse({ data: entries, count: 2 }),
    })
    const user = userEvent.setup()
    const { container, router } = renderApp('/gallery')
    const cards = await screen.findAllByTestId('gallery-card')
    expect(cards).toHaveLength(2)
    expect(within(cards[0]).getByRole('link', { name: 'Iris in three clusters' })).toHaveAttribute('href', '/gallery/3')
    expect(cards[0]).toHaveTextContent('ada')
    expect(container.querySelectorAll('script, img, .gallery-card-summary a')).toHaveLength(0)
    expect(screen.getByRole('link', { name: 'Sign in' })).toBeInTheDocument()
    await user.click(within(screen.getByRole('group', { name: 'Filter by tag' })).getByRole('button', { name: /^wine/ }))
    await waitFor(() => expect(router.state.location.search).toBe('?tag=wine'))
  })
})
