import { useState } from 'react'
import { downloadFromServer } from '../../../api/download'
import { type OutputRef } from '../api'
import { formatCount, formatNumber, formatPercent } from '../format'
import { clusterColor, clusterName } from '../palette'
import {
  getProfile,
  profileUrl,
  type ClusterProfiles,
  type Distinction,
  type FeatureProfile,
  type NumericClusterStats,
} from '../profile'
import { ErrorState, useLoad } from '../viewerStates'
import { AgreementCard } from './AgreementCard'
import './profile.css'

export interface ProfileViewProps {
  outputRef: OutputRef
  /** Whether the CSV download is offered (signed-in users only). */
  canDownload: boolean
}

/** Tiny bars of a cluster's values over the feature's bins (the same bins in every cell of a row). */
export function MiniHistogram({ counts, color, label }: { counts: number[]; color: string; label: string }) {
  const peak = Math.max(1, ...counts)
  const width = 72
  const height = 20
  const bar = width / Math.max(1, counts.length)
  return (
    <svg className="mini-histogram" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={label}>
      <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} className="mini-axis" />
      {counts.map((count, i) => {
        const h = count === 0 ? 0 : Math.max(1, (count / peak) * (height - 2))
        return <rect key={i} x={i * bar + 0.5} y={height - 1 - h} width={Math.max(0.5, bar - 1)} height={h} fill={color} />
      })}
    </svg>
  )
}

/** An effect size with its sign and one decimal: "+2.4", "−5.0". */
export function formatEffect(effect: number): string {
  return `${effect < 0 ? '−' : '+'}${Math.abs(effect).toFixed(1)}`
}

/** "Petal length is higher" / "Species = setosa": one thing that sets a cluster apart, in words. */
export function describeDistinction(item: Distinction): { headline: string; detail: string; effect: string } {
  if (item.kind === 'numeric') {
    return {
      headline: `${item.feature} is ${item.direction}`,
      detail: `mean ${formatNumber(item.mean)} vs ${formatNumber(item.overall_mean)} overall`,
      effect: `d = ${formatEffect(item.effect)}`,
    }
  }
  return {
    headline: `${item.feature} = ${item.value}`,
    detail: `${formatPercent(item.share, 0)} of the cluster vs ${formatPercent(item.rest_share, 0)} elsewhere`,
    effect: `h = ${formatEffect(item.effect)}`,
  }
}

function DistinctionList({ profile }: { profile: ClusterProfiles }) {
  return (
    <div className="profile-cards" data-testid="profile-distinctions">
      {profile.clusters.map((cluster) => {
        const standing = cluster.distinguishing.filter((item) => item.magnitude !== 'negligible')
        return (
          <article key={cluster.cluster} className="profile-card" data-testid="profile-card">
            <header>
              <span className="legend-swatch" style={{ background: clusterColor(cluster.cluster) }} aria-hidden="true" />
              <h4>{clusterName(cluster.cluster)}</h4>
              <span className="profile-size">
                {formatCount(cluster.size)} rows · {formatPercent(cluster.share)}
              </span>
            </header>
            {standing.length === 0 ? (
              <p className="profile-none">No feature sets this cluster clearly apart from the rest.</p>
            ) : (
              <ol>
                {standing.map((item) => {
                  const text = describeDistinction(item)
                  return (
                    <li key={`${item.feature}-${item.kind === 'categorical' ? item.value : ''}`}>
                      <span className="profile-headline">{text.headline}</span>
                      <span className="profile-detail">{text.detail}</span>
                      <span className={`effect-badge is-${item.magnitude}`} title="Cohen's effect size against the rest of the rows">
                        {text.effect} · {item.magnitude}
                      </span>
                    </li>
                  )
                })}
              </ol>
            )}
          </article>
        )
      })}
    </div>
  )
}

function numericTitle(feature: string, stats: NumericClusterStats): string {
  const q = (v: number | null) => formatNumber(v)
  return `${feature}: min ${q(stats.min)} · Q1 ${q(stats.q25)} · median ${q(stats.median)} · Q3 ${q(stats.q75)} · max ${q(stats.max)} (${formatCount(stats.count)} values)`
}

function FeatureRow({ feature, clusters }: { feature: FeatureProfile; clusters: ClusterProfiles['clusters'] }) {
  if (feature.kind === 'numeric') {
    return (
      <tr>
        <th scope="row">{feature.feature}</th>
        <td className="profile-overall">
          <span className="profile-mean">{formatNumber(feature.overall.mean)}</span>
          <span className="profile-spread">± {formatNumber(feature.overall.std)}</span>
          <MiniHistogram counts={feature.overall.histogram} color="#8a93a5" label={`${feature.feature}, all rows`} />
        </td>
        {feature.clusters.map((stats, g) => (
          <td key={clusters[g].cluster} title={numericTitle(feature.feature, stats)} className={stats.effect !== null && Math.abs(stats.effect) >= 0.8 ? 'is-distinct' : undefined}>
            <span className="profile-mean">{formatNumber(stats.mean)}</span>
            <span className="profile-spread">± {formatNumber(stats.std)}</span>
            <MiniHistogram counts={stats.histogram} color={clusterColor(clusters[g].cluster)} label={`${feature.feature}, ${clusterName(clusters[g].cluster)}`} />
          </td>
        ))}
      </tr>
    )
  }
  const shares = (top: Array<{ value: string; share: number }>) =>
    top.slice(0, 2).map((v) => (
      <span key={v.value} className="profile-share">
        {v.value} <span className="profile-spread">{formatPercent(v.share, 0)}</span>
      </span>
    ))
  return (
    <tr>
      <th scope="row">{feature.feature}</th>
      <td className="profile-overall">{shares(feature.overall)}</td>
      {feature.clusters.map((stats, g) => (
        <td key={clusters[g].cluster}>{shares(stats.top)}</td>
      ))}
    </tr>
  )
}

