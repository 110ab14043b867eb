import { useId, useMemo, useState } from 'react'
import type { Service } from '../../api/services'
import { CopyButton } from '../../ui/CopyButton'
import { absoluteUrl, exampleRow, readableJson, SAMPLES, scoreBody, type ModelHints, type SampleLanguage } from './sampleCode'

/** What one answer column holds, in words. */
function describeOutput(column: string, service: Service): string {
  if (service.append && service.input_columns.some((c) => c.name === column)) return 'Your input value, repeated (the service appends its answer to the input).'
  if (/assignment/i.test(column)) return 'The cluster the row belongs to: 0, 1, … k − 1.'
  const cluster = /(\d+)\s*$/.exec(column)?.[1]
  return cluster !== undefined ? `The row’s score for cluster ${cluster} (its distance to that cluster for centre-based models).` : 'A score the model computes for the row.'
}

export function CodeBlock({ code, label, testId }: { code: string; label: string; testId?: string }) {
  return (
    <div className="service-code">
      <CopyButton text={code} what={label} className="btn btn-small service-code-copy" />
      <pre className="service-code-text" aria-label={label} data-testid={testId}>
        {code}
      </pre>
    </div>
  )
}

/** How to call the service: the request and the answer with the model's real columns, and sample code. */
export function ServiceDocs({ service, hints, apiKey }: { service: Service; hints: ModelHints; apiKey: string | null }) {
  const [language, setLanguage] = useState<SampleLanguage>('python')
  const base = useId()
  const scoreUrl = absoluteUrl(service.score_url)
  const columns = useMemo(() => service.input_columns.map((c) => c.name), [service.input_columns])
  const row = useMemo(() => exampleRow(service.input_columns, hints), [service.input_columns, hints])
  const request = readableJson(scoreBody(columns, [row]))
  const answerColumns = service.output_columns
  // The answer's values are placeholders: the input repeated (append), cluster 0, a score.
  const answerExample = readableJson(
    scoreBody(answerColumns, [answerColumns.map((c, j) => (service.append && j < row.length && columns[j] === c ? row[j] : /assignment/i.test(c) ? 0 : 0.5))]),
  )
  const sample = SAMPLES.find((s) => s.id === language) ?? SAMPLES[0]
  const code = sample.build({ scoreUrl, apiKey, columns, rows: [row] })

  return (
    <section className="service-card" aria-labelledby={`${base}-title`}>
      <div className="service-card-head">
        <h2 id={`${base}-title`} className="service-card-title">
          How to call it
        </h2>
        <p className="service-card-text">Send rows, get each row’s cluster back. Up to 10,000 rows per request; larger files go through a batch job.</p>
      </div>

      <h3 className="service-section-title">Request</h3>
      <div className="service-endpoint">
        <span className="service-method">POST</span>
        <code className="service-url" data-testid="score-url">
          {scoreUrl}
        </code>
        <CopyButton text={scoreUrl} what="scoring URL" />
      </div>
      <div className="service-doc-grid">
        <div>
          <table className="service-table" aria-label="Input columns">
            <thead>
              <tr>
                <th scope="col">Input column</th>
                <th scope="col">Type</th>
              </tr>
            </thead>
            <tbody>
              {service.input_columns.map((column) => (
                <tr key={column.name}>
                  <td>
                    <code>{column.name}</code>
                  </td>
                  <td>{column.type}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="service-note">
            Headers: <code>Authorization: Bearer &lt;key&gt;</code> and <code>Content-Type: application/json</code>. Every input column is needed; other columns are ignored. Also
            accepted: <code>{'{"records": [{…}, …]}'}</code>, the classic <code>{'{"Inputs": {"input1": {"ColumnNames": […], "Values": [[…]]}}}'}</code> and <code>text/csv</code> with a
            header line. The answer comes in the shape the request came in.
          </p>
        </div>
        <CodeBlock code={request} label="Request body" />
      </div>

      <h3 className="service-section-title">Response</h3>
      <div className="service-doc-grid">
        <table className="service-table" aria-label="Answer columns">
          <thead>
            <tr>
              <th scope="col">Answer column</th>
              <th scope="col">Meaning</th>
            </tr>
          </thead>
          <tbody>
            {answerColumns.map((column) => (
              <tr key={column}>
                <td>
                  <code>{column}</code>
                </td>
                <td>{describeOutput(column, service)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <CodeBlock code={answerExample} label="Response body" />
      </div>
      <p className="service-note">
        Errors say what is wrong: <b>400</b> a missing column (named), a value of the wrong type (row and column named) or malformed JSON; <b>401</b> no key, an unknown key or a
        regenerated one; <b>403</b> the service is disabled; <b>413</b> too many rows.
      </p>

      <h3 className="service-section-title">Sample code</h3>
      <div className="service-samples">
        <div className="segmented" role="tablist" aria-label="Sample language">
          {SAMPLES.map((s) => (
            <button key={s.id} type="button" role="tab" aria-selected={language === s.id} onClick={() => setLanguage(s.id)}>
              {s.label}
            </button>
          ))}
        </div>
        <span className="service-note">{apiKey ? 'With the key shown above: it works as it is.' : `Replace <YOUR_KEY> with one of the service’s keys.`}</span>
      </div>
      <CodeBlock code={code} label={`${sample.label} sample`} testId={`sample-${sample.id}`} />
    </section>
  )
}
