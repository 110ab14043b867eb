import { useCallback, useMemo, useReducer } from 'react'
import { docReducer, initialDocState } from './docReducer'
import { graphKey, toApiGraph } from './graphDoc'
import { canRedo, canUndo } from './history'

/**
 * The document being edited, with its undo history: the React Flow nodes and edges, the API graph
 * they stand for, and that graph's key (equal keys mean nothing to save).
 */
export function useGraphDocument() {
  const [history, dispatch] = useReducer(docReducer, initialDocState)
  const doc = history.present
  const graph = useMemo(() => toApiGraph(doc), [doc])
  const key = useMemo(() => graphKey(graph), [graph])
  const undo = useCallback(() => dispatch({ type: 'undo' }), [])
  const redo = useCallback(() => dispatch({ type: 'redo' }), [])
  return { doc, graph, key, dispatch, undo, redo, canUndo: canUndo(history), canRedo: canRedo(history) }
}
