import { useCallback, useEffect, useId, useRef, useState } from 'react'
import { errorMessage } from '../../api/client'
import { batchResultUrl, listBatchJobs, startBatchJob, type BatchJob } from '../../api/services'
import { useApiResource } from '../../api/useApiResource'
import { Icon, Spinner } from '../../ui/icons'
import { StatusPill } from '../../ui/StatusPill'
import { absoluteTime, relativeTime } from '../../ui/time'
import { useToast } from '../../ui/Toasts'

const POLL_MS = 1500
const BATCH_FILES = /\.(csv|parquet|pq)$/i
const ACTIVE = new Set(['queued', 'running'])

function jobError(job: BatchJob): string | null {
  if (!job.error) return null
  return [job.error.code, job.error.message].filter(Boolean).join(': ')
}

/** Scores whole files on the run executor: upload a CSV or Parquet file, follow the job, download the answer. */
export function ServiceBatch({ serviceId }: { serviceId: string }) {
  const toast = useToast()
  const base = useId()
  const fileInput = useRef<HTMLInputElement>(null)
  const [uploading, setUploading] = useState(false)
  const load = useCallback((signal: AbortSignal) => listBatchJobs(serviceId, signal), [serviceId])
  const jobs = useApiResource(load)
  const list = jobs.data?.data ?? []
  const active = list.some((job) => ACTIVE.has(job.status))
  const { reload } = jobs

  // Follow the jobs that are still going.
  useEffect(() => {
    if (!active) return
    const timer = setTimeout(reload, POLL_MS)
    return () => clearTimeout(timer)
  }, [active, jobs.data, reload])

  const upload = async (file: File) => {
    if (!BATCH_FILES.test(file.name)) {
      toast({ tone: 'error', title: 'Not a CSV or Parquet file', text: `${file.name}: choose a .csv or .parquet file with the input columns.` })
      return
    }
    setUploading(true)
    try {
      await startBatchJob(serviceId, file)
      reload()
    } catch (e) {
      toast({ tone: 'error', title: 'The batch job could not start', text: errorMessage(e) })
    } finally {
      setUploading(false)
    }
  }

  return (
    <section className="service-card" aria-labelledby={`${base}-title`}>
      <div className="service-card-head service-card-head-row">
        <div>
          <h2 id={`${base}-title`} className="service-card-title">
            Batch jobs
          </h2>
          <p className="service-card-text">For files too big for one request: the rows are scored in the background and the answer is kept for download.</p>
        </div>
        <button type="button" className="btn" onClick={() => fileInput.current?.click()} disabled={uploading}>
          {uploading ? <Spinner size={12} /> : <Icon name="upload" size={13} />}
          Score a file
        </button>
        <input
          ref={fileInput}
          type="file"
          hidden
          accept=".csv,.parquet,.pq,text/csv"
          aria-label="File to score"
          data-testid="batch-file-input"
          onChange={(event) => {
            const file = event.target.files?.[0]
            event.target.value = ''
            if (file) void upload(file)
          }}
        />
      </div>
      {jobs.state === 'loading' ? <Spinner size={14} label="Loading the batch jobs" /> : null}
      {jobs.state === 'error' ? <p className="field-error">The batch jobs could not be loaded: {errorMessage(jobs.error)}</p> : null}
      {jobs.state === 'ready' && list.length === 0 ? <p className="service-empty">No batch job yet. The file needs the input columns listed above, with a header line.</p> : null}
      {list.length > 0 ? (
        <table className="service-table" aria-label="Batch jobs">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col">Rows</th>
              <th scope="col">
                <span className="visually-hidden">Result</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((job) => {
              const pct = Math.round(Math.max(0, Math.min(1, job.progress ?? 0)) * 100)
              const problem = jobError(job)
              return (
                <tr key={job.id} data-testid={`batch-job-${job.id}`}>
                  <td title={absoluteTime(job.created_at)}>{relativeTime(job.created_at)}</td>
                  <td className="service-batch-file">
                    {job.input_name ?? '—'}
                    {job.submitted_by === 'key' ? <span className="service-batch-by" title="Started by a program with one of the keys">by key</span> : null}
                  </td>
                  <td>
                    <span className="service-batch-status">
                      <StatusPill status={job.status} />
                      {job.status === 'running' ? (
                        <span className="service-progress" role="progressbar" aria-label="Progress" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
                          <span style={{ width: `${Math.max(pct, 3)}%` }} />
                        </span>
                      ) : null}
                    </span>
                    {problem ? <span className="field-error">{problem}</span> : null}
                  </td>
                  <td>{typeof job.n_rows === 'number' ? job.n_rows.toLocaleString('en') : '—'}</td>
                  <td className="service-batch-actions">
                    {job.status === 'succeeded' ? (
                      <span className="service-batch-downloads">
                        <a className="btn btn-small" href={batchResultUrl(serviceId, job.id)} download>
                          <Icon name="download" size={12} />
                          CSV
                        </a>
                        <a className="btn btn-small" href={batchResultUrl(serviceId, job.id, 'parquet')} download>
                          <Icon name="download" size={12} />
                          Parquet
                        </a>
                      </span>
                    ) : null}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}
