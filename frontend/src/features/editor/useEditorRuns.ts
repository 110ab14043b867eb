import { useCallback, useState } from 'react'
import { ApiError, errorMessage } from '../../api/client'
import { cancelRun, startRun } from '../../api/endpoints'
import type { ValidationIssue } from '../../api/types'
import { useToast } from '../../ui/Toasts'
import { isFinal, type RunView } from '../runs/runState'
import { useRunFollower } from '../runs/useRunController'
import { useLatest } from './useLatest'

/** The experiment's current run, followed live; a toast when it ends, and a refresh of the run history. */
export function useFollowedRun() {
  const toast = useToast()
  const [runsRefresh, setRunsRefresh] = useState(0)
  const refreshRuns = useCallback(() => setRunsRefresh((n) => n + 1), [])
  const onFinished = useCallback(
    (finished: RunView) => {
      refreshRuns()
      const failed = Object.values(finished.nodes).filter((n) => n.status === 'failed').length
      if (finished.status === 'succeeded') toast({ tone: 'success', title: `Run #${finished.id} succeeded` })
      else if (finished.status === 'failed') toast({ tone: 'error', title: `Run #${finished.id} failed`, text: failed ? `${failed} module${failed === 1 ? '' : 's'} failed — click a failed module for its log.` : (finished.error ?? undefined) })
      else if (finished.status === 'cancelled') toast({ tone: 'warning', title: `Run #${finished.id} cancelled` })
    },
    [refreshRuns, toast],
  )
  const { run, follow } = useRunFollower(onFinished)
  return { run, running: !!run && !isFinal(run.status), follow, runsRefresh, refreshRuns }
}

/**
 * Starting a run (of everything, of the selection, of one node) and cancelling it. A run starts from
 * the saved draft: unsaved changes are saved first; a graph the server refuses shows its problems.
 */
export function useRunActions({
  experimentId,
  followed,
  dirty,
  save,
  selectedNodes,
  leaveViewedRun,
  showIssues,
}: {
  experimentId: number
  followed: ReturnType<typeof useFollowedRun>
  dirty: boolean
  save: () => Promise<boolean>
  /** The draft's selected nodes (what "Run selected" runs). */
  selectedNodes: () => string[]
  leaveViewedRun: () => void
  showIssues: (errors: ValidationIssue[]) => void
}) {
  const toast = useToast()
  const [runBarHidden, setRunBarHidden] = useState(false)
  const { follow, refreshRuns, run: current } = followed
  const latest = useLatest({ dirty, current })

  const run = useCallback(
    async (nodes?: string[]) => {
      leaveViewedRun()
      if (latest.current.dirty && !(await save())) return
      try {
        const started = await startRun(experimentId, nodes)
        setRunBarHidden(false)
        follow(started)
        refreshRuns()
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
    [experimentId, follow, latest, leaveViewedRun, refreshRuns, save, showIssues, toast],
  )

  const runSelected = useCallback(() => void run(selectedNodes()), [run, selectedNodes])

  const cancel = useCallback(async () => {
    const current = latest.current.current
    if (!current) return
    try {
      await cancelRun(current.id)
      toast({ title: `Cancelling run #${current.id}…` })
    } catch (error) {
      toast({ tone: 'error', title: 'Could not cancel the run', text: errorMessage(error) })
    }
  }, [latest, toast])

  const hideRunBar = useCallback(() => setRunBarHidden(true), [])

  return { run, runSelected, cancel, runBarHidden, hideRunBar }
}
