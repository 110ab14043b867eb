import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { errorMessage } from '../../api/client'
import { deleteDataset, getDataset } from '../../api/endpoints'
import type { Dataset, ModuleSpec } from '../../api/types'
import { useDatasets, useModuleCatalogue } from '../../app/apiResources'
import { useToast } from '../../ui/Toasts'
import { findDatasetModule } from '../palette/datasetModule'
import { useUploads } from '../palette/useUploads'
import type { Doc } from './graphDoc'

/** The module catalogue, and each module's spec by id. */
function useCatalogue() {
  const catalogue = useModuleCatalogue()
  const data = catalogue.data
  const list = useMemo(() => (Array.isArray(data) ? data : []), [data])
  const specs = useMemo(() => new Map(list.map((spec) => [spec.id, spec])), [list])
  const specOf = useCallback((moduleId: string): ModuleSpec | undefined => specs.get(moduleId), [specs])
  const datasetModule = useMemo(() => findDatasetModule(list), [list])
  return { catalogue, specs, specOf, datasetModule }
}

/**
 * The datasets the editor knows: the user's and the samples, plus the datasets of a shared
 * experiment's nodes (not in the recipient's list, but readable one by one); uploads (a toast when
 * one is in) and deleting one of the user's datasets.
 */
function useEditorDatasets({ doc, specOf, ready }: { doc: Doc; specOf: (moduleId: string) => ModuleSpec | undefined; ready: boolean }) {
  const toast = useToast()
  const datasets = useDatasets()
  const data = datasets.data
  const own = useMemo(() => (Array.isArray(data) ? data : []), [data])
  const [shared, setShared] = useState<Dataset[]>([])
  const list = useMemo(() => (shared.length ? [...own, ...shared] : own), [own, shared])
  const byId = useMemo(() => new Map(list.map((d) => [d.id, d])), [list])
  const datasetOf = useCallback((id: string) => byId.get(id), [byId])

  const asked = useRef(new Set<string>())
  const datasetsReady = datasets.state === 'ready'
  useEffect(() => {
    if (!ready || !datasetsReady) return
    const missing = new Set<string>()
    for (const node of doc.nodes) {
      for (const param of specOf(node.data.moduleId)?.params ?? []) {
        const value = node.data.params[param.id]
        if (param.type === 'dataset' && typeof value === 'string' && value && !byId.has(value) && !asked.current.has(value)) missing.add(value)
      }
    }
    for (const id of missing) {
      asked.current.add(id)
      getDataset(id).then(
        (found) => setShared((current) => (current.some((d) => d.id === found.id) ? current : [...current, found])),
        () => {
          /* deleted, or not readable: the node says "Dataset not found" */
        },
      )
    }
  }, [ready, datasetsReady, doc.nodes, specOf, byId])

  const { reload } = datasets
  const uploads = useUploads(
    useCallback(
      (dataset: Dataset, fileName: string) => {
        reload()
        toast({ tone: 'success', title: `Uploaded ${fileName}`, text: `“${dataset.name}”: ${dataset.n_rows.toLocaleString('en')} rows × ${dataset.n_columns} columns. Drag it onto the canvas.` })
      },
      [reload, toast],
    ),
  )

  const remove = useCallback(
    async (target: Dataset) => {
      try {
        await deleteDataset(target.id)
        reload()
        toast({ tone: 'success', title: `Deleted “${target.name}”` })
      } catch (error) {
        toast({ tone: 'error', title: 'Could not delete the dataset', text: errorMessage(error) })
      }
    },
    [reload, toast],
  )

  return { datasets, list, datasetOf, uploads, remove }
}

/** Everything the editor reads from the server besides the experiment and its runs. */
export function useEditorResources({ doc, ready }: { doc: Doc; ready: boolean }) {
  const { catalogue, specs, specOf, datasetModule } = useCatalogue()
  const datasets = useEditorDatasets({ doc, specOf, ready: ready && catalogue.state === 'ready' })
  return { catalogue, specs, specOf, datasetModule, datasets }
}
