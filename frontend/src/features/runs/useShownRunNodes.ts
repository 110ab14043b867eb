import { useEffect, useMemo, useState } from 'react'
import { getVersion } from '../../api/endpoints'
import type { Graph } from '../../api/types'
import type { NodeRunView, RunView } from './runState'
import { nodeSignatures, staleRunNodes } from './staleness'

/**
 * The statuses the canvas shows for `run`: a result the edits since made stale is left out (the node
 * shows idle, not its old status). A past run opened from the history (`current` false) shows as it ran.
 * `signatures` are the current graph's, from the latest validation (null before any).
 */
export function useShownRunNodes({
  experimentId,
  run,
  current,
  graph,
  signatures,
}: {
  experimentId: number
  run: RunView | null
  current: boolean
  graph: Graph
  signatures: Readonly<Record<string, string>> | null
}): Readonly<Record<string, NodeRunView>> | null {
  // Runs recorded before the server kept signatures are compared with the graph they ran.
  const unsigned = !!run && current && Object.values(run.nodes).some((node) => node.signature === null)
  const runId = run?.id
  const runVersion = run?.experimentVersion
  const [ranGraph, setRanGraph] = useState<{ runId: number; signatures: Map<string, string> } | null>(null)
  useEffect(() => {
    if (!unsigned || runId === undefined || runVersion === undefined) return
    let live = true
    getVersion(experimentId, runVersion).then(
      (version) => live && setRanGraph({ runId, signatures: nodeSignatures(version.graph) }),
      () => {
        /* unknown: those statuses are shown as they are */
      },
    )
    return () => {
      live = false
    }
  }, [experimentId, runId, runVersion, unsigned])

  return useMemo(() => {
    if (!run) return null
    if (!current) return run.nodes
    const legacy = ranGraph && ranGraph.runId === run.id ? { ran: ranGraph.signatures, now: nodeSignatures(graph) } : null
    const stale = staleRunNodes(run.nodes, signatures, legacy)
    if (stale.size === 0) return run.nodes
    return Object.fromEntries(Object.entries(run.nodes).filter(([id]) => !stale.has(id)))
  }, [run, current, ranGraph, graph, signatures])
}
