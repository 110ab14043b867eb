import type { SavedModel } from '../../api/models'
import type { Dataset, ModuleSpec, ParamSpec } from '../../api/types'

// The catalogue modules a palette entry other than a module drops as: a saved dataset becomes the
// module whose parameter has the type `dataset`, a saved model the one whose parameter has the type
// `trained_model`. Found by that parameter type, so no module id is hard-coded.

export interface SourceModule {
  spec: ModuleSpec
  param: ParamSpec
}

/** The module without inputs that has a parameter of `paramType`, and that parameter. */
function findSourceModule(catalogue: readonly ModuleSpec[], paramType: string): SourceModule | null {
  for (const spec of catalogue) {
    if ((spec.inputs ?? []).length > 0) continue
    const param = (spec.params ?? []).find((p) => p.type === paramType)
    if (param) return { spec, param }
  }
  return null
}

/** The module that loads a saved dataset. */
export const findDatasetModule = (catalogue: readonly ModuleSpec[]) => findSourceModule(catalogue, 'dataset')

/** The module that loads a saved (trained) model. */
export const findTrainedModelModule = (catalogue: readonly ModuleSpec[]) => findSourceModule(catalogue, 'trained_model')

export function datasetParamOf(spec: ModuleSpec | undefined): ParamSpec | undefined {
  return spec?.params?.find((p) => p.type === 'dataset')
}

export function trainedModelParamOf(spec: ModuleSpec | undefined): ParamSpec | undefined {
  return spec?.params?.find((p) => p.type === 'trained_model')
}

/** What a source node (a dataset or a saved model node) shows instead of its module's name. */
export interface SourceLabel {
  /** The dataset's or model's name; undefined when it is not chosen or not known. */
  name?: string
  /** Its size in words, or what is wrong ("Dataset not found", "Choose a trained model"). */
  subtitle: string
}

/** How the saved model a node loads is described under its name ("K-Means · k = 3 · 4 columns"). */
export function modelSummary(model: SavedModel): string {
  const columns = model.feature_columns.length
  return `${model.algorithm_name} · k = ${model.k} · ${columns} column${columns === 1 ? '' : 's'}`
}

/**
 * The label of a node that loads a dataset or a saved model, or null for any other node (and for a model
 * node where the saved models are not known: the read-only link pages).
 */
export function sourceLabel(
  spec: ModuleSpec | undefined,
  params: Readonly<Record<string, unknown>>,
  datasetOf: (id: string) => Dataset | undefined,
  modelOf: ((id: string) => SavedModel | undefined) | undefined,
): SourceLabel | null {
  const datasetParam = datasetParamOf(spec)
  if (datasetParam) {
    const id = params[datasetParam.id]
    const dataset = typeof id === 'string' ? datasetOf(id) : undefined
    if (dataset) return { name: dataset.name, subtitle: `${dataset.n_rows.toLocaleString('en')} rows × ${dataset.n_columns} columns` }
    return { subtitle: typeof id === 'string' && id ? 'Dataset not found' : 'Choose a dataset' }
  }
  const modelParam = trainedModelParamOf(spec)
  if (modelParam && modelOf) {
    const id = params[modelParam.id]
    const model = typeof id === 'string' ? modelOf(id) : undefined
    if (model) return { name: model.name, subtitle: `${model.algorithm_name} · k = ${model.k}` }
    return { subtitle: typeof id === 'string' && id ? 'Model not found' : 'Choose a trained model' }
  }
  return null
}
