import { useEffect } from 'react'
import { getDatasets, getHealth, getModules } from '../api/endpoints'
import { useApiResource } from '../api/useApiResource'

const HEALTH_REFRESH_MS = 15_000
const DATASETS_CHANGED = 'studio:datasets-changed'

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
