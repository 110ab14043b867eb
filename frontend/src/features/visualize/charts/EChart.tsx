import type { EChartsOption } from 'echarts'
import type { EChartsType } from 'echarts/core'
import { useEffect, useRef, useState } from 'react'

type EChartsModule = typeof import('./echartsSetup')

let loading: Promise<EChartsModule> | null = null

/** Load the chart library once (its own chunk); a failed load may be retried. */
export function loadECharts(): Promise<EChartsModule> {
  loading ??= import('./echartsSetup').catch((error: unknown) => {
    loading = null
    throw error
  })
  return loading
}

export interface RenderInfo {
  /** Time from setOption to ECharts' 'finished' event, in ms. */
  renderMs: number
  /** performance.now() when the chart finished drawing (ms since the page's navigation started). */
  at: number
}

export interface EChartProps {
  option: EChartsOption
  height: number
  /** Accessible description of the picture (the chart is role="img"). */
  label: string
  testId?: string
  className?: string
  /** Extra data-* attributes for the chart element (e.g. what it draws, for tests). */
  data?: Record<string, string | number | boolean>
  onRendered?: (info: RenderInfo) => void
}

/**
 * One ECharts chart (canvas renderer). The library is imported lazily on first use; the option is
 * applied whole (notMerge). When ECharts reports 'finished', the element gets data-rendered="true",
 * data-render-ms and data-rendered-at (performance.now()).
 */
export function EChart({ option, height, label, testId, className, data, onRendered }: EChartProps) {
  const hostRef = useRef<HTMLDivElement>(null)
  const frameRef = useRef<HTMLDivElement>(null)
  const chartRef = useRef<EChartsType | null>(null)
  const renderedRef = useRef(onRendered)
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading')

  useEffect(() => {
    renderedRef.current = onRendered
  }, [onRendered])

  useEffect(() => {
    let cancelled = false
    let observer: ResizeObserver | undefined
    loadECharts().then(
      ({ init }) => {
        const host = hostRef.current
        if (cancelled || !host) return
        const chart = init(host, undefined, { renderer: 'canvas' })
        chartRef.current = chart
        observer = new ResizeObserver(() => {
          if (!chart.isDisposed()) chart.resize()
        })
        observer.observe(host)
        setState('ready')
      },
      () => {
        if (!cancelled) setState('error')
      },
    )
    return () => {
      cancelled = true
      observer?.disconnect()
      chartRef.current?.dispose()
      chartRef.current = null
    }
  }, [])

  useEffect(() => {
    const chart = chartRef.current
    const frame = frameRef.current
    if (state !== 'ready' || !chart || !frame) return
    frame.dataset.rendered = 'false'
    const started = performance.now()
    const finished = () => {
      chart.off('finished', finished)
      const at = performance.now()
      frame.dataset.rendered = 'true'
      frame.dataset.renderMs = (at - started).toFixed(1)
      frame.dataset.renderedAt = at.toFixed(1)
      renderedRef.current?.({ renderMs: at - started, at })
    }
    chart.on('finished', finished)
    chart.setOption(option, { notMerge: true })
    return () => {
      chart.off('finished', finished)
    }
  }, [option, state])

  const dataAttributes: Record<string, string> = {}
  for (const [key, value] of Object.entries(data ?? {})) dataAttributes[`data-${key}`] = String(value)

  return (
    <div
      ref={frameRef}
      className={`echart${className ? ` ${className}` : ''}`}
      style={{ height }}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-state={state}
      data-rendered="false"
      {...dataAttributes}
    >
      <div ref={hostRef} className="echart-host" />
      {state === 'loading' ? <div className="echart-placeholder skeleton" aria-hidden="true" /> : null}
      {state === 'error' ? (
        <div className="echart-placeholder echart-error" role="alert">
          The chart library could not be loaded. Reload the page to try again.
        </div>
      ) : null}
    </div>
  )
}
