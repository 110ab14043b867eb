import '@testing-library/jest-dom/vitest'
import { cleanup, configure } from '@testing-library/react'
import { afterEach, vi } from 'vitest'

// A busy machine must not fail a test: waits give up after 10 s, not Testing Library's default 1 s.
configure({ asyncUtilTimeout: 10_000 })

// jsdom has no layout engine: React Flow needs ResizeObserver and DOMMatrixReadOnly to mount.
class ResizeObserverStub implements ResizeObserver {
  private readonly callback: ResizeObserverCallback
  constructor(callback: ResizeObserverCallback) {
    this.callback = callback
  }
  observe(target: Element): void {
    const rect = { x: 0, y: 0, width: 800, height: 600, top: 0, left: 0, right: 800, bottom: 600 }
    this.callback([{ target, contentRect: { ...rect, toJSON: () => rect } } as unknown as ResizeObserverEntry], this)
  }
  unobserve(): void {}
  disconnect(): void {}
}

class DOMMatrixReadOnlyStub {
  m22: number
  constructor(transform?: string) {
    const scale = transform?.match(/scale\(([0-9.]+)\)/)?.[1]
    this.m22 = scale !== undefined ? Number(scale) : 1
  }
}

globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver
globalThis.DOMMatrixReadOnly ??= DOMMatrixReadOnlyStub as unknown as typeof DOMMatrixReadOnly

// Nodes read their size from offsetWidth/offsetHeight, which jsdom always reports as 0.
Object.defineProperties(globalThis.HTMLElement.prototype, {
  offsetHeight: { configurable: true, get: () => 40 },
  offsetWidth: { configurable: true, get: () => 180 },
})

;(globalThis.SVGElement.prototype as unknown as { getBBox: () => DOMRect }).getBBox ??= () =>
  ({ x: 0, y: 0, width: 0, height: 0 }) as DOMRect

afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})