function ProfileTable({ profile }: { profile: ClusterProfiles }) {
  return (
    <div className="profile-table-wrap">
      <table className="profile-table" data-testid="profile-table">
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">All rows</th>
            {profile.clusters.map((cluster) => (
              <th scope="col" key={cluster.cluster}>
                <span className="legend-swatch" style={{ background: clusterColor(cluster.cluster) }} aria-hidden="true" />
                {clusterName(cluster.cluster)}
                <span className="profile-size">{formatPercent(cluster.share)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {profile.features.map((feature) => (
            <FeatureRow key={feature.feature} feature={feature} clusters={profile.clusters} />
          ))}
        </tbody>
      </table>
    </div>
  )
}

function profileNotes(profile: ClusterProfiles): string[] {
  const notes = [`${formatCount(profile.n_clusters)} clusters over ${formatCount(profile.assigned_rows)} assigned rows`]
  if (profile.moments_of_all_rows && profile.profiled_rows < profile.assigned_rows) {
    notes.push(
      `quartiles, histograms and shares from a sample of ${formatCount(profile.profiled_rows)} rows spread over the table (sizes, means, standard deviations and effects count every row)`,
    )
  } else if (profile.profiled_rows < profile.assigned_rows) {
    notes.push(`statistics from a sample of ${formatCount(profile.profiled_rows)} rows, drawn by cluster (sizes count every row)`)
  }
  if (profile.clusters.length < profile.n_clusters) notes.push(`showing the ${profile.clusters.length} largest clusters`)
  if (profile.features_shown < profile.features_total) {
    notes.push(`${profile.features_shown} of ${profile.features_total} columns profiled (numbers, and text with at most 50 values)`)
  }
  return notes
}

/** Columns that may hold known labels: text and boolean ones first, then numbers (e.g. a class code). */
export function labelCandidates(profile: ClusterProfiles): string[] {
  const byKind = (kind: FeatureProfile['kind']) => profile.features.filter((f) => f.kind === kind).map((f) => f.feature)
  return [...byKind('categorical'), ...byKind('numeric')]
}

/** Each cluster of a clustering result: what sets it apart, and every feature's distribution. */
export function ProfileView({ outputRef, canDownload }: ProfileViewProps) {
  const key = profileUrl(outputRef)
  const [load, reload] = useLoad<ClusterProfiles>(key, (signal) => getProfile(outputRef, signal))
  const [downloadError, setDownloadError] = useState<string | null>(null)
  if (load.state === 'loading') return <div className="skeleton profile-skeleton" aria-busy="true" aria-label="Loading the cluster profiles" />
  if (load.state === 'error') return <ErrorState error={load.error} onRetry={reload} />
  const profile = load.data
  const download = () => {
    setDownloadError(null)
    downloadFromServer(profileUrl(outputRef, 'csv'), 'cluster-profiles.csv', 'The download failed').catch((e: unknown) =>
      setDownloadError(e instanceof Error ? e.message : String(e)),
    )
  }
  return (
    <div className="profile-view" data-testid="profile-view">
      <section className="card" aria-labelledby="profile-distinct-heading">
        <header className="card-header">
          <div>
            <h3 id="profile-distinct-heading">What makes each cluster different</h3>
            <p className="card-subtitle" data-testid="profile-notes">
              {profileNotes(profile).join(' · ')}. Effect sizes against the rest of the rows: Cohen's d for numbers, h for
              categories (0.2 small, 0.5 medium, 0.8 large).
            </p>
          </div>
          {canDownload ? (
            <button type="button" className="btn btn-small" onClick={download} data-testid="profile-download">
              Download profiles (CSV)
            </button>
          ) : null}
        </header>
        {downloadError ? (
          <p className="viewer-warning" role="alert">
            {downloadError}
          </p>
        ) : null}
        <DistinctionList profile={profile} />
      </section>
      <section className="card" aria-labelledby="profile-table-heading">
        <header className="card-header">
          <div>
            <h3 id="profile-table-heading">Profile of every feature</h3>
            <p className="card-subtitle">Mean ± standard deviation and the distribution over the same bins; hover a cell for its quartiles.</p>
          </div>
        </header>
        <ProfileTable profile={profile} />
      </section>
      <AgreementCard outputRef={outputRef} candidates={labelCandidates(profile)} />
    </div>
  )
}
