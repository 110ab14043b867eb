// Chart chrome shared by every ECharts option the feature builds (types only: no ECharts code here).
import { formatAxisTick } from '../format'
import { CHART_AXIS, CHART_FONT, CHART_GRID, CHART_MUTED, CHART_TEXT } from '../palette'

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

export const baseTextStyle = { fontFamily: CHART_FONT, color: CHART_TEXT, fontSize: 12 }

export const tooltipStyle = {
  backgroundColor: 'rgba(255, 255, 255, 0.97)',
  borderColor: '#e2e6ee',
  borderWidth: 1,
  padding: [8, 10],
  textStyle: { color: CHART_TEXT, fontSize: 12, fontFamily: CHART_FONT },
  extraCssText: 'box-shadow: 0 4px 14px rgba(16,24,40,0.12); border-radius: 8px;',
}

/**
 * A grid whose margins are set by the caller to hold the axis labels and names. ECharts 6 would
 * otherwise measure every label again to fit the grid inside its outer bounds (a third of a large
 * scatter's first paint); the margins already leave that room.
 */
export function fixedGrid<T extends object>(margins: T): T & { outerBoundsMode: 'none' } {
  return { ...margins, outerBoundsMode: 'none' }
}

/** A value axis with the theme's quiet grid lines and short tick labels. */
export function valueAxis(name: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'value' as const,
    name,
    nameLocation: 'middle' as const,
    nameGap: 34,
    nameTextStyle: { color: CHART_MUTED, fontSize: 12, fontWeight: 600 as const },
    axisLine: { show: true, onZero: false, lineStyle: { color: CHART_AXIS } },
    axisTick: { show: true, lineStyle: { color: CHART_AXIS } },
    axisLabel: { color: CHART_MUTED, fontSize: 11, formatter: (value: number) => formatAxisTick(value) },
    splitLine: { show: true, lineStyle: { color: CHART_GRID } },
    ...extra,
  }
}

/** A category axis with the theme's colours. */
export function categoryAxis(data: string[], extra: Record<string, unknown> = {}) {
  return {
    type: 'category' as const,
    data,
    axisLine: { show: true, lineStyle: { color: CHART_AXIS } },
    axisTick: { show: false },
    axisLabel: { color: CHART_MUTED, fontSize: 11 },
    splitLine: { show: false },
    ...extra,
  }
}
