import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { errorMessage } from '../../api/client'
import { deleteDataset, getDataset } from '../../api/endpoints'
import { getModel, type SavedModel } from '../../api/models'
import type { Dataset, ModuleSpec } from '../../api/types'
import { useDatasets, useModels, useModuleCatalogue } from '../../app/apiResources'
import { useToast } from '../../ui/Toasts'
import { findDatasetModule, findTrainedModelModule } from '../palette/sourceModules'
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
  const trainedModelModule = useMemo(() => findTrainedModelModule(list), [list])
  return { catalogue, specs, specOf, datasetModule, trainedModelModule }
}

/** The ids the nodes' parameters of `paramType` hold that `known` does not have (nor was asked for already). */
function missingIds(nodes: Doc['nodes'], specOf: (moduleId: string) => ModuleSpec | undefined, paramType: string, known: (id: string) => boolean): Set<string> {
  const missing = new Set<string>()
  for (const node of nodes) {
    for (const param of specOf(node.data.moduleId)?.params ?? []) {
      const value = node.data.params[param.id]
      if (param.type === paramType && typeof value === 'string' && value && !known(value)) missing.add(value)
    }
  }
  return missing
}

/**
 * The saved models the editor knows: the user's and those of experiments shared with them, plus the
 * models of this experiment's nodes that are readable one by one (a shared experiment's).
 */
function useEditorModels({ doc, specOf, ready }: { doc: Doc; specOf: (moduleId: string) => ModuleSpec | undefined; ready: boolean }) {
  const models = useModels()
  const data = models.data
  const listed = useMemo(() => (Array.isArray(data) ? data : []), [data])
  const [fetched, setFetched] = useState<SavedModel[]>([])
  const list = useMemo(() => (fetched.length ? [...listed, ...fetched.filter((m) => !listed.some((l) => l.id === m.id))] : listed), [listed, fetched])
  const byId = useMemo(() => new Map(list.map((m) => [m.id, m])), [list])
  const modelOf = useCallback((id: string) => byId.get(id), [byId])

  const asked = useRef(new Set<string>())
  const modelsReady = models.state === 'ready'
  useEffect(() => {
    if (!ready || !modelsReady) return
    for (const id of missingIds(doc.nodes, specOf, 'trained_model', (value) => byId.has(value) || asked.current.has(value))) {
      asked.current.add(id)
      getModel(id).then(
        (found) => setFetched((current) => (current.some((m) => m.id === found.id) ? current : [...current, found])),
        () => {
          /* deleted, or not readable: the node says "Model not found" */
        },
      )
    }
  }, [ready, modelsReady, doc.nodes, specOf, byId])

  return { models, list, modelOf }
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
    for (const id of missingIds(doc.nodes, specOf, 'dataset', (value) => byId.has(value) || asked.current.has(value))) {
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
  const { catalogue, specs, specOf, datasetModule, trainedModelModule } = useCatalogue()
  const datasets = useEditorDatasets({ doc, specOf, ready: ready && catalogue.state === 'ready' })
  const models = useEditorModels({ doc, specOf, ready: ready && catalogue.state === 'ready' })
  return { catalogue, specs, specOf, datasetModule, trainedModelModule, datasets, models }
}
