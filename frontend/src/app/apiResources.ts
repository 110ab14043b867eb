import { useEffect } from 'react'
import { getDatasets, getHealth, getModules } from '../api/endpoints'
import { listModels } from '../api/models'
import { useApiResource } from '../api/useApiResource'

const HEALTH_REFRESH_MS = 15_000
const DATASETS_CHANGED = 'studio:datasets-changed'
const MODELS_CHANGED = 'studio:models-changed'

export const useHealth = () => useApiResource(getHealth, { refreshMs: HEALTH_REFRESH_MS })

export const useModuleCatalogue = () => useApiResource(getModules)

/** Tell every open list of datasets to load again (a dataset was made somewhere else on the page). */
export const announceDatasetsChanged = () => window.dispatchEvent(new Event(DATASETS_CHANGED))

export function useDatasets() {
  const datasets = useApiResource(getDatasets)
  const { reload } = datasets
  useEffect(() => {
    window.addEventListener(DATASETS_CHANGED, reload)
    return () => window.removeEventListener(DATASETS_CHANGED, reload)
  }, [reload])
  return datasets
}

/** Tell every open list of saved models to load again (a model was saved, renamed or deleted elsewhere). */
export const announceModelsChanged = () => window.dispatchEvent(new Event(MODELS_CHANGED))

const loadModels = (signal: AbortSignal) => listModels(signal).then((page) => page.data)

/** The saved models the user can use: their own and those of experiments shared with them. */
export function useModels() {
  const models = useApiResource(loadModels)
  const { reload } = models
  useEffect(() => {
    window.addEventListener(MODELS_CHANGED, reload)
    return () => window.removeEventListener(MODELS_CHANGED, reload)
  }, [reload])
  return models
}
