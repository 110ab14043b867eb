// Rows of a table output, fetched in pages as the grid scrolls and kept in a small LRU cache.
import { pagesForRange } from './virtualWindow'

export type PageLoader = (offset: number, limit: number, signal: AbortSignal) => Promise<{ rows: unknown[][]; total?: number }>

export interface RowPageCacheOptions {
  pageSize?: number
  /** Pages kept in memory (least recently used ones are dropped). */
  maxPages?: number
  /** Pages fetched at the same time. */
  concurrency?: number
  /** Called whenever pages arrive or fail. */
  onChange?: () => void
}

export class RowPageCache {
  readonly pageSize: number
  private readonly maxPages: number
  private readonly concurrency: number
  private readonly load: PageLoader
  private readonly onChange: () => void
  private readonly pages = new Map<number, unknown[][]>()
  private readonly inFlight = new Map<number, AbortController>()
  private queue: number[] = []
  private seeded: unknown[][] = []
  private disposed = false
  error: unknown = null
  /** The total row count reported by the server (−1 until a page arrived). */
  total = -1

  constructor(load: PageLoader, options: RowPageCacheOptions = {}) {
    this.load = load
    this.pageSize = options.pageSize ?? 200
    this.maxPages = Math.max(4, options.maxPages ?? 60)
    this.concurrency = Math.max(1, options.concurrency ?? 3)
    this.onChange = options.onChange ?? (() => {})
  }

  /** Rows already known from elsewhere (the summary's preview), shown until their page arrives. */
  seed(rows: unknown[][]): void {
    this.seeded = rows
  }

  /** Row `index`, or undefined while its page is not here. */
  get(index: number): unknown[] | undefined {
    const page = Math.floor(index / this.pageSize)
    const rows = this.pages.get(page)
    if (rows) return rows[index - page * this.pageSize]
    return index < this.seeded.length ? this.seeded[index] : undefined
  }

  has(page: number): boolean {
    return this.pages.has(page)
  }

  get pendingCount(): number {
    return this.inFlight.size + this.queue.length
  }

  get cachedPages(): number[] {
    return [...this.pages.keys()]
  }

  /**
   * Make sure rows `start` … `end − 1` are here or on their way. Queued pages that are no longer
   * wanted are dropped (the grid scrolled past them); pages already being fetched finish.
   */
  ensure(start: number, end: number): void {
    if (this.disposed) return
    const wanted = pagesForRange(start, end, this.pageSize)
    for (const page of wanted) {
      const rows = this.pages.get(page)
      if (rows) {
        // Touch: most recently used last.
        this.pages.delete(page)
        this.pages.set(page, rows)
      }
    }
    this.queue = wanted.filter((page) => !this.pages.has(page) && !this.inFlight.has(page))
    this.pump()
  }

  private pump(): void {
    while (!this.disposed && this.inFlight.size < this.concurrency && this.queue.length > 0) {
      const page = this.queue.shift()!
      const controller = new AbortController()
      this.inFlight.set(page, controller)
      this.load(page * this.pageSize, this.pageSize, controller.signal).then(
        (result) => {
          if (this.disposed || controller.signal.aborted) return
          this.inFlight.delete(page)
          this.pages.set(page, result.rows)
          if (typeof result.total === 'number') this.total = result.total
          this.error = null
          this.evict()
          this.pump()
          this.onChange()
        },
        (error: unknown) => {
          if (this.disposed || controller.signal.aborted) return
          this.inFlight.delete(page)
          this.error = error
          this.pump()
          this.onChange()
        },
      )
    }
  }

  private evict(): void {
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value as number
      this.pages.delete(oldest)
    }
  }

  /** Forget a failed state and fetch the range again. */
  retry(start: number, end: number): void {
    this.error = null
    this.ensure(start, end)
  }

  dispose(): void {
    this.disposed = true
    for (const controller of this.inFlight.values()) controller.abort()
    this.inFlight.clear()
    this.queue = []
  }
}
