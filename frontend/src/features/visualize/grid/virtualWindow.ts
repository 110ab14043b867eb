// Window arithmetic of the virtualised grid: which rows to render for a scroll position, where to put
// them, and which pages of rows to fetch. Pure functions.
//
// Browsers cap an element's height (Chromium at ~33.5 million px), so a table taller than
// `maxContentHeight` is drawn in a shorter scroll area: the scroll position maps linearly onto the
// "virtual" position in the full-height table, and the rendered rows are placed so that row `first`
// sits exactly where the virtual position says. Below the cap the mapping is the identity.

export const DEFAULT_MAX_CONTENT_HEIGHT = 8_000_000

export interface WindowInput {
  scrollTop: number
  viewportHeight: number
  rowCount: number
  rowHeight: number
  /** Extra rows rendered above and below the visible ones. */
  overscan?: number
  maxContentHeight?: number
}

export interface RowWindow {
  /** First rendered row (inclusive). */
  start: number
  /** Last rendered row (exclusive). */
  end: number
  /** First and last (exclusive) row actually in view. */
  visibleStart: number
  visibleEnd: number
  /** Top of row `start`, in px from the top of the scroll content. */
  offsetY: number
  /** Height of the scroll content. */
  contentHeight: number
  /** Full height / content height (1 when the table fits under the cap). */
  scale: number
}

export function rowWindow({
  scrollTop,
  viewportHeight,
  rowCount,
  rowHeight,
  overscan = 6,
  maxContentHeight = DEFAULT_MAX_CONTENT_HEIGHT,
}: WindowInput): RowWindow {
  const rows = Math.max(0, Math.floor(rowCount))
  const fullHeight = rows * rowHeight
  const contentHeight = Math.min(fullHeight, Math.max(maxContentHeight, viewportHeight))
  const viewport = Math.max(0, viewportHeight)
  if (rows === 0 || rowHeight <= 0) {
    return { start: 0, end: 0, visibleStart: 0, visibleEnd: 0, offsetY: 0, contentHeight: 0, scale: 1 }
  }
  const maxScroll = Math.max(0, contentHeight - viewport)
  const top = Math.min(Math.max(0, scrollTop), maxScroll)
  const virtualMax = Math.max(0, fullHeight - viewport)
  const virtualTop = maxScroll > 0 && contentHeight < fullHeight ? (top / maxScroll) * virtualMax : top
  const first = Math.min(rows - 1, Math.floor(virtualTop / rowHeight))
  const within = virtualTop - first * rowHeight
  const visibleStart = first
  const visibleEnd = Math.min(rows, Math.ceil((virtualTop + viewport) / rowHeight))
  const start = Math.max(0, first - overscan)
  const end = Math.min(rows, visibleEnd + overscan)
  // Row `first` is drawn at the scroll position minus the part of it scrolled past.
  const offsetY = top - within - (first - start) * rowHeight
  return {
    start,
    end,
    visibleStart,
    visibleEnd: Math.max(visibleStart, visibleEnd),
    offsetY,
    contentHeight,
    scale: contentHeight > 0 ? fullHeight / contentHeight : 1,
  }
}

/** The pages (of `pageSize` rows) that hold rows `start` … `end − 1`. */
export function pagesForRange(start: number, end: number, pageSize: number): number[] {
  if (end <= start || pageSize <= 0) return []
  const first = Math.floor(Math.max(0, start) / pageSize)
  const last = Math.floor((end - 1) / pageSize)
  const pages: number[] = []
  for (let page = first; page <= last; page += 1) pages.push(page)
  return pages
}

/** The scroll position that brings row `index` to the top of the viewport. */
export function scrollTopForRow(index: number, input: Omit<WindowInput, 'scrollTop'>): number {
  const { rowCount, rowHeight, viewportHeight, maxContentHeight = DEFAULT_MAX_CONTENT_HEIGHT } = input
  const fullHeight = rowCount * rowHeight
  const contentHeight = Math.min(fullHeight, Math.max(maxContentHeight, viewportHeight))
  const maxScroll = Math.max(0, contentHeight - viewportHeight)
  const virtualMax = Math.max(0, fullHeight - viewportHeight)
  const virtualTop = Math.min(Math.max(0, index * rowHeight), virtualMax)
  if (contentHeight >= fullHeight || virtualMax === 0) return Math.min(virtualTop, maxScroll)
  return (virtualTop / virtualMax) * maxScroll
}

/** A column's width in px from its name and type (room for the name, the badge and typical values). */
export function columnWidth(name: string, type: string): number {
  const base = type === 'string' ? 150 : type === 'datetime' ? 180 : type === 'boolean' ? 96 : 120
  const forName = 7.4 * name.length + 56
  // Numbers are short: a long name is cut in the header (its full text is in the tooltip).
  return Math.round(Math.min(type === 'numeric' ? 200 : 280, Math.max(base, forName)))
}
