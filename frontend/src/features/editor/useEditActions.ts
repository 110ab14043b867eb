import { useReactFlow, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react'
import { useCallback, type Dispatch } from 'react'
import type { ModuleSpec } from '../../api/types'
import { useToast } from '../../ui/Toasts'
import type { DragPayload } from '../canvas/dragData'
import type { SourceModule } from '../palette/sourceModules'
import { defaultParams } from '../properties/paramSchema'
import { deleteSelection, selectAll as selectAllOf } from './clipboard'
import { checkConnection } from './connections'
import type { DocAction } from './docReducer'
import { makeEdge, makeNode, newId, type Doc, type GraphEdgeView, type ModuleNode } from './graphDoc'
import { useLatest } from './useLatest'
import type { ViewedRun } from './useViewedRun'

type Position = { x: number; y: number }
type ConnectionEnds = Pick<Connection, 'source' | 'target' | 'sourceHandle' | 'targetHandle'>

const clearSelection = (d: Doc): Doc => ({ nodes: d.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), edges: d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) })

/**
 * What the user does to the graph, each as one undo step (or none, for selection): React Flow's
 * changes, connecting, adding from the palette, editing a node's parameters and comment, deleting,
 * selecting, auto-layout. Nothing changes the draft while it is read-only; a viewed past run takes
 * selection and sizes only.
 */
