// One categorical palette for every chart of the visualize feature: cluster j always has the same colour
// (scatter, ellipse, centroid, size bar, distance histogram, heat-map row label).

/** Ten well-separated colours that sit with the app's theme (brand blue first). */
export const CLUSTER_COLORS = [
  '#2f5bea', // blue (brand)
  '#e8590c', // orange
  '#0f9f8f', // teal
  '#c2418a', // magenta
  '#7048e8', // violet
  '#d4a106', // mustard
  '#2f9e44', // green
  '#d64545', // red
  '#1c9bd6', // sky
  '#8d6748', // brown
] as const

/** The `Assignments` value of a row a density model put in no cluster (modules/results.py NOISE_LABEL). */
export const NOISE_LABEL = -1
/** Noise is drawn grey: no cluster's colour. */
export const NOISE_COLOR = '#7f8897'

/** The colour of cluster `index` (beyond ten, evenly spread hues that avoid the first ten; noise grey). */
export function clusterColor(index: number): string {
  if (index === NOISE_LABEL) return NOISE_COLOR
  if (index >= 0 && index < CLUSTER_COLORS.length) return CLUSTER_COLORS[index]
  const hue = Math.round((((index * 137.508) % 360) + 360) % 360)
  return `hsl(${hue}, 62%, 46%)`
}

/** `#rrggbb` with an alpha channel (other colour syntaxes go through `color-mix`-free rgba). */
export function withAlpha(color: string, alpha: number): string {
  const a = Math.max(0, Math.min(1, alpha))
  const hex = /^#([0-9a-f]{6})$/i.exec(color)
  if (hex) {
    const n = parseInt(hex[1], 16)
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`
  }
  const hsl = /^hsl\((.+)\)$/i.exec(color)
  if (hsl) return `hsla(${hsl[1]}, ${a})`
  return color
}

/** A `#rrggbb` colour mixed with black by `amount` (0 … 1); other syntaxes unchanged. */
export function darken(color: string, amount: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color)
  if (!hex) return color
  const n = parseInt(hex[1], 16)
  const k = 1 - Math.max(0, Math.min(1, amount))
  const channel = (shift: number) => Math.round(((n >> shift) & 255) * k).toString(16).padStart(2, '0')
  return `#${channel(16)}${channel(8)}${channel(0)}`
}

/** "Cluster j", or "Noise" for the noise label. */
export const clusterName = (index: number) => (index === NOISE_LABEL ? 'Noise' : `Cluster ${index}`)

/** Shared chart chrome (text, grid lines) from the theme. */
export const CHART_TEXT = '#1b2333'
export const CHART_MUTED = '#5d6779'
export const CHART_GRID = '#e9ecf2'
export const CHART_AXIS = '#cfd5e1'
export const CHART_FONT =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'Noto Sans', 'Liberation Sans', Arial, sans-serif"
