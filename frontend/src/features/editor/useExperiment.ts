import { useCallback, useEffect, useRef, useState, type Dispatch } from 'react'
import { useNavigate } from 'react-router'
import { errorMessage, isConflict, isNotFound } from '../../api/client'
import { cloneExperiment, createExperiment, getExperiment, getRun, updateExperiment } from '../../api/endpoints'
import type { Experiment, Graph, Run, User } from '../../api/types'
import { useToast } from '../../ui/Toasts'
import type { DocAction } from './docReducer'
import { fromApiGraph, graphKey, toApiGraph } from './graphDoc'
import { useLatest } from './useLatest'

export type LoadState = 'loading' | 'ready' | 'missing' | 'error'
export type SaveState = 'idle' | 'saving' | 'error'

export interface ExperimentMeta {
  name: string
  version: number
  role: string
  owner: User | null
}

/**
 * The experiment behind the editor: loading it (and following its last run), saving the draft
 * (one save at a time; a version conflict opens the conflict dialog), renaming, and the copies
 * (after a conflict, or a viewer's own copy), which leave for the copy's editor.
 */
export function useExperiment({
  experimentId,
  graph,
  graphKey: key,
  dispatch,
  requestFit,
  followRun,
}: {
  experimentId: number
  graph: Graph
  graphKey: string
  dispatch: Dispatch<DocAction>
  requestFit: () => void
  followRun: (run: Run) => void
}) {
  const navigate = useNavigate()
  const toast = useToast()
  const [loadState, setLoadState] = useState<LoadState>('loading')
  const [loadError, setLoadError] = useState<string | null>(null)
  const [meta, setMeta] = useState<ExperimentMeta>({ name: '', version: 0, role: 'owner', owner: null })
  const [savedKey, setSavedKey] = useState('')
  const [saveState, setSaveState] = useState<SaveState>('idle')
  const [conflict, setConflict] = useState<{ message: string } | null>(null)
  const [conflictBusy, setConflictBusy] = useState(false)
  const [cloning, setCloning] = useState(false)
  // Set when the editor leaves for a copy: nothing unsaved is lost then, so the leave guard lets it go.
  const leavingForCopy = useRef(false)
  const dirty = loadState === 'ready' && key !== savedKey
  const latest = useLatest({ graph, key, meta })
  // Ahead of the state after a save, so that a second save right after it sends nothing.
  const savedKeyRef = useRef(savedKey)
  savedKeyRef.current = savedKey

  const apply = useCallback(
    (experiment: Experiment) => {
      const loaded = fromApiGraph(experiment.graph)
      dispatch({ type: 'reset', doc: loaded })
      setMeta({ name: experiment.name, version: experiment.version, role: experiment.my_role ?? 'owner', owner: experiment.owner ?? null })
      setSavedKey(graphKey(toApiGraph(loaded)))
      setLoadState('ready')
      requestFit()
    },
    [dispatch, requestFit],
  )

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const experiment = await getExperiment(experimentId, signal)
        apply(experiment)
        if (experiment.last_run) {
          try {
            followRun(await getRun(experiment.last_run.id, signal))
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
    [experimentId, apply, followRun],
  )

  useEffect(() => {
    const controller = new AbortController()
    void load(controller.signal)
    return () => controller.abort()
  }, [load])

  const saving = useRef<Promise<boolean> | null>(null)
  /** Saves the draft if it changed; true when what is shown is saved. */
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
          if (isConflict(error)) setConflict({ message: errorMessage(error) })
          else toast({ tone: 'error', title: 'Could not save', text: errorMessage(error) })
          return false
        },
      )
      .finally(() => {
        saving.current = null
      })
    saving.current = promise
    return promise
  }, [experimentId, latest, toast])

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
    [experimentId, latest, toast],
  )

  /** After a conflict: show the version saved by someone else, dropping the draft. */
  const reloadLatest = useCallback(async () => {
    setConflictBusy(true)
    try {
      apply(await getExperiment(experimentId))
      setConflict(null)
      toast({ title: 'Reloaded the saved version' })
    } catch (error) {
      toast({ tone: 'error', title: 'Could not reload', text: errorMessage(error) })
    } finally {
      setConflictBusy(false)
    }
  }, [apply, experimentId, toast])

  /** After a conflict: the draft as a new experiment of the user's. */
  const saveAsCopy = useCallback(async () => {
    setConflictBusy(true)
    try {
      const copy = await createExperiment(`${latest.current.meta.name} (copy)`, latest.current.graph)
      setConflict(null)
      leavingForCopy.current = true
      toast({ tone: 'success', title: `Saved as “${copy.name}”` })
      navigate(`/experiments/${copy.id}`)
    } catch (error) {
      toast({ tone: 'error', title: 'Could not save a copy', text: errorMessage(error) })
    } finally {
      setConflictBusy(false)
    }
  }, [latest, navigate, toast])

  /** A viewer's own copy of the shared experiment. */
  const saveSharedCopy = useCallback(async () => {
    setCloning(true)
    try {
      const copy = await cloneExperiment(experimentId, `${latest.current.meta.name} (copy)`)
      leavingForCopy.current = true
      toast({ tone: 'success', title: `Saved as “${copy.name}”`, text: 'This copy is yours: change it, save it and run it.' })
      navigate(`/experiments/${copy.id}`)
    } catch (error) {
      toast({ tone: 'error', title: 'Could not save a copy', text: errorMessage(error) })
    } finally {
      setCloning(false)
    }
  }, [experimentId, latest, navigate, toast])

  const dismissConflict = useCallback(() => setConflict(null), [])

  return {
    loadState,
    loadError,
    reload: load,
    meta,
    dirty,
    saveState,
    save,
    rename,
    conflict,
    conflictBusy,
    dismissConflict,
    reloadLatest,
    saveAsCopy,
    cloning,
    saveSharedCopy,
    leavingForCopy,
  }
}
