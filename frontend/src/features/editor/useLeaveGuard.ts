import { useCallback, useEffect, useState, type RefObject } from 'react'
import { useBlocker } from 'react-router'
import { useLatest } from './useLatest'

/**
 * Leaving with unsaved changes asks first: closing the tab (the browser's own prompt) and moving to
 * another page of the app (the leave dialog: stay, discard, or save and leave).
 */
export function useLeaveGuard({ dirty, save, leavingForCopy }: { dirty: boolean; save: () => Promise<boolean>; leavingForCopy: RefObject<boolean> }) {
  useEffect(() => {
    if (!dirty) return
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault()
      event.returnValue = ''
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [dirty])

  const latestDirty = useLatest(dirty)
  const blocker = useBlocker(
    useCallback(
      ({ currentLocation, nextLocation }: { currentLocation: { pathname: string }; nextLocation: { pathname: string } }) =>
        latestDirty.current && !leavingForCopy.current && currentLocation.pathname !== nextLocation.pathname,
      [latestDirty, leavingForCopy],
    ),
  )
  const [saving, setSaving] = useState(false)

  const saveAndLeave = useCallback(async () => {
    setSaving(true)
    const ok = await save()
    setSaving(false)
    if (ok) blocker.proceed?.()
    else blocker.reset?.()
  }, [blocker, save])

  return {
    asking: blocker.state === 'blocked',
    saving,
    stay: () => blocker.reset?.(),
    leave: () => blocker.proceed?.(),
    saveAndLeave,
  }
}