export function useEditActions({
  dispatch,
  doc,
  readOnly,
  viewed,
  specs,
  datasetModule,
  trainedModelModule,
  onNodeAdded,
  requestFit,
}: {
  dispatch: Dispatch<DocAction>
  doc: Doc
  readOnly: boolean
  /** The past run shown instead of the draft, if any. */
  viewed: { viewing: ViewedRun | null; onNodesChange: (changes: NodeChange<ModuleNode>[]) => void; updateDoc: (update: (doc: Doc) => Doc) => void }
  specs: ReadonlyMap<string, ModuleSpec>
  datasetModule: SourceModule | null
  trainedModelModule: SourceModule | null
  onNodeAdded: () => void
  requestFit: () => void
}) {
  const toast = useToast()
  const { screenToFlowPosition } = useReactFlow()
  const latest = useLatest({ doc, readOnly, viewing: viewed.viewing !== null, specs })
  const { onNodesChange: onViewedNodesChange, updateDoc: updateViewed } = viewed

  const onNodesChange = useCallback(
    (changes: NodeChange<ModuleNode>[]) => {
      if (latest.current.viewing) return onViewedNodesChange(changes)
      if (latest.current.readOnly) {
        const allowed = changes.filter((c) => c.type === 'select' || c.type === 'dimensions')
        if (allowed.length) dispatch({ type: 'nodes', changes: allowed })
        return
      }
      dispatch({ type: 'nodes', changes })
    },
    [dispatch, latest, onViewedNodesChange],
  )

  const onEdgesChange = useCallback(
    (changes: EdgeChange<GraphEdgeView>[]) => {
      if (latest.current.viewing) return
      const allowed = latest.current.readOnly ? changes.filter((c) => c.type === 'select') : changes
      if (allowed.length) dispatch({ type: 'edges', changes: allowed })
    },
    [dispatch, latest],
  )

  /** Whether a connection may be made (the canvas's one isValidConnection, and why not). */
  const check = useCallback(
    (connection: ConnectionEnds) => checkConnection(connection, latest.current.doc.nodes, latest.current.doc.edges, (id) => latest.current.specs.get(id)),
    [latest],
  )

  const onConnectRefused = useCallback((reason: string) => toast({ tone: 'warning', title: 'Connection refused', text: reason }), [toast])

  const onConnect = useCallback(
    (connection: Connection) => {
      if (latest.current.readOnly) return
      const result = check(connection)
      if (!result.ok) return onConnectRefused(result.reason)
      dispatch({
        type: 'edit',
        update: (current) => {
          const taken = new Set(current.edges.map((e) => e.id))
          const edge = makeEdge(newId('e', taken), connection.source, connection.sourceHandle ?? '', connection.target, connection.targetHandle ?? '')
          return { ...current, edges: [...current.edges, edge] }
        },
      })
    },
    [check, dispatch, latest, onConnectRefused],
  )

  const addNode = useCallback(
    (moduleId: string, params: Record<string, unknown>, position: Position) => {
      dispatch({
        type: 'edit',
        update: (current) => {
          const taken = new Set(current.nodes.map((n) => n.id))
          const node: ModuleNode = { ...makeNode(moduleId, { x: Math.round(position.x), y: Math.round(position.y) }, params, newId('n', taken)), selected: true }
          const cleared = clearSelection(current)
          return { nodes: [...cleared.nodes, node], edges: cleared.edges }
        },
      })
      onNodeAdded()
    },
    [dispatch, onNodeAdded],
  )

  /** A palette entry (a module, a dataset as a dataset node, a saved model as a trained model node) added at
   * `position` (flow coordinates). */
  const addEntry = useCallback(
    (payload: DragPayload, position: Position) => {
      if (latest.current.readOnly) return
      const addSource = (source: SourceModule | null, value: string) => {
        if (source) addNode(source.spec.id, { ...defaultParams(source.spec), [source.param.id]: value }, position)
      }
      if (payload.kind === 'module') {
        const spec = latest.current.specs.get(payload.moduleId)
        if (spec) addNode(spec.id, defaultParams(spec), position)
      } else if (payload.kind === 'dataset') {
        addSource(datasetModule, payload.datasetId)
      } else {
        addSource(trainedModelModule, payload.modelId)
      }
    },
    [addNode, datasetModule, trainedModelModule, latest],
  )

  /** A double-clicked palette entry: added in the middle of the visible canvas, staggered. */
  const addAtCentre = useCallback(
    (payload: DragPayload) => {
      const pane = document.querySelector('.canvas')?.getBoundingClientRect()
      const centre = pane ? { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 } : { x: window.innerWidth / 2, y: window.innerHeight / 2 }
      const position = screenToFlowPosition(centre)
      const offset = (latest.current.doc.nodes.length % 6) * 24
      addEntry(payload, { x: position.x - 110 + offset, y: position.y - 24 + offset })
    },
    [addEntry, latest, screenToFlowPosition],
  )

  /** A parameter edit; `coalesce` folds typing in one field into one undo step (until sealed). */
  const onParamChange = useCallback(
    (nodeId: string, paramId: string, value: unknown, coalesce: boolean) => {
      dispatch({
        type: 'edit',
        group: coalesce ? `param:${nodeId}:${paramId}` : null,
        update: (current) => ({
          ...current,
          nodes: current.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params: { ...n.data.params, [paramId]: value } } } : n)),
        }),
      })
    },
    [dispatch],
  )

  const onCommentChange = useCallback(
    (nodeId: string, comment: string) => {
      dispatch({
        type: 'edit',
        group: `comment:${nodeId}`,
        update: (current) => ({ ...current, nodes: current.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, comment } } : n)) }),
      })
    },
    [dispatch],
  )

  /** Ends the open undo step (a field lost focus). */
  const seal = useCallback(() => dispatch({ type: 'seal' }), [dispatch])

  const removeSelection = useCallback(() => {
    if (latest.current.readOnly) return
    dispatch({ type: 'edit', update: deleteSelection })
  }, [dispatch, latest])

  const deleteNode = useCallback(
    (nodeId: string) => {
      if (latest.current.readOnly) return
      dispatch({
        type: 'edit',
        update: (current) => ({
          nodes: current.nodes.filter((n) => n.id !== nodeId),
          edges: current.edges.filter((e) => e.source !== nodeId && e.target !== nodeId),
        }),
      })
    },
    [dispatch, latest],
  )

  /** Selection is not an undo step; on a viewed run it selects there. */
  const select = useCallback(
    (update: (doc: Doc) => Doc) => {
      if (latest.current.viewing) updateViewed(update)
      else dispatch({ type: 'transient', update })
    },
    [dispatch, latest, updateViewed],
  )

  const selectNode = useCallback(
    (nodeId: string) =>
      select((d) => {
        const only = d.nodes.every((n) => !!n.selected === (n.id === nodeId)) && !d.edges.some((e) => e.selected)
        if (only) return d
        return {
          nodes: d.nodes.map((n) => (n.id === nodeId ? (n.selected ? n : { ...n, selected: true }) : n.selected ? { ...n, selected: false } : n)),
          edges: d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        }
      }),
    [select],
  )

  const selectAll = useCallback(() => select(selectAllOf), [select])

  /** Escape: nothing selected on the draft. */
  const clearDraftSelection = useCallback(() => dispatch({ type: 'transient', update: clearSelection }), [dispatch])

  const autoLayout = useCallback(async () => {
    if (latest.current.readOnly) return
    // dagre is only needed here: loaded on first use.
    const { layoutDoc } = await import('./layout')
    dispatch({ type: 'edit', update: layoutDoc })
    requestFit()
  }, [dispatch, latest, requestFit])

  return {
    onNodesChange,
    onEdgesChange,
    check,
    onConnect,
    onConnectRefused,
    addEntry,
    addAtCentre,
    onParamChange,
    onCommentChange,
    seal,
    removeSelection,
    deleteNode,
    selectNode,
    selectAll,
    clearDraftSelection,
    autoLayout,
  }
}
