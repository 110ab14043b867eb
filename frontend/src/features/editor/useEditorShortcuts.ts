import { useEffect, type Dispatch } from 'react'
import type { DocAction } from './docReducer'
import { useLatest } from './useLatest'

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

export interface ShortcutActions {
  save: () => Promise<boolean>
  copy: () => boolean
  paste: () => void
  duplicate: () => void
  selectAll: () => void
  removeSelection: () => void
  clearSelection: () => void
}

/**
 * The editor's keyboard: Ctrl+S saves (anywhere); with no dialog open, Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y
 * undo and redo (in a parameter field too: the editor's history, not the field's), and outside text
 * fields Ctrl+C / V / D / A copy, paste, duplicate and select all, Delete removes the selection and
 * Escape clears it. A viewed past run has no history.
 */
export function useEditorShortcuts({ dispatch, readOnly, viewing, actions }: { dispatch: Dispatch<DocAction>; readOnly: boolean; viewing: boolean; actions: ShortcutActions }) {
  const latest = useLatest({ readOnly, viewing, actions })

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const { readOnly, viewing, actions } = latest.current
      const mod = event.ctrlKey || event.metaKey
      const key = event.key.toLowerCase()
      if (mod && key === 's') {
        event.preventDefault()
        if (!readOnly) void actions.save()
        return
      }
      if (document.querySelector('[role="dialog"]')) return
      const target = event.target as HTMLElement | null
      const inField = isTextField(target)
      const inParams = !!target?.closest?.('.properties-fields, .properties-module textarea')
      if (mod && key === 'z' && (!inField || inParams)) {
        event.preventDefault()
        if (viewing) return
        target?.blur?.()
        dispatch({ type: 'seal' })
        dispatch({ type: event.shiftKey ? 'redo' : 'undo' })
        return
      }
      if (mod && key === 'y' && (!inField || inParams)) {
        event.preventDefault()
        if (!viewing) dispatch({ type: 'redo' })
        return
      }
      if (inField) return
      if (mod && key === 'c') {
        if (actions.copy()) event.preventDefault()
      } else if (mod && key === 'v') {
        event.preventDefault()
        actions.paste()
      } else if (mod && key === 'd') {
        event.preventDefault()
        actions.duplicate()
      } else if (mod && key === 'a') {
        event.preventDefault()
        actions.selectAll()
      } else if ((event.key === 'Delete' || event.key === 'Backspace') && !mod) {
        if (target?.closest?.('.react-flow, body') && !target.closest('.palette, .properties')) {
          event.preventDefault()
          actions.removeSelection()
        }
      } else if (event.key === 'Escape') {
        actions.clearSelection()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [dispatch, latest])
}
