import type { ModuleSpec, ParamSpec } from '../../api/types'

/**
 * The catalogue module that loads a saved dataset: the one without inputs whose parameter has the
 * type `dataset` (the id is not hard-coded). Returns the module and that parameter.
 */
export function findDatasetModule(catalogue: readonly ModuleSpec[]): { spec: ModuleSpec; param: ParamSpec } | null {
  for (const spec of catalogue) {
    if ((spec.inputs ?? []).length > 0) continue
    const param = (spec.params ?? []).find((p) => p.type === 'dataset')
    if (param) return { spec, param }
  }
  return null
}

export function datasetParamOf(spec: ModuleSpec | undefined): ParamSpec | undefined {
  return spec?.params?.find((p) => p.type === 'dataset')
}
