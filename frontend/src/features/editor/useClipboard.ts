import { useCallback, useRef, type Dispatch } from 'react'
import { copySelection, isFragment, pasteFragment, type Fragment } from './clipboard'
import type { DocAction } from './docReducer'
import type { Doc } from './graphDoc'
import { useLatest } from './useLatest'

// Kept in localStorage too, so a selection copied in one tab pastes in another.
const CLIPBOARD_KEY = 'cluster-studio:clipboard'
// Each paste of the same copy lands this much further down and right.
const PASTE_STEP = 40

/** Copy (from the draft, or from a viewed run), paste and duplicate of the selected nodes. */
export function useClipboard({ dispatch, shownDoc, doc, readOnly, selectNode }: { dispatch: Dispatch<DocAction>; shownDoc: Doc; doc: Doc; readOnly: boolean; selectNode: (nodeId: string) => void }) {
  const latest = useLatest({ shownDoc, doc, readOnly })
  const clipboard = useRef<{ fragment: Fragment; pastes: number } | null>(null)

  /** True when something was selected to copy. */
  const copy = useCallback(() => {
    const fragment = copySelection(latest.current.shownDoc)
    if (!fragment) return false
    clipboard.current = { fragment, pastes: 0 }
    try {
      localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(fragment))
    } catch {
      /* private mode: the in-page clipboard still works */
    }
    return true
  }, [latest])

  const paste = useCallback(() => {
    if (latest.current.readOnly) return
    let entry = clipboard.current
    if (!entry) {
      try {
        const stored: unknown = JSON.parse(localStorage.getItem(CLIPBOARD_KEY) ?? 'null')
        if (isFragment(stored)) entry = clipboard.current = { fragment: stored, pastes: 0 }
      } catch {
        /* nothing to paste */
      }
    }
    if (!entry) return
    entry.pastes += 1
    const offset = PASTE_STEP * entry.pastes
    const fragment = entry.fragment
    dispatch({ type: 'edit', update: (current) => pasteFragment(current, fragment, { x: offset, y: offset }) })
  }, [dispatch, latest])

  const duplicate = useCallback(() => {
    if (latest.current.readOnly) return
    const fragment = copySelection(latest.current.doc)
    if (!fragment) return
    dispatch({ type: 'edit', update: (current) => pasteFragment(current, fragment, { x: PASTE_STEP, y: PASTE_STEP }) })
  }, [dispatch, latest])

  /** A node's menu: select only it, then duplicate it once the selection is in the draft. */
  const duplicateNode = useCallback(
    (nodeId: string) => {
      selectNode(nodeId)
      setTimeout(duplicate, 0)
    },
    [duplicate, selectNode],
  )

  return { copy, paste, duplicate, duplicateNode }
}
