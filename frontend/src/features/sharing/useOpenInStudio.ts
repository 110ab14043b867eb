import { useCallback, useEffect, useRef, useState } from 'react'
import { useLocation, useNavigate, useSearchParams } from 'react-router'
import { errorMessage } from '../../api/client'
import { getModules } from '../../api/endpoints'
import type { Experiment, ModuleSpec } from '../../api/types'
import { useToast } from '../../ui/Toasts'
import { useAuth } from '../auth/AuthContext'
import { openInStudioSignUpPath } from './shareLogic'

/**
 * "Open in Studio": a signed-in visitor gets a copy at once and lands in its editor; a visitor who is
 * not signed in is sent to sign up (or in) and comes back here with `?open=1`, which finishes the copy.
 */
export function useOpenInStudio(open: (() => Promise<Experiment>) | null) {
  const { state } = useAuth()
  const navigate = useNavigate()
  const location = useLocation()
  const toast = useToast()
  const [params, setParams] = useSearchParams()
  const [busy, setBusy] = useState(false)
  const finishing = useRef(false)

  const copy = useCallback(async () => {
    if (!open) return
    if (state.status !== 'signed-in') {
      navigate(openInStudioSignUpPath(location.pathname))
      return
    }
    setBusy(true)
    try {
      const created = await open()
      toast({ tone: 'success', title: `“${created.name}” is now in your experiments`, text: 'Your own copy, with the datasets it uses: change it, save it, run it.' })
      navigate(`/experiments/${created.id}`)
    } catch (error) {
      toast({ tone: 'error', title: 'Could not open it in Studio', text: errorMessage(error) })
      setBusy(false)
    }
  }, [location.pathname, navigate, open, state.status, toast])

  const wantsOpen = params.get('open') === '1'
  useEffect(() => {
    if (!wantsOpen || !open || state.status !== 'signed-in' || finishing.current) return
    finishing.current = true
    setParams(
      (current) => {
        const next = new URLSearchParams(current)
        next.delete('open')
        return next
      },
      { replace: true },
    )
    void copy()
  }, [wantsOpen, open, state.status, copy, setParams])

  return { busy: busy || (wantsOpen && state.status !== 'signed-out'), openInStudio: copy }
}

/**
 * The module catalogue for any visitor (GET /api/modules is public, so signed-out visitors see the
 * real module names too); null when it could not be loaded.
 */
export function useVisitorCatalogue(): { ready: boolean; catalogue: ModuleSpec[] | null } {
  const [loaded, setLoaded] = useState<{ catalogue: ModuleSpec[] | null } | null>(null)
  useEffect(() => {
    const controller = new AbortController()
    getModules(controller.signal).then(
      (catalogue) => setLoaded({ catalogue: Array.isArray(catalogue) ? catalogue : null }),
      () => !controller.signal.aborted && setLoaded({ catalogue: null }),
    )
    return () => controller.abort()
  }, [])
  return loaded ? { ready: true, catalogue: loaded.catalogue } : { ready: false, catalogue: null }
}
