import { useCallback, useEffect, useId, useState } from 'react'
import { Link, useLocation, useNavigate, useParams } from 'react-router'
import { errorMessage, isNotFound } from '../../api/client'
import { getModel } from '../../api/models'
import { deleteService, getService, updateService, type KeyName, type Service, type ServiceWithKeys } from '../../api/services'
import { useApiResource } from '../../api/useApiResource'
import { Header } from '../../app/Header'
import { NotFoundPage } from '../../app/NotFoundPage'
import { ConfirmDialog } from '../../ui/ConfirmDialog'
import { Icon, Spinner } from '../../ui/icons'
import { absoluteTime, relativeTime } from '../../ui/time'
import { useToast } from '../../ui/Toasts'
import { ServiceBatch } from './ServiceBatch'
import { ServiceDocs } from './ServiceDocs'
import { ServiceKeys } from './ServiceKeys'
import { ServiceTestForm } from './ServiceTestForm'
import { ServiceUsage } from './ServiceUsage'
import { NO_HINTS, type ModelHints } from './sampleCode'
import { keysFromState, type ShownKeys } from './shownKeys'
import '../experiments/experiments.css'
import '../sharing/sharing.css'
import './services.css'
import './service-tools.css'

/** What the served model tells about its inputs (for example values); nothing when it cannot be read. */
function useModelHints(modelId: string | undefined): ModelHints {
  const [hints, setHints] = useState<{ id: string; hints: ModelHints } | null>(null)
  useEffect(() => {
    if (!modelId) return
    const controller = new AbortController()
    getModel(modelId, controller.signal).then(
      (model) => setHints({ id: modelId, hints: { features: model.feature_columns, summary: model.summary } }),
      () => {
        /* examples fall back to plain values */
      },
    )
    return () => controller.abort()
  }, [modelId])
  return hints && hints.id === modelId ? hints.hints : NO_HINTS
}

/** The keys just handed over by the page that made them; the navigation state is cleared so they show once. */
function useHandedOverKeys(): [ShownKeys | null, (keys: ShownKeys | null) => void] {
  const location = useLocation()
  const navigate = useNavigate()
  const [keys, setKeys] = useState<ShownKeys | null>(() => keysFromState(location.state))
  useEffect(() => {
    if (keysFromState(location.state)) navigate(`${location.pathname}${location.search}`, { replace: true, state: null })
  }, [location, navigate])
  return [keys, setKeys]
}

function Overview({ service, onChange }: { service: Service; onChange: (service: Service) => void }) {
  const toast = useToast()
  const navigate = useNavigate()
  const switchId = useId()
  const [busy, setBusy] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const patch = async (body: { enabled?: boolean; append?: boolean }) => {
    setBusy(true)
    try {
      onChange(await updateService(service.id, body))
    } catch (e) {
      toast({ tone: 'error', title: 'The service could not be changed', text: errorMessage(e) })
    } finally {
      setBusy(false)
    }
  }
  return (
    <section className="service-card service-overview" aria-label="Service">
      <div className="service-overview-main">
        <span className="service-overview-icon" aria-hidden="true">
          <Icon name="service" size={20} />
        </span>
        <div className="service-overview-titles">
          <h1 className="service-name" data-testid="service-name">
            {service.name}
          </h1>
          <p className="service-overview-meta">
            Serves <Link to="/models">{service.model_name}</Link> · created <span title={absoluteTime(service.created_at)}>{relativeTime(service.created_at)}</span>
          </p>
        </div>
        <span className={`service-status${service.enabled ? ' is-on' : ''}`} data-testid="service-status">
          <span className="service-status-dot" aria-hidden="true" />
          {service.enabled ? 'Enabled' : 'Disabled'}
        </span>
        <button
          type="button"
          role="switch"
          className="switch"
          aria-checked={service.enabled}
          aria-labelledby={`${switchId}-label`}
          disabled={busy}
          onClick={() => void patch({ enabled: !service.enabled })}
        >
          <span className="switch-thumb" />
        </button>
        <span id={`${switchId}-label`} className="visually-hidden">
          Enabled
        </span>
        <button type="button" className="icon-btn is-danger" aria-label={`Delete ${service.name}`} title="Delete the service" onClick={() => setDeleting(true)}>
          <Icon name="trash" />
        </button>
      </div>
      {service.enabled ? null : <p className="service-disabled-note">Disabled: every scoring request gets 403 until you turn it back on. The keys stay as they are.</p>}
      <label className="checkbox service-append">
        <input type="checkbox" checked={service.append} disabled={busy} onChange={(e) => void patch({ append: e.target.checked })} />
        <span>Return the input columns with the assignments</span>
      </label>
      {deleting ? (
        <ConfirmDialog
          title={`Delete “${service.name}”?`}
          tone="danger"
          confirmLabel="Delete service"
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await deleteService(service.id)
            toast({ tone: 'success', title: `Deleted “${service.name}”` })
            navigate('/services')
          }}
        >
          <p>The scoring URL stops answering and both keys stop working at once. The model itself stays. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  )
}

/** /services/:id: one web service, its keys, how to call it, a test form, batch jobs and usage. */
export function ServicePage() {
  const { id = '' } = useParams()
  const load = useCallback((signal: AbortSignal) => getService(id, signal), [id])
  const loaded = useApiResource(load)
  const [changed, setChanged] = useState<Service | null>(null)
  const service = changed?.id === id ? changed : loaded.data
  const [keys, setKeys] = useHandedOverKeys()
  const hints = useModelHints(service?.model_id)

  const onRegenerated = (which: KeyName, result: ServiceWithKeys) => {
    const full = which === 'primary' ? result.primary_key : result.secondary_key
    setKeys({ primary: which === 'primary' ? full : null, secondary: which === 'secondary' ? full : null })
    if (service) {
      const hint = which === 'primary' ? result.primary_key_hint : result.secondary_key_hint
      setChanged({ ...service, ...(hint ? { [`${which}_key_hint`]: hint } : {}) })
    }
  }

  if (loaded.state === 'error' && isNotFound(loaded.error)) {
    return <NotFoundPage title="Service not found" text="It may have been deleted, or it belongs to someone else." linkTo="/services" linkLabel="Your web services" />
  }
  const shownKey = keys?.primary ?? keys?.secondary ?? null
  return (
    <div className="page-shell">
      <Header root="services" crumb={service ? <span className="breadcrumb-current">{service.name}</span> : null} />
      <main className="experiments-page service-page">
        {loaded.state === 'loading' && !service ? (
          <div className="experiments-loading" aria-busy="true">
            <Spinner size={18} label="Loading the service" />
          </div>
        ) : null}
        {loaded.state === 'error' && !service ? (
          <div className="empty-state" role="alert">
            <p className="empty-state-title">The service could not be loaded</p>
            <p>{errorMessage(loaded.error)}</p>
            <button type="button" className="btn" onClick={loaded.reload}>
              Try again
            </button>
          </div>
        ) : null}
        {service ? (
          <div className="service-stack">
            <Overview service={service} onChange={setChanged} />
            <ServiceKeys service={service} shown={keys} onRegenerated={onRegenerated} onHide={() => setKeys(null)} />
            <ServiceDocs service={service} hints={hints} apiKey={shownKey} />
            <ServiceTestForm service={service} hints={hints} shownKey={shownKey} />
            <ServiceBatch serviceId={service.id} />
            <ServiceUsage serviceId={service.id} />
          </div>
        ) : null}
      </main>
    </div>
  )
}
