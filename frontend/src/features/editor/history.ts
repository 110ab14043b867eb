// An undo stack where one user action is one step. Consecutive changes that carry the same `group`
// key (typing in one field, the moves of one node drag) coalesce into a single step until the group
// is sealed (the field loses focus, the drag ends) or a change with another key arrives.

export const HISTORY_LIMIT = 200

export interface History<T> {
  past: T[]
  present: T
  future: T[]
  /** The group of the newest step, while it is still open for coalescing. */
  group: string | null
}

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], group: null }
}

/** Records `next` as a new undo step, or folds it into the newest step when `group` matches it. */
export function record<T>(history: History<T>, next: T, group: string | null = null): History<T> {
  if (group !== null && history.group === group) {
    return { ...history, present: next, future: [] }
  }
  const past = [...history.past, history.present]
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT)
  return { past, present: next, future: [], group }
}

/** Replaces the present without an undo step (selection, measured sizes, run decorations). */
export function replacePresent<T>(history: History<T>, next: T): History<T> {
  return next === history.present ? history : { ...history, present: next }
}

/** Closes the open group: the next change starts a new step even with the same key. */
export function seal<T>(history: History<T>): History<T> {
  return history.group === null ? history : { ...history, group: null }
}

export function canUndo<T>(history: History<T>): boolean {
  return history.past.length > 0
}

export function canRedo<T>(history: History<T>): boolean {
  return history.future.length > 0
}

/** Steps back. `carry(target, current)` may carry state that is not undoable (e.g. measured sizes). */
export function undo<T>(history: History<T>, carry?: (target: T, current: T) => T): History<T> {
  if (history.past.length === 0) return history
  const previous = history.past[history.past.length - 1]
  return {
    past: history.past.slice(0, -1),
    present: carry ? carry(previous, history.present) : previous,
    future: [history.present, ...history.future],
    group: null,
  }
}

export function redo<T>(history: History<T>, carry?: (target: T, current: T) => T): History<T> {
  if (history.future.length === 0) return history
  const [next, ...rest] = history.future
  return {
    past: [...history.past, history.present],
    present: carry ? carry(next, history.present) : next,
    future: rest,
    group: null,
  }
}
