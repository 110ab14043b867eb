// Run and node statuses as the canvas shows them, merged from the run snapshot and the SSE events.

import type { NodeError, NodeRun, NodeTimings, Run, RunStatus } from '../../api/types'

/** The statuses a canvas node shows (`data-status`). */
export type NodeStatus = 'idle' | 'queued' | 'running' | 'succeeded' | 'cached' | 'failed' | 'cancelled'

export interface NodeRunView {
  status: NodeStatus
  apiStatus: RunStatus | 'idle'
  progress: number
  durationMs: number | null
  /** Where the worker's time went (null: reused, not run yet, or an older run). */
  timings: NodeTimings | null
  error: NodeError | null
  cached: boolean
  outputs: Record<string, string>
  /** The server's cache signature the node ran with (null: unknown, an older run). */
  signature: string | null
}

export const IDLE: NodeRunView = Object.freeze({
  status: 'idle',
  apiStatus: 'idle',
  progress: 0,
  durationMs: null,
  timings: null,
  error: null,
  cached: false,
  outputs: {},
  signature: null,
}) as NodeRunView

export function nodeStatus(status: RunStatus | string | undefined, cached: boolean | undefined): NodeStatus {
  switch (status) {
    case 'queued':
      return 'queued'
    case 'running':
      return 'running'
    case 'succeeded':
      return cached ? 'cached' : 'succeeded'
    case 'failed':
      return 'failed'
    case 'cancelled':
    case 'interrupted':
      return 'cancelled'
    default:
      return 'idle'
  }
}

export function nodeView(run: Partial<NodeRun>, previous: NodeRunView = IDLE): NodeRunView {
  const cached = run.cached ?? previous.cached
  const apiStatus = (run.status ?? previous.apiStatus) as RunStatus | 'idle'
  return {
    status: nodeStatus(apiStatus, cached),
    apiStatus,
    progress: run.progress ?? (apiStatus === 'succeeded' ? 1 : previous.progress),
    durationMs: run.duration_ms !== undefined ? run.duration_ms : previous.durationMs,
    timings: run.timings !== undefined ? run.timings : previous.timings,
    error: run.error !== undefined ? run.error : previous.error,
    cached,
    outputs: run.outputs ?? previous.outputs,
    signature: run.signature !== undefined ? run.signature : previous.signature,
  }
}

export const FINAL_STATUSES: readonly string[] = ['succeeded', 'failed', 'cancelled', 'interrupted']
export const isFinal = (status: string | undefined) => !!status && FINAL_STATUSES.includes(status)

export interface RunView {
  id: number
  experimentVersion: number
  status: RunStatus
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  error: string | null
  nodes: Record<string, NodeRunView>
}

export function runView(run: Run): RunView {
  const nodes: Record<string, NodeRunView> = {}
  for (const [id, node] of Object.entries(run.nodes ?? {})) nodes[id] = nodeView(node)
  return {
    id: run.id,
    experimentVersion: run.experiment_version,
    status: run.status,
    createdAt: run.created_at,
    startedAt: run.started_at ?? null,
    finishedAt: run.finished_at ?? null,
    error: run.error ?? null,
    nodes,
  }
}

export type RunEvent =
  | ({ type: 'snapshot' } & Run)
  | ({ type: 'node'; node_id: string } & Partial<NodeRun>)
  | { type: 'run'; run_id: number; status: RunStatus; final?: boolean }

/** A run after one event of its SSE stream. */
export function applyRunEvent(view: RunView, event: RunEvent): RunView {
  if (event.type === 'snapshot') {
    const next = runView(event)
    // A snapshot never moves a node backwards from what an event already said.
    return { ...next, nodes: { ...next.nodes } }
  }
  if (event.type === 'node') {
    const previous = view.nodes[event.node_id]
    const { type: _type, ...patch } = event
    return {
      ...view,
      status: view.status === 'queued' ? 'running' : view.status,
      nodes: { ...view.nodes, [event.node_id]: nodeView(patch, previous) },
    }
  }
  if (event.type === 'run') {
    let nodes = view.nodes
    if (isFinal(event.status) && event.status !== 'succeeded') {
      // Nodes left waiting when a run stops did not run.
      nodes = Object.fromEntries(
        Object.entries(view.nodes).map(([id, node]) =>
          node.status === 'queued' || node.status === 'running'
            ? [id, { ...node, status: 'cancelled' as const, apiStatus: 'cancelled' as const }]
            : [id, node],
        ),
      )
    }
    return { ...view, status: event.status, nodes }
  }
  return view
}

export interface RunSummary {
  total: number
  done: number
  failed: number
  cached: number
  running: number
}

export function summariseRun(view: RunView): RunSummary {
  const summary: RunSummary = { total: 0, done: 0, failed: 0, cached: 0, running: 0 }
  for (const node of Object.values(view.nodes)) {
    summary.total += 1
    if (node.status === 'succeeded' || node.status === 'cached') summary.done += 1
    if (node.status === 'cached') summary.cached += 1
    if (node.status === 'failed') summary.failed += 1
    if (node.status === 'running') summary.running += 1
  }
  return summary
}

/** "850 ms", "3.2 s", "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return ''
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  const s = ms / 1000
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`
  const m = Math.floor(s / 60)
  return `${m} min ${Math.round(s - m * 60)} s`
}

/** "Module 700 ms · outside it 52 ms: inputs 3 ms, outputs 40 ms, charts 5 ms, other 4 ms". */
export function describeTimings(timings: NodeTimings): string {
  const parts = (['inputs', 'outputs', 'charts', 'other'] as const)
    .map((part) => `${part} ${formatDuration(timings[`${part}_ms`])}`)
    .join(', ')
  return `Module ${formatDuration(timings.module_ms)} · outside it ${formatDuration(timings.outside_ms)}: ${parts}`
}
