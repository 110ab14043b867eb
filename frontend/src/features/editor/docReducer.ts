// The editor document with its undo history, as a reducer: React Flow's change events, connections
// and the editor's own actions each become zero or one undo step.

import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react'
import { carryMeasured, EMPTY_DOC, type Doc, type GraphEdgeView, type ModuleNode } from './graphDoc'
import { createHistory, record, redo, replacePresent, seal, undo, type History } from './history'

export type DocAction =
  | { type: 'nodes'; changes: NodeChange<ModuleNode>[] }
  | { type: 'edges'; changes: EdgeChange<GraphEdgeView>[] }
  /** An undoable edit; changes with the same `group` coalesce into one step until sealed. */
  | { type: 'edit'; update: (doc: Doc) => Doc; group?: string | null }
  /** A change that is not an undo step (selection). */
  | { type: 'transient'; update: (doc: Doc) => Doc }
  | { type: 'seal' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'reset'; doc: Doc }

export type DocState = History<Doc>

export const initialDocState: DocState = createHistory(EMPTY_DOC)

const TRANSIENT_NODE_CHANGES = new Set(['select', 'dimensions'])

export function docReducer(state: DocState, action: DocAction): DocState {
  switch (action.type) {
    case 'nodes': {
      const next = { ...state.present, nodes: applyNodeChanges(action.changes, state.present.nodes) }
      if (action.changes.every((change) => TRANSIENT_NODE_CHANGES.has(change.type))) {
        return replacePresent(state, next)
      }
      const positions = action.changes.filter((change) => change.type === 'position')
      if (positions.length === action.changes.length) {
        const dragging = positions.some((change) => change.type === 'position' && change.dragging)
        if (dragging) return record(state, next, 'drag')
        // The drag ended: fold the last move into the drag's step and close it.
        if (state.group === 'drag') return seal(record(state, next, 'drag'))
        // React Flow reports the end of a drag without a position; that is no change at all.
        const moved = positions.some((change) => change.type === 'position' && change.position)
        return moved ? record(state, next, null) : replacePresent(state, next)
      }
      return record(state, next, null)
    }
    case 'edges': {
      const next = { ...state.present, edges: applyEdgeChanges(action.changes, state.present.edges) }
      if (action.changes.every((change) => change.type === 'select')) return replacePresent(state, next)
      return record(state, next, null)
    }
    case 'edit': {
      const next = action.update(state.present)
      if (next === state.present) return state
      return record(state, next, action.group ?? null)
    }
    case 'transient':
      return replacePresent(state, action.update(state.present))
    case 'seal':
      return seal(state)
    case 'undo':
      return undo(state, carryMeasured)
    case 'redo':
      return redo(state, carryMeasured)
    case 'reset':
      return createHistory(action.doc)
    default:
      return state
  }
}
