import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { jsonResponse, sampleCatalogue, stubFetch } from '../test/fixtures'
import { AppRoutes } from './routes'

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <AppRoutes />
    </MemoryRouter>,
  )
}

const health = () => jsonResponse({ status: 'ok', version: '0.1.0', database: 'sqlite' })

describe('app shell', () => {
  it('renders the header, the three panels and the status bar', async () => {
    stubFetch({ '/api/health': health })
    const { container } = renderAt('/')

    expect(screen.getByRole('banner')).toHaveTextContent('Cluster Studio')
    expect(screen.getByTestId('experiment-name')).toHaveTextContent('Untitled experiment')
    expect(screen.getByRole('complementary', { name: 'Module palette' })).toBeInTheDocument()
    expect(screen.getByRole('heading', { name: 'Modules' })).toBeInTheDocument()
    expect(screen.getByRole('searchbox', { name: 'Search modules' })).toBeInTheDocument()
    expect(screen.getByRole('region', { name: 'Experiment canvas' })).toBeInTheDocument()
    expect(container.querySelector('.react-flow')).not.toBeNull()
    expect(container.querySelector('.react-flow__minimap')).not.toBeNull()
    expect(container.querySelector('.react-flow__controls')).not.toBeNull()
    expect(container.querySelector('.react-flow__background')).not.toBeNull()
    const properties = screen.getByRole('complementary', { name: 'Properties' })
    expect(within(properties).getByText('Select a module to see its properties')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Run' })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Save' })).toBeInTheDocument()

    // The backend's health shows in the status bar; /api/modules 404s and the palette says so calmly.
    expect(await screen.findByText('Server connected')).toBeInTheDocument()
    expect(screen.getByText('v0.1.0 · SQLite')).toBeInTheDocument()
    expect(await screen.findByText('No module catalogue yet')).toBeInTheDocument()
  })

  it('lists the catalogue grouped by category with a test id per entry', async () => {
    stubFetch({ '/api/health': health, '/api/modules': () => jsonResponse(sampleCatalogue) })
    const { container } = renderAt('/')

    expect(await screen.findByTestId('palette-item-kmeans_clustering')).toHaveTextContent('K-Means Clustering')
    for (const module of sampleCatalogue) {
      expect(screen.getByTestId(`palette-item-${module.id}`)).toHaveAttribute('draggable', 'true')
    }
    const groups = [...container.querySelectorAll('.palette-group')].map((el) => el.getAttribute('data-category'))
    expect(groups[0]).toBe('Saved Datasets')
    expect(groups).toContain('Machine Learning / Train')
    const train = container.querySelector('[data-category="Machine Learning / Train"]') as HTMLElement
    expect(within(train).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Sweep Clustering',
      'Train Clustering Model',
    ])
  })

  it('filters the palette from the search box, focused with "/"', async () => {
    stubFetch({ '/api/health': health, '/api/modules': () => jsonResponse(sampleCatalogue) })
    const user = userEvent.setup()
    renderAt('/')
    await screen.findByTestId('palette-item-kmeans_clustering')

    await user.keyboard('/')
    const search = screen.getByRole('searchbox', { name: 'Search modules' })
    expect(search).toHaveFocus()
    await user.keyboard('assign')
    expect(screen.getByTestId('palette-item-assign_data_to_clusters')).toBeInTheDocument()
    expect(screen.queryByTestId('palette-item-kmeans_clustering')).toBeNull()

    await user.clear(search)
    await user.type(search, 'zzz')
    expect(screen.getByText('Nothing found')).toBeInTheDocument()
  })

  it('adds a module to the canvas and shows its properties', async () => {
    stubFetch({ '/api/health': health, '/api/modules': () => jsonResponse(sampleCatalogue) })
    const user = userEvent.setup()
    const { container } = renderAt('/')
    await user.dblClick(await screen.findByTestId('palette-item-kmeans_clustering'))

    const node = container.querySelector('.react-flow__node[data-module="kmeans_clustering"]')
    expect(node).not.toBeNull()
    expect(node).toHaveAttribute('data-status', 'idle')
    const properties = screen.getByRole('complementary', { name: 'Properties' })
    expect(await within(properties).findByRole('heading', { name: 'K-Means Clustering' })).toBeInTheDocument()
    expect(within(properties).getByText('Number of Centroids')).toBeInTheDocument()
    expect(screen.getByText('1 module')).toBeInTheDocument()
  })

  it('routes a deep link to the editor', async () => {
    stubFetch({ '/api/health': health })
    const { container } = renderAt('/experiments/42')
    expect(screen.getByTestId('editor')).toBeInTheDocument()
    expect(screen.getByTestId('experiment-name')).toHaveTextContent('Experiment 42')
    expect(container.querySelector('.react-flow')).not.toBeNull()
    await screen.findByText('Server connected')
  })

  it('keeps working when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    renderAt('/')
    expect(await screen.findByText('Server unreachable')).toBeInTheDocument()
    expect(await screen.findByText('Modules could not be loaded')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument()
  })

  it('asks to sign in when the catalogue needs a signed-in user', async () => {
    stubFetch({ '/api/health': health, '/api/modules': () => jsonResponse({ detail: 'Not signed in' }, 401) })
    renderAt('/')
    expect(await screen.findByText('Sign in to see modules')).toBeInTheDocument()
  })

  it('shows a not-found page for unknown addresses', () => {
    stubFetch({})
    renderAt('/no/such/page')
    expect(screen.getByRole('heading', { name: 'This page does not exist' })).toBeInTheDocument()
  })
})
