import { createContext, useContext } from 'react'
import type { SavedModel } from '../../api/models'
import type { ColumnInfo, Dataset, ModuleSpec } from '../../api/types'
import { RuntimeStore } from './runtimeStore'

export interface EditorActions {
  /** Opens the viewer of a node's output port (from the run being shown). */
  openOutput: (nodeId: string, port: string) => void
  /** Opens the log of a node in the run being shown. */
  openLog: (nodeId: string) => void
  duplicateNode: (nodeId: string) => void
  deleteNode: (nodeId: string) => void
  runNode: (nodeId: string) => void
}

export interface EditorContextValue {
  specOf: (moduleId: string) => ModuleSpec | undefined
  datasetOf: (id: string) => Dataset | undefined
  /** The saved model of a trained model node (none on the read-only link pages, which name the module). */
  modelOf?: (id: string) => SavedModel | undefined
  runtime: RuntimeStore
  actions: EditorActions
  readOnly: boolean
  /** Whether a run is going on (node actions that start one are off). */
  running: boolean
  /** The columns each output port will carry (`node_id.port`), as the server's validation inferred them. */
  portColumns?: Record<string, ColumnInfo[]>
}

const noop = () => {}

export const EditorContext = createContext<EditorContextValue>({
  specOf: () => undefined,
  datasetOf: () => undefined,
  modelOf: () => undefined,
  runtime: new RuntimeStore(),
  actions: { openOutput: noop, openLog: noop, duplicateNode: noop, deleteNode: noop, runNode: noop },
  readOnly: false,
  running: false,
})

export const useEditor = () => useContext(EditorContext)
