import { describe, expect, it } from 'vitest'
import type { Run } from '../../api/types'
import { applyRunEvent, describeTimings, formatDuration, nodeStatus, runView, summariseRun } from './runState'

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

  it('keeps where a node\'s time went and says it in words', () => {
    const timings = { module_ms: 700, inputs_ms: 3, outputs_ms: 40, charts_ms: 5, other_ms: 4, outside_ms: 52, total_ms: 752 }
    let view = runView(run)
    view = applyRunEvent(view, { type: 'node', node_id: 'a', status: 'succeeded', cached: false, duration_ms: 752, timings })
    expect(view.nodes.a.timings).toEqual(timings)
    view = applyRunEvent(view, { type: 'node', node_id: 'a', progress: 1 })
    expect(view.nodes.a.timings).toEqual(timings)
    expect(view.nodes.b.timings).toBeNull()
    expect(describeTimings(timings)).toBe('Module 700 ms · outside it 52 ms: inputs 3 ms, outputs 40 ms, charts 5 ms, other 4 ms')
  })
})
