import type { NodeChange } from '@xyflow/react'
import { useCallback, useState, type Dispatch } from 'react'
import { errorMessage } from '../../api/client'
import { getRun, getVersion } from '../../api/endpoints'
import type { Run } from '../../api/types'
import { useToast } from '../../ui/Toasts'
import { runView, type RunView } from '../runs/runState'
import type { DocAction } from './docReducer'
import { fromApiGraph, type Doc, type ModuleNode } from './graphDoc'

/** A past run opened from the run history: its statuses over the graph it ran, read-only. */
export interface ViewedRun {
  run: RunView
  doc: Doc
  version: number
}

/** Selection and measured sizes: all that changes on a viewed run's canvas. */
function applyViewChanges(doc: Doc, changes: NodeChange<ModuleNode>[]): Doc {
  let nodes = doc.nodes
  const picked = new Map(changes.flatMap((c) => (c.type === 'select' ? [[c.id, c.selected] as const] : [])))
  if (picked.size) nodes = nodes.map((n) => (picked.has(n.id) ? { ...n, selected: picked.get(n.id) } : n))
  const sizes = new Map(changes.flatMap((c) => (c.type === 'dimensions' ? [[c.id, c.dimensions] as const] : [])))
  if (sizes.size) nodes = nodes.map((n) => (sizes.get(n.id) ? { ...n, measured: sizes.get(n.id) } : n))
  return nodes === doc.nodes ? doc : { ...doc, nodes }
}

/** Opening a past run, what may change while it is shown, going back to the draft, and restoring its graph. */
export function useViewedRun({ experimentId, dispatch, requestFit }: { experimentId: number; dispatch: Dispatch<DocAction>; requestFit: () => void }) {
  const toast = useToast()
  const [viewing, setViewing] = useState<ViewedRun | null>(null)

  const open = useCallback(
    async (past: Run) => {
      try {
        const [fresh, version] = await Promise.all([getRun(past.id), getVersion(experimentId, past.experiment_version)])
        setViewing({ run: runView(fresh), doc: fromApiGraph(version.graph), version: past.experiment_version })
        requestFit()
      } catch (error) {
        toast({ tone: 'error', title: `Could not open run #${past.id}`, text: errorMessage(error) })
      }
    },
    [experimentId, requestFit, toast],
  )

  const close = useCallback(() => setViewing(null), [])

  /** Changes the viewed graph (selection only: it is read-only). */
  const updateDoc = useCallback((update: (doc: Doc) => Doc) => {
    setViewing((v) => {
      if (!v) return v
      const doc = update(v.doc)
      return doc === v.doc ? v : { ...v, doc }
    })
  }, [])

  const onNodesChange = useCallback((changes: NodeChange<ModuleNode>[]) => updateDoc((doc) => applyViewChanges(doc, changes)), [updateDoc])

  /** The viewed graph becomes the draft (one undo step). */
  const restore = useCallback(() => {
    if (!viewing) return
    const restored: Doc = { nodes: viewing.doc.nodes.map((n) => ({ ...n, selected: false })), edges: viewing.doc.edges.map((e) => ({ ...e, selected: false })) }
    dispatch({ type: 'edit', update: () => restored })
    setViewing(null)
    requestFit()
    toast({ tone: 'success', title: `Version ${viewing.version} restored as the draft`, text: 'Save to keep it; undo brings your previous draft back.' })
  }, [dispatch, requestFit, toast, viewing])

  return { viewing, open, close, updateDoc, onNodesChange, restore }
}
