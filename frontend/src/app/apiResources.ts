import { getDatasets, getHealth, getModules } from '../api/endpoints'
import { useApiResource } from '../api/useApiResource'

const HEALTH_REFRESH_MS = 15_000

export const useHealth = () => useApiResource(getHealth, { refreshMs: HEALTH_REFRESH_MS })

export const useModuleCatalogue = () => useApiResource(getModules)

export const useDatasets = () => useApiResource(getDatasets)
