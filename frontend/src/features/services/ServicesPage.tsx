import { Link } from 'react-router'
import { errorMessage } from '../../api/client'
import { listServices } from '../../api/services'
import { useApiResource } from '../../api/useApiResource'
import { Header } from '../../app/Header'
import { Icon, Spinner } from '../../ui/icons'
import { absoluteTime, relativeTime } from '../../ui/time'
import { absoluteUrl } from './sampleCode'
import '../experiments/experiments.css'
import './services.css'

const load = (signal: AbortSignal) => listServices(signal)

/** /services: the user's web services. */
export function ServicesPage() {
  const services = useApiResource(load)
  const list = services.data?.data ?? []

  let body: React.JSX.Element
  if (services.state === 'loading') {
    body = (
      <div className="experiments-loading" aria-busy="true">
        <Spinner size={18} label="Loading web services" />
      </div>
    )
  } else if (services.state === 'error') {
    body = (
      <div className="empty-state" role="alert">
        <p className="empty-state-title">Your web services could not be loaded</p>
        <p>{errorMessage(services.error)}</p>
        <button type="button" className="btn" onClick={services.reload}>
          Try again
        </button>
      </div>
    )
  } else if (list.length === 0) {
    body = (
      <div className="empty-state experiments-empty">
        <span className="services-empty-icon" aria-hidden="true">
          <Icon name="service" size={34} />
        </span>
        <p className="empty-state-title">No web services yet</p>
        <p>A web service puts a trained model behind a URL and two keys, so other programs can get cluster assignments for new rows. Deploy one from a saved model.</p>
        <Link className="btn btn-primary" to="/models">
          <Icon name="model" />
          Go to trained models
        </Link>
      </div>
    )
  } else {
    body = (
      <table className="experiments-table services-table">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Status</th>
            <th scope="col">Scoring URL</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {list.map((service) => (
            <tr key={service.id} data-testid={`service-row-${service.id}`}>
              <td className="experiments-name">
                <Link to={`/services/${encodeURIComponent(service.id)}`}>{service.name}</Link>
                <span className="experiments-meta">Serves {service.model_name}</span>
              </td>
              <td>
                <span className={`service-status${service.enabled ? ' is-on' : ''}`}>
                  <span className="service-status-dot" aria-hidden="true" />
                  {service.enabled ? 'Enabled' : 'Disabled'}
                </span>
              </td>
              <td>
                <code className="services-url">{absoluteUrl(service.score_url)}</code>
              </td>
              <td className="services-created" title={absoluteTime(service.created_at)}>
                {relativeTime(service.created_at)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )
  }

  return (
    <div className="page-shell">
      <Header root="services" onRootPage />
      <main className="experiments-page">
        <div className="experiments-head">
          <div>
            <h1 className="experiments-title">Web services</h1>
            <p className="experiments-subtitle">Your trained models behind a scoring URL and two keys. Open one for its keys, sample code, test form, batch jobs and usage.</p>
          </div>
          <div className="experiments-tools">
            <Link className="btn" to="/models">
              <Icon name="plus" />
              Deploy a model
            </Link>
          </div>
        </div>
        <div className="experiments-card">{body}</div>
      </main>
    </div>
  )
}
