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
import { init, use as registerParts } from 'echarts/core'
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

export { init }
