import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { jsonResponse, stubFetch } from '../../test/fixtures'
import { renderApp } from '../../test/renderApp'

const me = () => jsonResponse({ id: 1, username: 'ada' })
const noExperiments = () => jsonResponse({ data: [], count: 0 })
const signedOut = () => jsonResponse({ detail: 'Not signed in' }, 401)
const POLICY =
  'This password is too easy to guess (strength 1 of 4, 3 needed). This is similar to a commonly used password. Add another word or two. Uncommon words are better.'

async function openAccountMenuItem(name: string) {
  const user = userEvent.setup()
  await user.click(await screen.findByRole('button', { name: 'Account: ada' }))
  await user.click(screen.getByRole('menuitem', { name }))
  return user
}

describe('the account menu', () => {
  it('changes the password, showing the server’s policy message when the new one is too easy', async () => {
    const sent: unknown[] = []
    stubFetch({
      '/api/auth/me': me,
      '/api/experiments': noExperiments,
      'POST /api/auth/password': ({ json }) => {
        sent.push(json)
        const body = json as { new_password: string }
        if (body.new_password === 'penguins!') return jsonResponse({ detail: POLICY }, 422)
        return new Response(null, { status: 204 })
      },
    })
    renderApp('/')
    const user = await openAccountMenuItem('Change password')
    const dialog = await screen.findByRole('dialog', { name: 'Change password' })
    await user.type(within(dialog).getByLabelText('Current password'), 'old enough words')
    await user.type(within(dialog).getByLabelText('New password'), 'penguins!')
    await user.type(within(dialog).getByLabelText('Confirm new password'), 'penguins!')
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }))
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(POLICY)

    for (const field of ['New password', 'Confirm new password']) {
      await user.clear(within(dialog).getByLabelText(field))
      await user.type(within(dialog).getByLabelText(field), 'quiet copper falcon')
    }
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
    expect(await screen.findByText('Password changed')).toBeInTheDocument()
    expect(sent).toEqual([
      { current_password: 'old enough words', new_password: 'penguins!' },
      { current_password: 'old enough words', new_password: 'quiet copper falcon' },
    ])
  })

  it('does not send a new password that differs from its confirmation, and says why', async () => {
    const fetchMock = stubFetch({ '/api/auth/me': me, '/api/experiments': noExperiments })
    renderApp('/')
    const user = await openAccountMenuItem('Change password')
    const dialog = await screen.findByRole('dialog', { name: 'Change password' })
    await user.type(within(dialog).getByLabelText('Current password'), 'old enough words')
    await user.type(within(dialog).getByLabelText('New password'), 'quiet copper falcon')
    await user.type(within(dialog).getByLabelText('Confirm new password'), 'quiet copper falcom')
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }))
    expect(within(dialog).getByText('The passwords differ')).toHaveClass('field-error')
    expect(fetchMock.mock.calls.some(([url]) => String(url).includes('/api/auth/password'))).toBe(false)
  })

  it('shows a wrong current password without signing the user out', async () => {
    stubFetch({
      '/api/auth/me': me,
      '/api/experiments': noExperiments,
      'POST /api/auth/password': () => jsonResponse({ detail: 'The current password is wrong' }, 400),
    })
    const { router } = renderApp('/')
    const user = await openAccountMenuItem('Change password')
    const dialog = await screen.findByRole('dialog', { name: 'Change password' })
    await user.type(within(dialog).getByLabelText('Current password'), 'not it at all')
    await user.type(within(dialog).getByLabelText('New password'), 'quiet copper falcon')
    await user.type(within(dialog).getByLabelText('Confirm new password'), 'quiet copper falcon')
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }))
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The current password is wrong')
    expect(router.state.location.pathname).toBe('/')
  })

  it('signs out everywhere after asking, and goes to the sign-in page', async () => {
    let sessions = 1
    const fetchMock = stubFetch({
      '/api/auth/me': () => (sessions > 0 ? me() : signedOut()),
      '/api/experiments': noExperiments,
      'POST /api/auth/logout-all': () => {
        sessions = 0
        return new Response(null, { status: 204 })
      },
    })
    const { router } = renderApp('/')
    let user = await openAccountMenuItem('Sign out everywhere')
    let dialog = await screen.findByRole('dialog', { name: 'Sign out everywhere?' })
    expect(dialog).toHaveTextContent('Every session of ada ends now')
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
    expect(sessions).toBe(1)

    user = await openAccountMenuItem('Sign out everywhere')
    dialog = await screen.findByRole('dialog', { name: 'Sign out everywhere?' })
    await user.click(within(dialog).getByRole('button', { name: 'Sign out everywhere' }))
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/signin')
    expect(sessions).toBe(0)
    expect(fetchMock.mock.calls.filter(([url]) => String(url) === '/api/auth/logout-all')).toHaveLength(1)
  })
})

describe('sign-in and sign-up messages', () => {
  it('shows how long to wait after too many failed sign-ins', async () => {
    stubFetch({
      '/api/auth/me': signedOut,
      'POST /api/auth/login': () =>
        new Response(JSON.stringify({ detail: 'Too many failed sign-ins. Try again in 14 minutes.' }), {
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '840' },
        }),
    })
    const user = userEvent.setup()
    renderApp('/signin')
    await user.type(await screen.findByLabelText('Username'), 'ada')
    await user.type(screen.getByLabelText('Password'), 'a guess')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many failed sign-ins. Try again in 14 minutes.')
  })

  it('says how long to wait from Retry-After when a proxy answers 429 without our message', async () => {
    stubFetch({
      '/api/auth/me': signedOut,
      'POST /api/auth/login': () => new Response('rate limited', { status: 429, headers: { 'Retry-After': '45' } }),
    })
    const user = userEvent.setup()
    renderApp('/signin')
    await user.type(await screen.findByLabelText('Username'), 'ada')
    await user.type(screen.getByLabelText('Password'), 'a guess')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts. Try again in 45 seconds.')
  })

  it('shows the password policy’s reason when sign-up refuses a password', async () => {
    stubFetch({
      '/api/auth/me': signedOut,
      'POST /api/auth/register': () => jsonResponse({ detail: POLICY }, 422),
    })
    const user = userEvent.setup()
    renderApp('/signup')
    await user.type(await screen.findByLabelText('Username'), 'ada')
    await user.type(screen.getByLabelText('Password'), 'penguins!')
    await user.type(screen.getByLabelText('Confirm password'), 'penguins!')
    await user.click(screen.getByRole('button', { name: 'Create account' }))
    expect(await screen.findByRole('alert')).toHaveTextContent(POLICY)
  })
})
