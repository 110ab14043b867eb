import { apiGet } from './client'
import type { Health, ModuleSpec } from './types'

export const getHealth = (signal?: AbortSignal) => apiGet<Health>('/api/health', signal)

export const getModules = (signal?: AbortSignal) => apiGet<ModuleSpec[]>('/api/modules', signal)
