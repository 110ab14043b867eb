// The visualize feature: what a run's outputs look like. The editor renders <OutputViewer/> in a
// panel or dialog; the app routes /runs/:runId/nodes/:nodeId/outputs/:port to <OutputPage/>.
// ECharts is loaded lazily (charts/echartsSetup.ts is only reached through a dynamic import).
export { OutputViewer, type OutputViewerProps } from './OutputViewer'
export { OutputPage } from './OutputPage'
export { outputPageUrl, downloadUrl } from './api'
