import { useCallback, useState } from 'react'
import type { SavedModel } from '../../api/models'
import type { Dataset, ModuleSpec } from '../../api/types'
import { useToast } from '../../ui/Toasts'
import { sourceLabel } from '../palette/sourceModules'
import { IDLE, type NodeRunView, type RunView } from '../runs/runState'
import type { Doc, ModuleNode } from './graphDoc'
import { useLatest } from './useLatest'

export interface OutputShown {
  runId: number
  nodeId: string
  port: string
  portType: string
  title: string
  subtitle: string
}

export interface LogShown {
  runId: number
  nodeId: string
  title: string
  run: NodeRunView
}

/** The output viewer and the log of a node of the run being shown (from its menu, or a double-click). */
export function useNodeDialogs({
  shownRun,
  shownDoc,
  specOf,
  datasetOf,
  modelOf,
}: {
  shownRun: RunView | null
  shownDoc: Doc
  specOf: (moduleId: string) => ModuleSpec | undefined
  datasetOf: (id: string) => Dataset | undefined
  modelOf: (id: string) => SavedModel | undefined
}) {
  const toast = useToast()
  const [output, setOutput] = useState<OutputShown | null>(null)
  const [log, setLog] = useState<LogShown | null>(null)
  const latest = useLatest({ shownRun, shownDoc })

  /** A dataset or saved model node is called by its dataset's or model's name, any other by its module's. */
  const nodeTitle = useCallback(
    (node: ModuleNode | undefined) => {
      if (!node) return 'Module'
      const spec = specOf(node.data.moduleId)
      return sourceLabel(spec, node.data.params, datasetOf, modelOf)?.name ?? spec?.name ?? node.data.moduleId
    },
    [datasetOf, modelOf, specOf],
  )

  const openOutput = useCallback(
    (nodeId: string, port: string) => {
      const { shownRun: runNow, shownDoc: docNow } = latest.current
      const nodeRun = runNow?.nodes[nodeId]
      if (!runNow || !nodeRun?.outputs[port]) {
        toast({ title: 'Run the experiment first', text: 'Outputs can be visualised once the module has run.' })
        return
      }
      const node = docNow.nodes.find((n) => n.id === nodeId)
      const spec = node ? specOf(node.data.moduleId) : undefined
      const portSpec = spec?.outputs.find((p) => p.id === port)
      setOutput({
        runId: runNow.id,
        nodeId,
        port,
        portType: nodeRun.outputs[port] ?? portSpec?.type ?? 'data_table',
        title: `${nodeTitle(node)} — ${portSpec?.name ?? port}`,
        subtitle: `Run #${runNow.id}`,
      })
    },
    [latest, nodeTitle, specOf, toast],
  )

  const openLog = useCallback(
    (nodeId: string) => {
      const { shownRun: runNow, shownDoc: docNow } = latest.current
      if (!runNow || !runNow.nodes[nodeId]) return
      setLog({ runId: runNow.id, nodeId, title: nodeTitle(docNow.nodes.find((n) => n.id === nodeId)), run: runNow.nodes[nodeId] ?? IDLE })
    },
    [latest, nodeTitle],
  )

  /** Double-click: a failed node shows its log; a node with outputs shows its first one. */
  const openNode = useCallback(
    (node: ModuleNode) => {
      const runNow = latest.current.shownRun?.nodes[node.id]
      if (!runNow) return
      if (runNow.status === 'failed') return openLog(node.id)
      const first = specOf(node.data.moduleId)?.outputs.find((port) => runNow.outputs[port.id])
      if (first) openOutput(node.id, first.id)
    },
    [latest, openLog, openOutput, specOf],
  )

  const closeOutput = useCallback(() => setOutput(null), [])
  const closeLog = useCallback(() => setLog(null), [])

  return { output, log, openOutput, openLog, openNode, closeOutput, closeLog }
}
