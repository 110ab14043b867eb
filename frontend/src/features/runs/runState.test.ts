import { describe, expect, it } from 'vitest'
import type { Run } from '../../api/types'
import { applyRunEvent, formatDuration, nodeStatus, runView, summariseRun } from './runState'

const run: Run = {
  id: 3,
  experiment_id: 1,
  experiment_version: 2,
  status: 'queued',
  created_at: '2026-01-01T00:00:00Z',
  nodes: {
    a: { node_id: 'a', status: 'queued', cached: false },
    b: { node_id: 'b', status: 'queued', cached: false },
  },
}

describe('run state from the event stream', () => {
  it('maps API statuses to canvas statuses', () => {
    expect(nodeStatus('succeeded', true)).toBe('cached')
    expect(nodeStatus('succeeded', false)).toBe('succeeded')
    expect(nodeStatus('interrupted', false)).toBe('cancelled')
    expect(nodeStatus(undefined, false)).toBe('idle')
  })

  it('merges progress events and the final event', () => {
    let view = runView(run)
    view = applyRunEvent(view, { type: 'node', node_id: 'a', status: 'running', progress: 0.4 })
    expect(view.nodes.a).toMatchObject({ status: 'running', progress: 0.4 })
    view = applyRunEvent(view, { type: 'node', node_id: 'a', status: 'succeeded', cached: true, duration_ms: 12, progress: 1 })
    expect(view.nodes.a).toMatchObject({ status: 'cached', durationMs: 12 })
    view = applyRunEvent(view, { type: 'run', run_id: 3, status: 'cancelled', final: true })
    expect(view.status).toBe('cancelled')
    expect(view.nodes.b.status).toBe('cancelled')
    expect(summariseRun(view)).toMatchObject({ total: 2, done: 1, cached: 1 })
  })

  it('formats durations', () => {
    expect(formatDuration(850)).toBe('850 ms')
    expect(formatDuration(3210)).toBe('3.2 s')
    expect(formatDuration(125000)).toBe('2 min 5 s')
    expect(formatDuration(null)).toBe('')
  })
})
