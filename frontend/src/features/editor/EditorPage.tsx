import { ReactFlowProvider, useReactFlow, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react'
import { lazy, Suspense, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react'
import { useBlocker, useNavigate, useParams } from 'react-router'
import { ApiError, errorMessage, isConflict, isNotFound } from '../../api/client'
import {
  cancelRun,
  cloneExperiment,
  createExperiment,
  deleteDataset,
  getDataset,
  getExperiment,
  getRun,
  getVersion,
  startRun,
  updateExperiment,
  validateGraph,
} from '../../api/endpoints'
import type { Dataset, Experiment, ModuleSpec, Run, User, ValidationIssue } from '../../api/types'
import { useDatasets, useHealth, useModuleCatalogue } from '../../app/apiResources'
import { Header } from '../../app/Header'
import { NotFoundPage } from '../../app/NotFoundPage'
import { StatusBar } from '../../app/StatusBar'
import { Dialog } from '../../ui/Dialog'
import { Icon, Spinner } from '../../ui/icons'
import { Menu } from '../../ui/Menu'
import { useToast } from '../../ui/Toasts'
import { EditorCanvas } from '../canvas/EditorCanvas'
import { hasFiles, type DragPayload } from '../canvas/dragData'
import type { GraphEdgeData } from '../canvas/GraphEdgeView'
import { RunHistoryPanel } from '../history/RunHistoryPanel'
import { findDatasetModule } from '../palette/datasetModule'
import { Palette } from '../palette/Palette'
import { useUploads } from '../palette/useUploads'
import { defaultParams } from '../properties/paramSchema'
import { PropertiesPanel } from '../properties/PropertiesPanel'
import { NodeLogDialog } from '../runs/NodeLogDialog'
import { OutputDialog } from '../runs/OutputDialog'
import { RunBar } from '../runs/RunBar'
import { IDLE, isFinal, runView, type NodeStatus, type RunView } from '../runs/runState'
import { nodeSignatures, staleNodes } from '../runs/staleness'
import { useRunFollower } from '../runs/useRunController'
import { EMPTY_ISSUES } from '../validation/mapIssues'
import { useGraphValidation } from '../validation/useGraphValidation'
import { DisabledReason, SharedNote, ShareStrip } from '../sharing/SharedBanners'
import { readOnlyReason } from '../sharing/shareLogic'
import { copySelection, deleteSelection, isFragment, pasteFragment, selectAll, type Fragment } from './clipboard'
import { checkConnection } from './connections'
import { docReducer, initialDocState } from './docReducer'
import { EditorContext, type EditorContextValue } from './EditorContext'
import { ConflictDialog, ImportDialog, LeaveDialog, type ImportCandidate } from './EditorDialogs'
import { ExperimentName } from './ExperimentName'
import { fileNameFor, downloadText, graphFile, parseGraphFile } from './graphFile'
import { fromApiGraph, graphKey, makeEdge, makeNode, newId, toApiGraph, type Doc, type GraphEdgeView, type ModuleNode } from './graphDoc'
import { canRedo, canUndo } from './history'
import { RuntimeStore } from './runtimeStore'
import '../runs/runs.css'
import './editor.css'

// The Share dialog brings the markdown renderer (publish preview): loaded when first opened.
const ShareDialog = lazy(() => import('../sharing/ShareDialog').then((module) => ({ default: module.ShareDialog })))

const CLIPBOARD_KEY = 'cluster-studio:clipboard'
const PASTE_STEP = 40

type SaveState = 'idle' | 'saving' | 'error'

interface Viewing {
  run: RunView
  doc: Doc
  version: number
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

/** The editor at /experiments/:id. */
export function EditorPage() {
  const { id } = useParams()
  const experimentId = Number(id)
  if (!Number.isInteger(experimentId) || experimentId <= 0) {
    return <NotFoundPage title="No such experiment" text="Experiment addresses look like /experiments/12." />
  }
  return (
    <ReactFlowProvider key={experimentId}>
      <Editor experimentId={experimentId} />
    </ReactFlowProvider>
  )
}

function Editor({ experimentId }: { experimentId: number }) {
  const navigate = useNavigate()
  const toast = useToast()
  const health = useHealth()
  const catalogue = useModuleCatalogue()
  const datasets = useDatasets()
  const { screenToFlowPosition } = useReactFlow()

  // ---- document & experiment ------------------------------------------------------------------
  const [docState, dispatch] = useReducer(docReducer, initialDocState)
  const doc = docState.present
  const [loadState, setLoadState] = useState<'loading' | 'ready' | 'missing' | 'error'>('loading')
  const [loadError, setLoadError] = useState<string | null>(null)
  const [meta, setMeta] = useState<{ name: string; version: number; role: string; owner: User | null }>({ name: '', version: 0, role: 'owner', owner: null })
  const [sharing, setSharing] = useState(false)
  const [cloning, setCloning] = useState(false)
  const [savedKey, setSavedKey] = useState('')
  const [saveState, setSaveState] = useState<SaveState>('idle')
  const [conflict, setConflict] = useState<{ message: string } | null>(null)
  const [conflictBusy, setConflictBusy] = useState(false)
  const [fitRequest, setFitRequest] = useState(0)
  const [viewing, setViewing] = useState<Viewing | null>(null)
  const [panel, setPanel] = useState<'properties' | 'runs'>('properties')
  const [runsRefresh, setRunsRefresh] = useState(0)
  const [runBarHidden, setRunBarHidden] = useState(false)
  const [output, setOutput] = useState<{ runId: number; nodeId: string; port: string; portType: string; title: string; subtitle: string } | null>(null)
  const [logFor, setLogFor] = useState<{ runId: number; nodeId: string; title: string; run: RunView['nodes'][string] } | null>(null)
  const [importing, setImporting] = useState<ImportCandidate | null>(null)
  const [fileOver, setFileOver] = useState(false)
  const [deletingDataset, setDeletingDataset] = useState<Dataset | null>(null)
  const importInput = useRef<HTMLInputElement>(null)
  const bypassGuard = useRef(false)

  const graph = useMemo(() => toApiGraph(doc), [doc])
  const key = useMemo(() => graphKey(graph), [graph])
  const dirty = loadState === 'ready' && key !== savedKey
  const readOnly = viewing !== null || meta.role === 'viewer'

  const catalogueList = useMemo(() => (catalogue.state === 'ready' && Array.isArray(catalogue.data) ? catalogue.data : []), [catalogue])
  const specs = useMemo(() => new Map(catalogueList.map((spec) => [spec.id, spec])), [catalogueList])
  const specOf = useCallback((moduleId: string) => specs.get(moduleId), [specs])
  const ownDatasets = useMemo(() => (datasets.state === 'ready' && Array.isArray(datasets.data) ? datasets.data : []), [datasets])
  // A shared experiment's datasets are not in the recipient's list but readable one by one.
  const [sharedDatasets, setSharedDatasets] = useState<Dataset[]>([])
  const datasetList = useMemo(() => (sharedDatasets.length ? [...ownDatasets, ...sharedDatasets] : ownDatasets), [ownDatasets, sharedDatasets])
  const datasetMap = useMemo(() => new Map(datasetList.map((d) => [d.id, d])), [datasetList])
  const datasetOf = useCallback((id: string) => datasetMap.get(id), [datasetMap])

  // ---- runs -----------------------------------------------------------------------------------
  const onRunFinished = useCallback(
    (finished: RunView) => {
      setRunsRefresh((n) => n + 1)
      const failed = Object.values(finished.nodes).filter((n) => n.status === 'failed').length
      if (finished.status === 'succeeded') toast({ tone: 'success', title: `Run #${finished.id} succeeded` })
      else if (finished.status === 'failed') toast({ tone: 'error', title: `Run #${finished.id} failed`, text: failed ? `${failed} module${failed === 1 ? '' : 's'} failed — click a failed module for its log.` : (finished.error ?? undefined) })
      else if (finished.status === 'cancelled') toast({ tone: 'warning', title: `Run #${finished.id} cancelled` })
    },
    [toast],
  )
  const follower = useRunFollower(onRunFinished)
  const currentRun = follower.run
  const running = !!currentRun && !isFinal(currentRun.status)
  const shownRun = viewing ? viewing.run : currentRun
  const shownDoc = viewing ? viewing.doc : doc

  // ---- validation -----------------------------------------------------------------------------
  const validation = useGraphValidation(loadState === 'ready' ? graph : null, loadState === 'ready')
  const showIssues = validation.show

  // ---- load ------------------------------------------------------------------------------------
  const applyExperiment = useCallback((experiment: Experiment) => {
    const loaded = fromApiGraph(experiment.graph)
    dispatch({ type: 'reset', doc: loaded })
    setMeta({ name: experiment.name, version: experiment.version, role: experiment.my_role ?? 'owner', owner: experiment.owner ?? null })
    setSavedKey(graphKey(toApiGraph(loaded)))
    setLoadState('ready')
    setFitRequest((n) => n + 1)
  }, [])

  const { follow } = follower
  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const experiment = await getExperiment(experimentId, signal)
        applyExperiment(experiment)
        if (experiment.last_run) {
          try {
            follow(await getRun(experiment.last_run.id, signal))
          } catch {
            /* the canvas works without it */
          }
        }
      } catch (error) {
        if (signal?.aborted) return
        if (isNotFound(error)) setLoadState('missing')
        else {
          setLoadError(errorMessage(error))
          setLoadState('error')
        }
      }
    },
    [experimentId, applyExperiment, follow],
  )

  useEffect(() => {
    const controller = new AbortController()
    void load(controller.signal)
    return () => controller.abort()
  }, [load])

  const askedDatasets = useRef(new Set<string>())
  useEffect(() => {
    if (loadState !== 'ready' || datasets.state !== 'ready' || catalogue.state !== 'ready') return
    const missing = new Set<string>()
    for (const node of doc.nodes) {
      for (const param of specOf(node.data.moduleId)?.params ?? []) {
        const value = node.data.params[param.id]
        if (param.type === 'dataset' && typeof value === 'string' && value && !datasetMap.has(value) && !askedDatasets.current.has(value)) missing.add(value)
      }
    }
    if (missing.size === 0) return
    for (const id of missing) {
      askedDatasets.current.add(id)
      getDataset(id).then(
        (found) => setSharedDatasets((list) => (list.some((d) => d.id === found.id) ? list : [...list, found])),
        () => {
          /* deleted, or not readable: the node says "Dataset not found" */
        },
      )
    }
  }, [loadState, datasets.state, catalogue.state, doc.nodes, specOf, datasetMap])

  // ---- results made stale by edits since the current run (shown as idle, not as the old status) --
  const [ranSignatures, setRanSignatures] = useState<{ runId: number; signatures: Map<string, string> } | null>(null)
  const currentRunId = currentRun?.id
  const currentRunVersion = currentRun?.experimentVersion
  useEffect(() => {
    if (currentRunId === undefined || currentRunVersion === undefined) return
    let live = true
    getVersion(experimentId, currentRunVersion).then(
      (version) => live && setRanSignatures({ runId: currentRunId, signatures: nodeSignatures(version.graph) }),
      () => {
        /* unknown: statuses are shown as they are */
      },
    )
    return () => {
      live = false
    }
  }, [experimentId, currentRunId, currentRunVersion])
  const shownRunNodes = useMemo(() => {
    if (!shownRun) return null
    if (viewing || !ranSignatures || ranSignatures.runId !== shownRun.id) return shownRun.nodes
    const stale = staleNodes(ranSignatures.signatures, nodeSignatures(graph))
    if (stale.size === 0) return shownRun.nodes
    return Object.fromEntries(Object.entries(shownRun.nodes).filter(([id]) => !stale.has(id)))
  }, [shownRun, viewing, ranSignatures, graph])

  // ---- the runtime store nodes read their status and problems from -----------------------------
  const runtime = useRef(new RuntimeStore()).current
  const shownIssues = viewing ? EMPTY_ISSUES : validation.issues
  useEffect(() => {
    runtime.update(shownRunNodes, shownIssues)
  }, [runtime, shownRunNodes, shownIssues])

  // ---- latest values for handlers that outlive a render -----------------------------------------
  const latest = useRef({ doc, graph, key, meta, dirty, readOnly, viewing, currentRun, specOf })
  latest.current = { doc, graph, key, meta, dirty, readOnly, viewing, currentRun, specOf }

  // ---- saving -----------------------------------------------------------------------------------
  const savedKeyRef = useRef(savedKey)
  savedKeyRef.current = savedKey
  const saving = useRef<Promise<boolean> | null>(null)
  const save = useCallback((): Promise<boolean> => {
    if (saving.current) return saving.current
    const { graph: sending, key: sendingKey, meta: current } = latest.current
    if (sendingKey === savedKeyRef.current) return Promise.resolve(true)
    setSaveState('saving')
    const promise = updateExperiment(experimentId, { version: current.version, graph: sending })
      .then(
        (saved) => {
          setMeta((m) => ({ ...m, version: saved.version, name: saved.name }))
          setSavedKey(sendingKey)
          savedKeyRef.current = sendingKey
          setSaveState('idle')
          return true
        },
        (error: unknown) => {
          setSaveState('error')
          if (isConflict(error)) {
            setConflict({ message: errorMessage(error) })
          } else {
            toast({ tone: 'error', title: 'Could not save', text: errorMessage(error) })
          }
          return false
        },
      )
      .finally(() => {
        saving.current = null
      })
    saving.current = promise
    return promise
  }, [experimentId, toast])
  const rename = useCallback(
    async (name: string) => {
      try {
        const saved = await updateExperiment(experimentId, { name, version: latest.current.meta.version })
        setMeta((m) => ({ ...m, name: saved.name, version: saved.version }))
        return true
      } catch (error) {
        if (isConflict(error)) setConflict({ message: errorMessage(error) })
        else toast({ tone: 'error', title: 'Could not rename', text: errorMessage(error) })
        return false
      }
    },
    [experimentId, toast],
  )

  const reloadLatest = useCallback(async () => {
    setConflictBusy(true)
    try {
      applyExperiment(await getExperiment(experimentId))
      setConflict(null)
      toast({ title: 'Reloaded the saved version' })
    } catch (error) {
      toast({ tone: 'error', title: 'Could not reload', text: errorMessage(error) })
    } finally {
      setConflictBusy(false)
    }
  }, [applyExperiment, experimentId, toast])

  const saveAsCopy = useCallback(async () => {
    setConflictBusy(true)
    try {
      const copy = await createExperiment(`${latest.current.meta.name} (copy)`, latest.current.graph)
      setConflict(null)
      bypassGuard.current = true
      toast({ tone: 'success', title: `Saved as “${copy.name}”` })
      navigate(`/experiments/${copy.id}`)
    } catch (error) {
      toast({ tone: 'error', title: 'Could not save a copy', text: errorMessage(error) })
    } finally {
      setConflictBusy(false)
    }
  }, [navigate, toast])

  const saveSharedCopy = useCallback(async () => {
    setCloning(true)
    try {
      const copy = await cloneExperiment(experimentId, `${latest.current.meta.name} (copy)`)
      bypassGuard.current = true
      toast({ tone: 'success', title: `Saved as “${copy.name}”`, text: 'This copy is yours: change it, save it and run it.' })
      navigate(`/experiments/${copy.id}`)
    } catch (error) {
      toast({ tone: 'error', title: 'Could not save a copy', text: errorMessage(error) })
    } finally {
      setCloning(false)
    }
  }, [experimentId, navigate, toast])

  // ---- leaving with unsaved changes ---------------------------------------------------------------
  useEffect(() => {
    if (!dirty) return
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault()
      event.returnValue = ''
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [dirty])

  const blocker = useBlocker(
    useCallback(
      ({ currentLocation, nextLocation }: { currentLocation: { pathname: string }; nextLocation: { pathname: string } }) =>
        latest.current.dirty && !bypassGuard.current && currentLocation.pathname !== nextLocation.pathname,
      [],
    ),
  )
  const [leaveSaving, setLeaveSaving] = useState(false)

  // ---- editing actions ----------------------------------------------------------------------------
  const onNodesChange = useCallback(
    (changes: NodeChange<ModuleNode>[]) => {
      if (latest.current.viewing) {
        const selections = changes.filter((c) => c.type === 'select')
        if (selections.length) {
          setViewing((v) => {
            if (!v) return v
            const picked = new Map(selections.map((c) => [c.id, c.type === 'select' && c.selected]))
            return { ...v, doc: { ...v.doc, nodes: v.doc.nodes.map((n) => (picked.has(n.id) ? { ...n, selected: picked.get(n.id) } : n)) } }
          })
        }
        const dims = changes.filter((c) => c.type === 'dimensions')
        if (dims.length) {
          setViewing((v) => {
            if (!v) return v
            const sizes = new Map(dims.map((c) => [c.id, c.type === 'dimensions' ? c.dimensions : undefined]))
            return {
              ...v,
              doc: { ...v.doc, nodes: v.doc.nodes.map((n) => (sizes.get(n.id) ? { ...n, measured: sizes.get(n.id) } : n)) },
            }
          })
        }
        return
      }
      if (latest.current.readOnly) {
        const allowed = changes.filter((c) => c.type === 'select' || c.type === 'dimensions')
        if (allowed.length) dispatch({ type: 'nodes', changes: allowed })
        return
      }
      dispatch({ type: 'nodes', changes })
    },
    [],
  )

  const onEdgesChange = useCallback((changes: EdgeChange<GraphEdgeView>[]) => {
    if (latest.current.viewing) return
    const allowed = latest.current.readOnly ? changes.filter((c) => c.type === 'select') : changes
    if (allowed.length) dispatch({ type: 'edges', changes: allowed })
  }, [])

  const check = useCallback(
    (connection: Pick<Connection, 'source' | 'target' | 'sourceHandle' | 'targetHandle'>) =>
      checkConnection(connection, latest.current.doc.nodes, latest.current.doc.edges, latest.current.specOf),
    [],
  )

  const onConnect = useCallback(
    (connection: Connection) => {
      if (latest.current.readOnly) return
      const result = check(connection)
      if (!result.ok) {
        toast({ tone: 'warning', title: 'Connection refused', text: result.reason })
        return
      }
      dispatch({
        type: 'edit',
        update: (current) => {
          const taken = new Set(current.edges.map((e) => e.id))
          const edge = makeEdge(newId('e', taken), connection.source, connection.sourceHandle ?? '', connection.target, connection.targetHandle ?? '')
          return { ...current, edges: [...current.edges, edge] }
        },
      })
    },
    [check, toast],
  )

  const onConnectRefused = useCallback((reason: string) => toast({ tone: 'warning', title: 'Connection refused', text: reason }), [toast])

  const addNode = useCallback((moduleId: string, params: Record<string, unknown>, position: { x: number; y: number }) => {
    dispatch({
      type: 'edit',
      update: (current) => {
        const taken = new Set(current.nodes.map((n) => n.id))
        const node: ModuleNode = { ...makeNode(moduleId, { x: Math.round(position.x), y: Math.round(position.y) }, params, newId('n', taken)), selected: true }
        return {
          nodes: [...current.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
          edges: current.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        }
      },
    })
    setPanel('properties')
  }, [])

  const datasetModule = useMemo(() => findDatasetModule(catalogueList), [catalogueList])

  const addEntry = useCallback(
    (payload: DragPayload, position: { x: number; y: number }) => {
      if (latest.current.readOnly) return
      if (payload.kind === 'module') {
        const spec = specs.get(payload.moduleId)
        if (spec) addNode(spec.id, defaultParams(spec), position)
      } else if (datasetModule) {
        addNode(datasetModule.spec.id, { ...defaultParams(datasetModule.spec), [datasetModule.param.id]: payload.datasetId }, position)
      }
    },
    [addNode, datasetModule, specs],
  )

  /** Where a double-clicked palette entry lands: the middle of the visible canvas, staggered. */
  const centrePosition = useCallback(() => {
    const pane = document.querySelector('.canvas')?.getBoundingClientRect()
    const centre = pane ? { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 } : { x: window.innerWidth / 2, y: window.innerHeight / 2 }
    const position = screenToFlowPosition(centre)
    const offset = (latest.current.doc.nodes.length % 6) * 24
    return { x: position.x - 110 + offset, y: position.y - 24 + offset }
  }, [screenToFlowPosition])

  const onParamChange = useCallback((nodeId: string, paramId: string, value: unknown, coalesce: boolean) => {
    dispatch({
      type: 'edit',
      group: coalesce ? `param:${nodeId}:${paramId}` : null,
      update: (current) => ({
        ...current,
        nodes: current.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params: { ...n.data.params, [paramId]: value } } } : n)),
      }),
    })
  }, [])

  const onCommentChange = useCallback((nodeId: string, comment: string) => {
    dispatch({
      type: 'edit',
      group: `comment:${nodeId}`,
      update: (current) => ({ ...current, nodes: current.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, comment } } : n)) }),
    })
  }, [])

  const seal = useCallback(() => dispatch({ type: 'seal' }), [])

  const clipboard = useRef<{ fragment: Fragment; pastes: number } | null>(null)

  const copy = useCallback(() => {
    const fragment = copySelection(latest.current.viewing ? latest.current.viewing.doc : latest.current.doc)
    if (!fragment) return false
    clipboard.current = { fragment, pastes: 0 }
    try {
      localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(fragment))
    } catch {
      /* private mode: the in-page clipboard still works */
    }
    return true
  }, [])

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
  }, [])

  const duplicate = useCallback(() => {
    if (latest.current.readOnly) return
    const fragment = copySelection(latest.current.doc)
    if (!fragment) return
    dispatch({ type: 'edit', update: (current) => pasteFragment(current, fragment, { x: PASTE_STEP, y: PASTE_STEP }) })
  }, [])

  const removeSelection = useCallback(() => {
    if (latest.current.readOnly) return
    dispatch({ type: 'edit', update: deleteSelection })
  }, [])

  const selectNode = useCallback(
    (nodeId: string) => {
      const update = (d: Doc): Doc => {
        const only = d.nodes.every((n) => !!n.selected === (n.id === nodeId)) && !d.edges.some((e) => e.selected)
        if (only) return d
        return {
          nodes: d.nodes.map((n) => (n.id === nodeId ? (n.selected ? n : { ...n, selected: true }) : n.selected ? { ...n, selected: false } : n)),
          edges: d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        }
      }
      if (latest.current.viewing) setViewing((v) => (v ? { ...v, doc: update(v.doc) } : v))
      else dispatch({ type: 'transient', update })
    },
    [],
  )

  const autoLayout = useCallback(async () => {
    if (latest.current.readOnly) return
    // dagre is only needed here: loaded on first use.
    const { layoutDoc } = await import('./layout')
    dispatch({ type: 'edit', update: layoutDoc })
    setFitRequest((n) => n + 1)
  }, [])

  // ---- running -----------------------------------------------------------------------------------
  const run = useCallback(
    async (nodes?: string[]) => {
      if (latest.current.viewing) setViewing(null)
      if (latest.current.dirty) {
        const ok = await save()
        if (!ok) return
      }
      try {
        const started: Run = await startRun(experimentId, nodes)
        setRunBarHidden(false)
        follow(started)
        setRunsRefresh((n) => n + 1)
      } catch (error) {
        const detail = error instanceof ApiError ? (error.detail as { errors?: ValidationIssue[] } | undefined) : undefined
        if (detail && Array.isArray(detail.errors)) {
          showIssues(detail.errors)
          toast({ tone: 'error', title: 'The graph has problems', text: `${detail.errors.length} problem${detail.errors.length === 1 ? '' : 's'} to fix before running — see the red marks.` })
        } else {
          toast({ tone: 'error', title: 'Could not start the run', text: errorMessage(error) })
        }
      }
    },
    [experimentId, follow, save, toast, showIssues],
  )

  const selectedIds = useMemo(() => shownDoc.nodes.filter((n) => n.selected).map((n) => n.id), [shownDoc.nodes])
  const runSelected = useCallback(() => void run(latest.current.doc.nodes.filter((n) => n.selected).map((n) => n.id)), [run])

  const cancel = useCallback(async () => {
    const current = latest.current.currentRun
    if (!current) return
    try {
      await cancelRun(current.id)
      toast({ title: `Cancelling run #${current.id}…` })
    } catch (error) {
      toast({ tone: 'error', title: 'Could not cancel the run', text: errorMessage(error) })
    }
  }, [toast])

  // ---- outputs and logs ---------------------------------------------------------------------------
  const nodeTitle = useCallback(
    (node: ModuleNode | undefined) => {
      if (!node) return 'Module'
      const spec = specOf(node.data.moduleId)
      const dsParam = spec?.params.find((p) => p.type === 'dataset')
      const dsId = dsParam ? node.data.params[dsParam.id] : undefined
      return (typeof dsId === 'string' ? datasetOf(dsId)?.name : undefined) ?? spec?.name ?? node.data.moduleId
    },
    [datasetOf, specOf],
  )

  const shownRef = useRef({ shownRun, shownDoc })
  shownRef.current = { shownRun, shownDoc }

  const openOutput = useCallback(
    (nodeId: string, port: string) => {
      const { shownRun: runNow, shownDoc: docNow } = shownRef.current
      const nodeRun = runNow?.nodes[nodeId]
      if (!runNow || !nodeRun?.outputs[port]) {
        toast({ title: 'Run the experiment first', text: 'Outputs can be visualised once the module has run.' })
        return
      }
      const node = docNow.nodes.find((n) => n.id === nodeId)
      const spec = node ? specOf(node.data.moduleId) : undefined
      const portSpec = spec?.outputs.find((p) => p.id === port)
      setOutput({
        runId: runNow.id,
        nodeId,
        port,
        portType: nodeRun.outputs[port] ?? portSpec?.type ?? 'data_table',
        title: `${nodeTitle(node)} — ${portSpec?.name ?? port}`,
        subtitle: `Run #${runNow.id}`,
      })
    },
    [nodeTitle, specOf, toast],
  )

  const openLog = useCallback(
    (nodeId: string) => {
      const { shownRun: runNow, shownDoc: docNow } = shownRef.current
      if (!runNow || !runNow.nodes[nodeId]) return
      setLogFor({ runId: runNow.id, nodeId, title: nodeTitle(docNow.nodes.find((n) => n.id === nodeId)), run: runNow.nodes[nodeId] ?? IDLE })
    },
    [nodeTitle],
  )

  /** Double-click: a failed node shows its log; a node with outputs shows its first one. */
  const openNode = useCallback(
    (node: ModuleNode) => {
      const runNow = shownRef.current.shownRun?.nodes[node.id]
      if (!runNow) return
      if (runNow.status === 'failed') return openLog(node.id)
      const spec = specOf(node.data.moduleId)
      const first = spec?.outputs.find((port) => runNow.outputs[port.id])
      if (first) openOutput(node.id, first.id)
    },
    [openLog, openOutput, specOf],
  )

  const nodeActions = useMemo(
    () => ({
      openOutput,
      openLog,
      duplicateNode: (nodeId: string) => {
        selectNode(nodeId)
        setTimeout(duplicate, 0)
      },
      deleteNode: (nodeId: string) => {
        if (latest.current.readOnly) return
        dispatch({
          type: 'edit',
          update: (current) => ({
            nodes: current.nodes.filter((n) => n.id !== nodeId),
            edges: current.edges.filter((e) => e.source !== nodeId && e.target !== nodeId),
          }),
        })
      },
      runNode: (nodeId: string) => void run([nodeId]),
    }),
    [duplicate, openLog, openOutput, run, selectNode],
  )

  const context = useMemo<EditorContextValue>(
    () => ({ specOf, datasetOf, runtime, actions: nodeActions, readOnly, running, portColumns: validation.columns }),
    [specOf, datasetOf, runtime, nodeActions, readOnly, running, validation.columns],
  )

  // ---- history ----------------------------------------------------------------------------------
  const openHistoryRun = useCallback(
    async (past: Run) => {
      try {
        const [fresh, version] = await Promise.all([getRun(past.id), getVersion(experimentId, past.experiment_version)])
        setViewing({ run: runView(fresh), doc: fromApiGraph(version.graph), version: past.experiment_version })
        setFitRequest((n) => n + 1)
      } catch (error) {
        toast({ tone: 'error', title: `Could not open run #${past.id}`, text: errorMessage(error) })
      }
    },
    [experimentId, toast],
  )

  const restoreVersion = useCallback(() => {
    const v = latest.current.viewing
    if (!v) return
    const restored: Doc = { nodes: v.doc.nodes.map((n) => ({ ...n, selected: false })), edges: v.doc.edges.map((e) => ({ ...e, selected: false })) }
    dispatch({ type: 'edit', update: () => restored })
    setViewing(null)
    setFitRequest((n) => n + 1)
    toast({ tone: 'success', title: `Version ${v.version} restored as the draft`, text: 'Save to keep it; undo brings your previous draft back.' })
  }, [toast])

  // ---- datasets & uploads -------------------------------------------------------------------------
  const { reload: reloadDatasets } = datasets
  const uploads = useUploads(
    useCallback(
      (dataset: Dataset, fileName: string) => {
        reloadDatasets()
        toast({ tone: 'success', title: `Uploaded ${fileName}`, text: `“${dataset.name}”: ${dataset.n_rows.toLocaleString('en')} rows × ${dataset.n_columns} columns. Drag it onto the canvas.` })
      },
      [reloadDatasets, toast],
    ),
  )

  const fileDepth = useRef(0)
  useEffect(() => {
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event.dataTransfer)) return
      fileDepth.current += 1
      setFileOver(true)
    }
    const onOver = (event: DragEvent) => {
      if (!hasFiles(event.dataTransfer)) return
      event.preventDefault()
      if (event.dataTransfer) event.dataTransfer.dropEffect = latest.current.readOnly ? 'none' : 'copy'
    }
    const onLeave = (event: DragEvent) => {
      if (!hasFiles(event.dataTransfer)) return
      fileDepth.current = Math.max(0, fileDepth.current - 1)
      if (fileDepth.current === 0) setFileOver(false)
    }
    const onDrop = (event: DragEvent) => {
      if (!hasFiles(event.dataTransfer)) return
      event.preventDefault()
      fileDepth.current = 0
      setFileOver(false)
      const files = [...(event.dataTransfer?.files ?? [])]
      if (files.length) uploads.upload(files)
    }
    window.addEventListener('dragenter', onEnter)
    window.addEventListener('dragover', onOver)
    window.addEventListener('dragleave', onLeave)
    window.addEventListener('drop', onDrop)
    return () => {
      window.removeEventListener('dragenter', onEnter)
      window.removeEventListener('dragover', onOver)
      window.removeEventListener('dragleave', onLeave)
      window.removeEventListener('drop', onDrop)
    }
  }, [uploads])

  // ---- export / import ----------------------------------------------------------------------------
  const exportGraph = useCallback(() => {
    const { meta: m, graph: g } = latest.current
    downloadText(fileNameFor(m.name), `${JSON.stringify(graphFile(m.name, g), null, 2)}\n`)
  }, [])

  const importFile = useCallback(
    async (file: File) => {
      const parsed = parseGraphFile(await file.text())
      if (!parsed.ok) {
        toast({ tone: 'error', title: `Cannot import ${file.name}`, text: parsed.error })
        return
      }
      setImporting({ fileName: file.name, graph: parsed.graph, result: null, error: null })
      try {
        const result = await validateGraph(parsed.graph)
        setImporting((c) => (c && c.graph === parsed.graph ? { ...c, result } : c))
      } catch (error) {
        setImporting((c) => (c && c.graph === parsed.graph ? { ...c, error: errorMessage(error) } : c))
      }
    },
    [toast],
  )

  const applyImport = useCallback(() => {
    if (!importing) return
    const imported = fromApiGraph(importing.graph)
    dispatch({ type: 'edit', update: () => imported })
    setImporting(null)
    setFitRequest((n) => n + 1)
    toast({ tone: 'success', title: `Imported ${importing.fileName}`, text: 'Save to keep it; undo brings the previous graph back.' })
  }, [importing, toast])

  // ---- keyboard -----------------------------------------------------------------------------------
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey
      const key = event.key.toLowerCase()
      if (mod && key === 's') {
        event.preventDefault()
        if (!latest.current.readOnly) void save()
        return
      }
      if (document.querySelector('[role="dialog"]')) return
      const target = event.target as HTMLElement | null
      const inField = isTextField(target)
      const inParams = !!target?.closest?.('.properties-fields, .properties-module textarea')
      if (mod && key === 'z' && (!inField || inParams)) {
        event.preventDefault()
        if (latest.current.viewing) return
        ;(target as HTMLElement | null)?.blur?.()
        dispatch({ type: 'seal' })
        dispatch({ type: event.shiftKey ? 'redo' : 'undo' })
        return
      }
      if (mod && key === 'y' && (!inField || inParams)) {
        event.preventDefault()
        if (!latest.current.viewing) dispatch({ type: 'redo' })
        return
      }
      if (inField) return
      if (mod && key === 'c') {
        if (copy()) event.preventDefault()
      } else if (mod && key === 'v') {
        event.preventDefault()
        paste()
      } else if (mod && key === 'd') {
        event.preventDefault()
        duplicate()
      } else if (mod && key === 'a') {
        event.preventDefault()
        if (latest.current.viewing) setViewing((v) => (v ? { ...v, doc: selectAll(v.doc) } : v))
        else dispatch({ type: 'transient', update: selectAll })
      } else if ((event.key === 'Delete' || event.key === 'Backspace') && !mod) {
        if (target?.closest?.('.react-flow, body') && !target.closest('.palette, .properties')) {
          event.preventDefault()
          removeSelection()
        }
      } else if (event.key === 'Escape') {
        dispatch({ type: 'transient', update: (d) => ({ nodes: d.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), edges: d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) }) })
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [copy, duplicate, paste, removeSelection, save])

  // ---- what React Flow draws ----------------------------------------------------------------------
  const decorated = useRef(new WeakMap<ModuleNode, { status: NodeStatus; node: ModuleNode }>())
  const flowNodes = useMemo(() => {
    const cache = decorated.current
    return shownDoc.nodes.map((node) => {
      const status = shownRunNodes?.[node.id]?.status ?? 'idle'
      const hit = cache.get(node)
      if (hit && hit.status === status) return hit.node
      const out: ModuleNode = {
        ...node,
        domAttributes: { 'data-module': node.data.moduleId, 'data-status': status } as ModuleNode['domAttributes'],
      }
      cache.set(node, { status, node: out })
      return out
    })
  }, [shownDoc.nodes, shownRunNodes])

  const decoratedEdges = useRef(new WeakMap<GraphEdgeView, { type: string; edge: GraphEdgeView }>())
  const flowEdges = useMemo(() => {
    const cache = decoratedEdges.current
    const moduleOf = new Map(shownDoc.nodes.map((n) => [n.id, n.data.moduleId]))
    return shownDoc.edges.map((edge) => {
      const spec = specs.get(moduleOf.get(edge.source) ?? '')
      const portType = spec?.outputs.find((p) => p.id === edge.sourceHandle)?.type ?? 'other'
      const hit = cache.get(edge)
      if (hit && hit.type === portType) return hit.edge
      const out: GraphEdgeView = { ...edge, type: 'graph', data: { portType } satisfies GraphEdgeData }
      cache.set(edge, { type: portType, edge: out })
      return out
    })
  }, [shownDoc, specs])

  const selection = useMemo(() => shownDoc.nodes.filter((n) => n.selected), [shownDoc.nodes])

  // ---- render -------------------------------------------------------------------------------------
  if (loadState === 'missing') {
    return <NotFoundPage title="Experiment not found" text="It may have been deleted, or it belongs to someone else." />
  }

  const saveLabel = saveState === 'saving' ? 'Saving…' : saveState === 'error' && dirty ? 'Not saved' : dirty ? 'Unsaved changes' : 'Saved'
  const saveTone = saveState === 'saving' ? 'saving' : dirty ? (saveState === 'error' ? 'error' : 'dirty') : 'saved'

  const crumb =
    loadState === 'ready' ? (
      <>
        <ExperimentName name={meta.name} onRename={rename} disabled={readOnly || meta.role !== 'owner'} />
        <span className={`save-indicator is-${saveTone}`} data-testid="save-state" role="status">
          <span className="save-indicator-dot" aria-hidden="true" />
          {saveLabel}
        </span>
        {meta.role === 'editor' && meta.owner ? <SharedNote owner={meta.owner.username} role="editor" /> : null}
      </>
    ) : (
      <span className="experiment-name is-loading">Loading…</span>
    )

  const readOnlyWhy = readOnlyReason(meta.role, !!viewing, meta.owner?.username)
  const showStrip = meta.role === 'viewer' && loadState === 'ready' && !!meta.owner
  const actions = (
    <>
      <div className="toolbar-group" role="group" aria-label="Edit">
        <button type="button" className="icon-btn toolbar-btn" aria-label="Undo" title="Undo (Ctrl+Z)" disabled={readOnly || !canUndo(docState)} onClick={() => dispatch({ type: 'undo' })}>
          <Icon name="undo" size={15} />
        </button>
        <button type="button" className="icon-btn toolbar-btn" aria-label="Redo" title="Redo (Ctrl+Shift+Z)" disabled={readOnly || !canRedo(docState)} onClick={() => dispatch({ type: 'redo' })}>
          <Icon name="redo" size={15} />
        </button>
        <button type="button" className="icon-btn toolbar-btn" aria-label="Auto-layout" title="Auto-layout: arrange the modules top to bottom" disabled={readOnly || doc.nodes.length === 0} onClick={() => void autoLayout()}>
          <Icon name="layout" size={15} />
        </button>
        <Menu
          label="More actions"
          triggerClassName="icon-btn toolbar-btn"
          trigger={<Icon name="more" size={15} />}
          items={[
            { label: 'Export graph as JSON', icon: <Icon name="download" />, onSelect: exportGraph, disabled: loadState !== 'ready' },
            { label: 'Import graph from JSON…', icon: <Icon name="upload" />, onSelect: () => importInput.current?.click(), disabled: readOnly },
            'separator',
            { label: 'Fit view', icon: <Icon name="eye" />, onSelect: () => setFitRequest((n) => n + 1) },
            { label: 'Select all', hint: 'Ctrl+A', onSelect: () => dispatch({ type: 'transient', update: selectAll }), disabled: readOnly },
            'separator',
            { label: 'Run history', icon: <Icon name="history" />, onSelect: () => setPanel('runs') },
          ]}
        />
      </div>
      <span className="toolbar-divider" aria-hidden="true" />
      {meta.role === 'owner' && loadState === 'ready' ? (
        <button type="button" className="btn" onClick={() => setSharing(true)} title="Share with people, turn on a read-only link, publish to the gallery">
          <Icon name="share" />
          Share
        </button>
      ) : null}
      <DisabledReason reason={readOnlyWhy}>
        <button type="button" className="btn" onClick={() => void save()} disabled={readOnly || saveState === 'saving' || loadState !== 'ready'} title={readOnlyWhy ?? 'Save (Ctrl+S)'}>
          {saveState === 'saving' ? <Spinner size={12} /> : <Icon name="save" />}
          Save
        </button>
      </DisabledReason>
      {selectedIds.length > 0 && !viewing && !running ? (
        <DisabledReason reason={readOnlyWhy}>
          <button type="button" className="btn" onClick={runSelected} disabled={readOnly || loadState !== 'ready'} title={readOnlyWhy ?? 'Run the selected modules and what they need'}>
            <Icon name="run-selected" />
            Run selected
          </button>
        </DisabledReason>
      ) : null}
      {running && meta.role !== 'viewer' ? (
        <button type="button" className="btn btn-danger-outline" onClick={() => void cancel()}>
          <Icon name="stop" />
          Cancel run
        </button>
      ) : null}
      <DisabledReason reason={readOnlyWhy}>
        <button type="button" className="btn btn-primary" onClick={() => void run()} disabled={readOnly || running || loadState !== 'ready' || doc.nodes.length === 0} title={readOnlyWhy ?? (running ? 'A run is going on' : 'Save and run the experiment')}>
          {running ? <Spinner size={12} /> : <Icon name="run" />}
          Run
        </button>
      </DisabledReason>
    </>
  )

  const emptyState = (
    <div className="canvas-empty-card">
      <svg viewBox="0 0 48 48" width="40" height="40" aria-hidden="true">
        <rect x="4" y="6" width="18" height="10" rx="3" className="ce-a" />
        <rect x="26" y="32" width="18" height="10" rx="3" className="ce-b" />
        <path d="M13 16 v8 a4 4 0 0 0 4 4 h14 a4 4 0 0 1 4 4" className="ce-line" />
      </svg>
      <p className="canvas-empty-title">Start building your experiment</p>
      <p className="canvas-empty-text">
        Drag a dataset and modules from the palette onto the canvas, then connect outputs (bottom) to inputs (top).
      </p>
    </div>
  )

  return (
    <EditorContext.Provider value={context}>
      <div className={`app-shell${readOnly ? ' is-read-only' : ''}${showStrip ? ' has-share-strip' : ''}`} data-testid="editor">
        <Header crumb={crumb} actions={actions} nav={false} />
        {showStrip && meta.owner ? (
          <ShareStrip
            title={`Shared by ${meta.owner.username} · you can view`}
            detail="Look at the graph, the runs and their outputs. To change or run it, save a copy of your own."
          >
            <button type="button" className="btn btn-small btn-primary" onClick={() => void saveSharedCopy()} disabled={cloning}>
              {cloning ? <Spinner size={12} /> : <Icon name="copy" size={12} />}
              Save a copy
            </button>
          </ShareStrip>
        ) : null}
        <main className="workspace">
          <Palette
            catalogue={catalogue}
            datasets={datasets}
            uploads={uploads.items}
            onUploadFiles={uploads.upload}
            onDismissUpload={uploads.dismiss}
            onDeleteDataset={setDeletingDataset}
            onAddModule={(spec: ModuleSpec) => addEntry({ kind: 'module', moduleId: spec.id }, centrePosition())}
            onAddDataset={(dataset) => addEntry({ kind: 'dataset', datasetId: dataset.id }, centrePosition())}
            disabled={readOnly}
          />
          <EditorCanvas
            nodes={flowNodes}
            edges={flowEdges}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            check={check}
            onDropEntry={addEntry}
            onConnectRefused={onConnectRefused}
            onNodeSelectOnly={selectNode}
            onNodeDoubleClick={openNode}
            fitRequest={fitRequest}
            emptyState={loadState === 'ready' && !viewing ? emptyState : undefined}
          >
            {loadState === 'loading' ? (
              <div className="canvas-loading">
                <Spinner size={20} label="Loading the experiment" />
              </div>
            ) : null}
            {loadState === 'error' ? (
              <div className="canvas-loading" role="alert">
                <div className="canvas-empty-card">
                  <p className="canvas-empty-title">The experiment could not be loaded</p>
                  <p className="canvas-empty-text">{loadError}</p>
                  <button type="button" className="btn btn-small" onClick={() => void load()}>
                    Try again
                  </button>
                </div>
              </div>
            ) : null}
            {viewing ? (
              <div className="readonly-banner" role="status" data-testid="readonly-banner">
                <Icon name="eye" />
                <span>
                  Run #{viewing.run.id} · version {viewing.version} · read-only
                </span>
                <button type="button" className="btn btn-small btn-primary" onClick={restoreVersion} disabled={meta.role === 'viewer'}>
                  <Icon name="restore" size={12} />
                  Restore this version
                </button>
                <button type="button" className="btn btn-small" onClick={() => setViewing(null)}>
                  Back to draft
                </button>
              </div>
            ) : currentRun && !runBarHidden ? (
              <RunBar run={currentRun} onDismiss={() => setRunBarHidden(true)} />
            ) : null}
          </EditorCanvas>
          <aside className="panel properties" aria-label="Properties">
            <div className="panel-header panel-tabs" role="tablist" aria-label="Side panel">
              <button type="button" role="tab" className="panel-tab" aria-selected={panel === 'properties'} onClick={() => setPanel('properties')}>
                Properties
              </button>
              <button type="button" role="tab" className="panel-tab" aria-selected={panel === 'runs'} onClick={() => setPanel('runs')}>
                Runs
              </button>
            </div>
            <div className="properties-body" role="tabpanel">
              {panel === 'properties' ? (
                <PropertiesPanel
                  doc={shownDoc}
                  selection={selection}
                  datasets={datasetList}
                  issues={shownIssues}
                  onParamChange={onParamChange}
                  onCommentChange={onCommentChange}
                  onSeal={seal}
                  onSelectNode={selectNode}
                  onRunSelected={runSelected}
                  onDeleteSelection={removeSelection}
                  onDuplicateSelection={duplicate}
                />
              ) : (
                <RunHistoryPanel experimentId={experimentId} refreshKey={runsRefresh} openRunId={viewing?.run.id ?? null} onOpen={(r) => void openHistoryRun(r)} />
              )}
            </div>
          </aside>
        </main>
        <StatusBar
          health={health}
          nodeCount={shownDoc.nodes.length}
          edgeCount={shownDoc.edges.length}
          validation={{ state: validation.state, errors: validation.issues.errorCount, warnings: validation.issues.warningCount }}
          readOnly={!!viewing || meta.role === 'viewer'}
        />
        <input
          ref={importInput}
          type="file"
          hidden
          accept=".json,application/json"
          aria-label="Import graph file"
          data-testid="import-file-input"
          onChange={(event) => {
            const file = event.target.files?.[0]
            event.target.value = ''
            if (file) void importFile(file)
          }}
        />
      </div>
      {fileOver && !readOnly ? (
        <div className="file-drop-overlay" aria-hidden="true">
          <div className="file-drop-card">
            <Icon name="upload" size={26} />
            <p>Drop to upload as a dataset</p>
            <span>CSV, TSV or Parquet</span>
          </div>
        </div>
      ) : null}
      {output ? <OutputDialog {...output} onClose={() => setOutput(null)} /> : null}
      {sharing && meta.owner ? (
        <Suspense fallback={null}>
          <ShareDialog experimentId={experimentId} experimentName={meta.name} owner={meta.owner} onClose={() => setSharing(false)} />
        </Suspense>
      ) : null}
      {logFor ? <NodeLogDialog {...logFor} onClose={() => setLogFor(null)} /> : null}
      {importing ? <ImportDialog candidate={importing} specOf={specOf} onImport={applyImport} onClose={() => setImporting(null)} /> : null}
      {conflict ? (
        <ConflictDialog message={conflict.message} busy={conflictBusy} onReload={() => void reloadLatest()} onSaveCopy={() => void saveAsCopy()} onClose={() => setConflict(null)} />
      ) : null}
      {blocker.state === 'blocked' ? (
        <LeaveDialog
          saving={leaveSaving}
          onStay={() => blocker.reset()}
          onLeave={() => blocker.proceed()}
          onSaveAndLeave={async () => {
            setLeaveSaving(true)
            const ok = await save()
            setLeaveSaving(false)
            if (ok) blocker.proceed()
            else blocker.reset()
          }}
        />
      ) : null}
      {deletingDataset ? (
        <Dialog
          title={`Delete dataset “${deletingDataset.name}”?`}
          tone="danger"
          size="small"
          onClose={() => setDeletingDataset(null)}
          footer={
            <>
              <button type="button" className="btn" onClick={() => setDeletingDataset(null)} data-autofocus>
                Cancel
              </button>
              <button
                type="button"
                className="btn btn-danger"
                onClick={async () => {
                  const target = deletingDataset
                  setDeletingDataset(null)
                  try {
                    await deleteDataset(target.id)
                    reloadDatasets()
                    toast({ tone: 'success', title: `Deleted “${target.name}”` })
                  } catch (error) {
                    toast({ tone: 'error', title: 'Could not delete the dataset', text: errorMessage(error) })
                  }
                }}
              >
                Delete dataset
              </button>
            </>
          }
        >
          <p>The uploaded file is removed. Experiments that use it can no longer run.</p>
        </Dialog>
      ) : null}
    </EditorContext.Provider>
  )
}
