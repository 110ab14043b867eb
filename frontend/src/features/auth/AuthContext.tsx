import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { Navigate, useLocation, useNavigate } from 'react-router'
import { isUnauthorized, setUnauthorizedListener } from '../../api/client'
import { getMe, login as apiLogin, logout as apiLogout, logoutAll as apiLogoutAll, register as apiRegister } from '../../api/endpoints'
import type { User } from '../../api/types'
import { Spinner } from '../../ui/icons'

type AuthState = { status: 'loading' } | { status: 'signed-in'; user: User } | { status: 'signed-out'; reason?: 'expired' }

export interface Auth {
  state: AuthState
  user: User | null
  signIn: (username: string, password: string) => Promise<User>
  signUp: (username: string, password: string) => Promise<User>
  signOut: () => Promise<void>
  /** Ends every session of the user (other browsers, scripts' tokens, this one); throws if the server refused. */
  signOutEverywhere: () => Promise<void>
}

const AuthContext = createContext<Auth | null>(null)

export function useAuth(): Auth {
  const auth = useContext(AuthContext)
  if (!auth) throw new Error('useAuth needs an <AuthProvider>')
  return auth
}

/** Where to go after signing in: the `next` query parameter if it is a path of this app. */
export function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next')
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : '/'
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' })
  const navigate = useNavigate()
  const location = useLocation()

  useEffect(() => {
    const controller = new AbortController()
    getMe(controller.signal).then(
      (user) => setState({ status: 'signed-in', user }),
      (error: unknown) => {
        if (controller.signal.aborted) return
        setState({ status: 'signed-out' })
        if (!isUnauthorized(error)) console.warn('Could not check the session', error)
      },
    )
    return () => controller.abort()
  }, [])

  // Any API call answering 401 (an expired session) sends the user to the sign-in page, and back here after.
  const here = `${location.pathname}${location.search}`
  useEffect(() => {
    setUnauthorizedListener(() => {
      setState((current) => (current.status === 'signed-out' ? current : { status: 'signed-out', reason: 'expired' }))
      if (!window.location.pathname.startsWith('/signin') && !window.location.pathname.startsWith('/signup')) {
        navigate(`/signin?next=${encodeURIComponent(here)}`, { replace: true })
      }
    })
    return () => setUnauthorizedListener(null)
  }, [navigate, here])

  const signIn = useCallback(async (username: string, password: string) => {
    const result = await apiLogin(username, password)
    setState({ status: 'signed-in', user: result.user })
    return result.user
  }, [])

  const signUp = useCallback(
    async (username: string, password: string) => {
      await apiRegister(username, password)
      return signIn(username, password)
    },
    [signIn],
  )

  const signOut = useCallback(async () => {
    try {
      await apiLogout()
    } catch {
      /* signed out either way */
    }
    setState({ status: 'signed-out' })
    navigate('/signin', { replace: true })
  }, [navigate])

  const signOutEverywhere = useCallback(async () => {
    await apiLogoutAll()
    setState({ status: 'signed-out' })
    navigate('/signin', { replace: true })
  }, [navigate])

  const value = useMemo<Auth>(
    () => ({ state, user: state.status === 'signed-in' ? state.user : null, signIn, signUp, signOut, signOutEverywhere }),
    [state, signIn, signUp, signOut, signOutEverywhere],
  )
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>
}

/** Renders its children for a signed-in user; otherwise sends them to sign in (and back after). */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { state } = useAuth()
  const location = useLocation()
  if (state.status === 'loading') {
    return (
      <div className="page-loading" aria-busy="true">
        <Spinner size={20} label="Loading" />
      </div>
    )
  }
  if (state.status === 'signed-out') {
    const next = `${location.pathname}${location.search}`
    return <Navigate to={next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`} replace />
  }
  return <>{children}</>
}
