import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Experiment } from '../api/types'
import { jsonResponse, stubFetch } from '../test/fixtures'
import { renderApp } from '../test/renderApp'

const health = () => jsonResponse({ status: 'ok', version: '0.1.0', database: 'sqlite' })
const me = () => jsonResponse({ id: 1, username: 'ada' })

const experiment = (over: Partial<Experiment> = {}): Experiment => ({
  id: 3,
  name: 'Iris clusters',
  description: '',
  graph: { nodes: [], edges: [] },
  version: 4,
  owner: { id: 1, username: 'ada' },
  created_at: '2026-01-01T10:00:00Z',
  updated_at: new Date(Date.now() - 5 * 60_000).toISOString(),
  last_run: { id: 9, status: 'succeeded', created_at: new Date(Date.now() - 3 * 60_000).toISOString() },
  ...over,
})

describe('accounts and the experiments list', () => {
  it('sends a visitor who is not signed in to the sign-in page', async () => {
    stubFetch({ '/api/auth/me': () => jsonResponse({ detail: 'Not signed in' }, 401) })
    const { router } = renderApp('/experiments/3')
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/signin')
    expect(router.state.location.search).toBe('?next=%2Fexperiments%2F3')
  })

  it('signs in and goes back where the user was heading', async () => {
    let signedIn = false
    stubFetch({
      '/api/auth/me': () => (signedIn ? me() : jsonResponse({ detail: 'Not signed in' }, 401)),
      'POST /api/auth/login': ({ json }) => {
        const body = json as { username: string; password: string }
        if (body.password !== 'violet kettle orbit') return jsonResponse({ detail: 'Wrong username or password' }, 401)
        signedIn = true
        return jsonResponse({ access_token: 't', token_type: 'bearer', user: { id: 1, username: body.username } })
      },
      '/api/experiments': () => jsonResponse({ data: [], count: 0 }),
    })
    const user = userEvent.setup()
    const { router } = renderApp('/signin?next=%2F')
    await user.type(await screen.findByLabelText('Username'), 'ada')
    await user.type(screen.getByLabelText('Password'), 'wrong password')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password')
    await user.clear(screen.getByLabelText('Password'))
    await user.type(screen.getByLabelText('Password'), 'violet kettle orbit')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('heading', { name: 'Experiments' })).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/')
    expect(await screen.findByText('No experiments yet')).toBeInTheDocument()
  })

  it('checks the sign-up form before sending it', async () => {
    stubFetch({ '/api/auth/me': () => jsonResponse({ detail: 'Not signed in' }, 401) })
    const user = userEvent.setup()
    renderApp('/signup')
    await user.type(await screen.findByLabelText('Username'), 'ada')
    await user.type(screen.getByLabelText('Password'), 'short')
    expect(screen.getByText('At least 8 characters')).toHaveClass('field-error')
  })

  it('lists experiments with their last save and last run, and a new one opens the editor', async () => {
    const created: unknown[] = []
    stubFetch({
      '/api/auth/me': me,
      '/api/health': health,
      'GET /api/experiments': () => jsonResponse({ data: [experiment(), experiment({ id: 4, name: 'Wine', last_run: null })], count: 2 }),
      'POST /api/experiments': ({ json }) => {
        created.push(json)
        return jsonResponse(experiment({ id: 12, name: 'Untitled experiment' }), 201)
      },
    })
    const user = userEvent.setup()
    const { router } = renderApp('/')
    const row = await screen.findByTestId('experiment-row-3')
    expect(within(row).getByRole('link', { name: 'Iris clusters' })).toHaveAttribute('href', '/experiments/3')
    expect(row).toHaveTextContent('5 min ago')
    expect(row).toHaveTextContent('Succeeded')
    expect(screen.getByTestId('experiment-row-4')).toHaveTextContent('Never run')
    await user.click(screen.getByRole('button', { name: 'New experiment' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/experiments/12'))
    expect(created).toEqual([{ name: 'Untitled experiment', description: '', graph: { nodes: [], edges: [] } }])
  })

  it('renames and deletes from the list', async () => {
    const calls: string[] = []
    stubFetch({
      '/api/auth/me': me,
      'GET /api/experiments': () => jsonResponse({ data: [experiment()], count: 1 }),
      'PUT /api/experiments/3': ({ json }) => {
        calls.push(`PUT ${JSON.stringify(json)}`)
        return jsonResponse(experiment({ name: 'Renamed', version: 5 }))
      },
      'DELETE /api/experiments/3': () => {
        calls.push('DELETE')
        return new Response(null, { status: 204 })
      },
    })
    const user = userEvent.setup()
    renderApp('/')
    await user.click(await screen.findByRole('button', { name: 'Rename Iris clusters' }))
    const input = screen.getByLabelText('New name for Iris clusters')
    await user.clear(input)
    await user.type(input, 'Renamed{Enter}')
    await waitFor(() => expect(calls).toContain('PUT {"name":"Renamed","version":4}'))
    await user.click(screen.getByRole('button', { name: 'Delete Iris clusters' }))
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete experiment' }))
    await waitFor(() => expect(calls).toContain('DELETE'))
  })

  it('shows a not-found page for unknown addresses', () => {
    stubFetch({ '/api/auth/me': me })
    renderApp('/no/such/page')
    expect(screen.getByRole('heading', { name: 'This page does not exist' })).toBeInTheDocument()
  })
})
