import { describe, expect, it } from 'vitest'
import { canRedo, canUndo, createHistory, record, redo, replacePresent, seal, undo } from './history'

describe('undo history', () => {
  it('records one step per change and walks back and forth', () => {
    let h = createHistory('a')
    h = record(h, 'b')
    h = record(h, 'c')
    expect(h.present).toBe('c')
    h = undo(h)
    expect(h.present).toBe('b')
    h = undo(h)
    expect(h.present).toBe('a')
    expect(canUndo(h)).toBe(false)
    h = redo(h)
    expect(h.present).toBe('b')
    expect(canRedo(h)).toBe(true)
    h = record(h, 'x')
    expect(canRedo(h)).toBe(false)
  })

  it('coalesces changes with the same group into one step (typing in one field)', () => {
    let h = createHistory('')
    for (const text of ['1', '12', '120']) h = record(h, text, 'param:n1:iterations')
    expect(h.past).toEqual([''])
    h = undo(h)
    expect(h.present).toBe('')
  })

  it('starts a new step after a seal or another group', () => {
    let h = createHistory(0)
    h = record(h, 1, 'field-a')
    h = record(h, 2, 'field-a')
    h = seal(h)
    h = record(h, 3, 'field-a')
    h = record(h, 4, 'field-b')
    expect(h.past).toEqual([0, 2, 3])
  })

  it('keeps transient changes out of the history', () => {
    let h = createHistory({ selected: false })
    h = replacePresent(h, { selected: true })
    expect(canUndo(h)).toBe(false)
  })

  it('carries non-undoable state into the restored step', () => {
    let h = createHistory({ v: 1, size: 0 })
    h = record(h, { v: 2, size: 0 })
    h = replacePresent(h, { v: 2, size: 40 })
    h = undo(h, (target, current) => ({ ...target, size: current.size }))
    expect(h.present).toEqual({ v: 1, size: 40 })
  })
})
