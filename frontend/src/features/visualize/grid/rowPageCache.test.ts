import { describe, expect, it, vi } from 'vitest'
import { RowPageCache } from './rowPageCache'

function deferredLoader() {
  const calls: Array<{ offset: number; limit: number; resolve: (rows: unknown[][]) => void; reject: (e: unknown) => void; signal: AbortSignal }> = []
  const load = vi.fn(
    (offset: number, limit: number, signal: AbortSignal) =>
      new Promise<{ rows: unknown[][]; total: number }>((resolve, reject) => {
        calls.push({ offset, limit, signal, resolve: (rows) => resolve({ rows, total: 1000 }), reject })
      }),
  )
  return { load, calls }
}

const rows = (offset: number, n: number) => Array.from({ length: n }, (_, i) => [offset + i])
const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('RowPageCache', () => {
  it('fetches the pages of a range once, in pages of pageSize', async () => {
    const { load, calls } = deferredLoader()
    const onChange = vi.fn()
    const cache = new RowPageCache(load, { pageSize: 200, onChange })
    cache.ensure(150, 260)
    cache.ensure(150, 260)
    expect(calls.map((c) => [c.offset, c.limit])).toEqual([[0, 200], [200, 200]])
    expect(cache.get(150)).toBeUndefined()
    calls[0].resolve(rows(0, 200))
    await flush()
    expect(cache.get(150)).toEqual([150])
    expect(cache.total).toBe(1000)
    expect(onChange).toHaveBeenCalledTimes(1)
    cache.ensure(0, 10)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('shows seeded preview rows until their page arrives', () => {
    const { load } = deferredLoader()
    const cache = new RowPageCache(load, { pageSize: 200 })
    cache.seed(rows(0, 100))
    expect(cache.get(42)).toEqual([42])
    expect(cache.get(120)).toBeUndefined()
  })

  it('limits concurrent fetches and drops queued pages the grid scrolled past', async () => {
    const { load, calls } = deferredLoader()
    const cache = new RowPageCache(load, { pageSize: 100, concurrency: 2 })
    cache.ensure(0, 500) // pages 0-4: two start, three wait
    expect(calls).toHaveLength(2)
    cache.ensure(2000, 2100) // scrolled far away: only page 20 is wanted now
    calls[0].resolve(rows(0, 100))
    await flush()
    expect(calls.map((c) => c.offset)).toEqual([0, 100, 2000])
  })

  it('keeps at most maxPages pages, dropping the least recently used', async () => {
    const { load, calls } = deferredLoader()
    const cache = new RowPageCache(load, { pageSize: 10, maxPages: 4, concurrency: 10 })
    for (let page = 0; page < 6; page += 1) {
      cache.ensure(page * 10, page * 10 + 10)
      calls[page].resolve(rows(page * 10, 10))
      await flush()
      if (page === 3) cache.ensure(0, 10) // touch page 0
    }
    expect(cache.cachedPages.sort()).toEqual([0, 3, 4, 5])
  })

  it('reports a failure and retries', async () => {
    const { load, calls } = deferredLoader()
    const cache = new RowPageCache(load, { pageSize: 10 })
    cache.ensure(0, 5)
    calls[0].reject(new Error('boom'))
    await flush()
    expect(cache.error).toBeInstanceOf(Error)
    cache.retry(0, 5)
    expect(calls).toHaveLength(2)
    calls[1].resolve(rows(0, 10))
    await flush()
    expect(cache.error).toBeNull()
    expect(cache.get(3)).toEqual([3])
  })

  it('aborts what is in flight when disposed', () => {
    const { load, calls } = deferredLoader()
    const cache = new RowPageCache(load, { pageSize: 10 })
    cache.ensure(0, 5)
    cache.dispose()
    expect(calls[0].signal.aborted).toBe(true)
  })
})
