import { describe, expect, it } from 'vitest'
import { jsonResponse } from '../test/fixtures'
import { ApiError, apiGet, isNotFound, isUnauthorized } from './client'

describe('apiGet', () => {
  it('returns the parsed JSON body', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({ status: 'ok' })))
    await expect(apiGet('/api/health')).resolves.toEqual({ status: 'ok' })
  })

  it('turns an error status into an ApiError carrying the detail', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({ detail: 'Not Found' }, 404)))
    const error = await apiGet('/api/modules').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(404)
    expect((error as ApiError).message).toBe('Not Found')
    expect(isNotFound(error)).toBe(true)
    expect(isUnauthorized(error)).toBe(false)
  })

  it('reports an unreachable server as status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const error = await apiGet('/api/health').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(0)
  })
})
