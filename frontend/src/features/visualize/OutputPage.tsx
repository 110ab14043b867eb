import { useEffect } from 'react'
import { Link, useParams } from 'react-router'
import { Header } from '../../app/Header'
import { loadECharts } from './charts/EChart'
import { humanize } from './format'
import { OutputViewer } from './OutputViewer'

// An output opens on a chart: the chart library starts loading with this code, beside the sign-in
// check and the chart's data, instead of after them (a failed load is retried by the chart).
loadECharts().catch(() => undefined)

/** `/runs/:runId/nodes/:nodeId/outputs/:port`: one output full-page (deep links, "Open in new tab"). */
export function OutputPage() {
  const params = useParams()
  const runId = Number(params.runId)
  const nodeId = params.nodeId ?? ''
  const port = params.port ?? ''
  const valid = Number.isInteger(runId) && runId > 0 && nodeId !== '' && port !== ''

  useEffect(() => {
    // The app frame keeps the body still (the editor scrolls inside panels); this page is a document.
    const previousOverflow = document.body.style.overflow
    document.body.style.overflow = 'auto'
    return () => {
      document.body.style.overflow = previousOverflow
    }
  }, [])

  useEffect(() => {
    const previous = document.title
    document.title = valid ? `${humanize(port)} · Run ${runId} · Cluster Studio` : 'Cluster Studio'
    return () => {
      document.title = previous
    }
  }, [valid, port, runId])

  return (
    <div className="output-page">
      <Header />
      <main className="output-page-main">
        {valid ? (
          <OutputViewer key={`${runId}/${nodeId}/${port}`} runId={runId} nodeId={nodeId} port={port} portType="" variant="page" />
        ) : (
          <div className="viewer-state viewer-error" role="alert">
            <h1>This address does not name an output</h1>
            <p>Outputs live at /runs/&lt;run&gt;/nodes/&lt;node&gt;/outputs/&lt;port&gt;.</p>
            <Link className="btn btn-primary" to="/">
              Open the editor
            </Link>
          </div>
        )}
      </main>
    </div>
  )
}
