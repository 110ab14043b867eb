/** The Cluster Studio mark: three clusters of points. */
export function Logo({ size = 26 }: { size?: number }) {
  return (
    <svg viewBox="0 0 32 32" width={size} height={size} aria-hidden="true" className="logo-mark">
      <rect width="32" height="32" rx="8" fill="var(--brand)" />
      <circle cx="11" cy="12" r="3.2" fill="#fff" />
      <circle cx="21.5" cy="10" r="2.4" fill="#fff" opacity=".75" />
      <circle cx="19" cy="21" r="3.6" fill="#fff" />
      <circle cx="10" cy="22" r="1.8" fill="#fff" opacity=".6" />
    </svg>
  )
}
