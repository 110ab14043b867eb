// The only module that imports ECharts code. It is loaded with a dynamic import (see loadECharts in
// EChart.tsx), so the chart library lands in its own chunk and the editor's main bundle stays small.
// Only the pieces the visualisations use are registered (tree-shaken build, canvas renderer).
import { BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts'
import {
  DataZoomInsideComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components'
// ECharts' `use` registers parts; renamed so it is not mistaken for React's `use` hook.
import { init, use as registerParts, setPlatformAPI } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

registerParts([
  BarChart,
  CustomChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  DataZoomInsideComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  CanvasRenderer,
])

// zrender measures the ideograph 国 once for every font it meets, to size wide characters and the
// line height. Where no installed font has that glyph (a server or CI machine without CJK fonts),
// Chromium searches every font for a fallback: 6–23 ms per font string, on the critical path of each
// chart's first paint. An ideograph is one em square by design, so it is answered from the font size;
// every other text is measured by the canvas as before.
const WIDE_CHARACTER_PROBE = '国'
const DEFAULT_FONT = '12px sans-serif' // zrender's
let measuringContext: CanvasRenderingContext2D | null | undefined
let measuringFont: string | undefined

function measureText(text: string, font?: string): { width: number } {
  const fontString = font || DEFAULT_FONT
  if (text === WIDE_CHARACTER_PROBE) return { width: fontPixels(fontString) }
  measuringContext ??= document.createElement('canvas').getContext('2d')
  if (!measuringContext) return { width: fontPixels(fontString) * 0.6 * text.length }
  if (measuringFont !== fontString) measuringContext.font = measuringFont = fontString
  return measuringContext.measureText(text)
}

/** The size in pixels of a CSS font shorthand ("600 12px system-ui" → 12). */
function fontPixels(font: string): number {
  const size = /(\d+(?:\.\d+)?)px/.exec(font)
  return size ? Number(size[1]) : 12
}

setPlatformAPI({ measureText: measureText as never })

export { init }
