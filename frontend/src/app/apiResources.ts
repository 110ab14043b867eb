import { useApiResource } from '../api/useApiResource'
import { getHealth, getModules } from '../api/endpoints'

const HEALTH_REFRESH_MS = 15_000

export const useHealth = () => useApiResource(getHealth, { refreshMs: HEALTH_REFRESH_MS })

export const useModuleCatalogue = () => useApiResource(getModules)
