// Small line icons (16×16), drawn with currentColor.

type IconName =
  | 'save'
  | 'run'
  | 'run-selected'
  | 'stop'
  | 'undo'
  | 'redo'
  | 'layout'
  | 'more'
  | 'upload'
  | 'download'
  | 'history'
  | 'check'
  | 'x'
  | 'alert'
  | 'clock'
  | 'cache'
  | 'chart'
  | 'log'
  | 'plus'
  | 'trash'
  | 'edit'
  | 'copy'
  | 'open'
  | 'user'
  | 'search'
  | 'restore'
  | 'eye'
  | 'file'
  | 'share'
  | 'link'
  | 'globe'
  | 'lock'
  | 'model'
  | 'service'
  | 'key'

const PATHS: Record<IconName, React.JSX.Element> = {
  save: <path d="M3 2.5h8l2.5 2.5v8.5h-11z M5.5 2.5v3.5h5v-3.5 M5 13.5v-4h6v4" />,
  run: <path d="M4.5 2.8v10.4l8.5-5.2z" fill="currentColor" stroke="none" />,
  'run-selected': (
    <>
      <rect x="1.5" y="3" width="6" height="10" rx="1.5" strokeDasharray="2 1.6" />
      <path d="M9 4.2v7.6l5.5-3.8z" fill="currentColor" stroke="none" />
    </>
  ),
  stop: <rect x="4" y="4" width="8" height="8" rx="1.5" fill="currentColor" stroke="none" />,
  undo: <path d="M5.5 3.5L2.5 6.5l3 3 M2.8 6.5h7a3.5 3.5 0 010 7H7" />,
  redo: <path d="M10.5 3.5l3 3-3 3 M13.2 6.5h-7a3.5 3.5 0 000 7H9" />,
  layout: (
    <>
      <rect x="5.5" y="1.5" width="5" height="3.5" rx="1" />
      <rect x="1.5" y="11" width="5" height="3.5" rx="1" />
      <rect x="9.5" y="11" width="5" height="3.5" rx="1" />
      <path d="M8 5v3 M4 11V8.5h8V11" />
    </>
  ),
  more: (
    <>
      <circle cx="3.5" cy="8" r="1.2" fill="currentColor" stroke="none" />
      <circle cx="8" cy="8" r="1.2" fill="currentColor" stroke="none" />
      <circle cx="12.5" cy="8" r="1.2" fill="currentColor" stroke="none" />
    </>
  ),
  upload: <path d="M8 10.5V2.5 M4.8 5.5L8 2.3l3.2 3.2 M2.5 10.5v3h11v-3" />,
  download: <path d="M8 2.5v8 M4.8 7.5L8 10.7l3.2-3.2 M2.5 10.5v3h11v-3" />,
  history: <path d="M2.5 8a5.5 5.5 0 105.5-5.5A5.6 5.6 0 003.6 4.7 M3.3 2.2v2.8h2.8 M8 5v3.3l2.2 1.4" />,
  check: <path d="M3 8.5l3.2 3L13 4.5" />,
  x: <path d="M4 4l8 8M12 4l-8 8" />,
  alert: <path d="M8 2.5l6 10.5H2z M8 6.5v3 M8 11.3v.2" />,
  clock: <path d="M8 2.5a5.5 5.5 0 110 11 5.5 5.5 0 010-11z M8 5v3.2l2 1.3" />,
  cache: <path d="M3 5c0-1.1 2.2-2 5-2s5 .9 5 2-2.2 2-5 2-5-.9-5-2z M3 5v6c0 1.1 2.2 2 5 2s5-.9 5-2V5 M3 8c0 1.1 2.2 2 5 2s5-.9 5-2" />,
  chart: <path d="M2.5 13.5h11 M4.5 11V8 M7.5 11V4.5 M10.5 11V6.5" />,
  log: <path d="M3.5 2.5h6l3 3v8h-9z M5.5 7.5h5 M5.5 10h5" />,
  plus: <path d="M8 3v10M3 8h10" />,
  trash: <path d="M2.5 4.5h11 M6 4.5V3h4v1.5 M4 4.5l.7 9h6.6l.7-9 M6.8 7v4 M9.2 7v4" />,
  edit: <path d="M10.5 2.5l3 3-8 8h-3v-3z M9 4l3 3" />,
  copy: (
    <>
      <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
      <path d="M10.5 5.5V3.5a1 1 0 00-1-1h-6a1 1 0 00-1 1v6a1 1 0 001 1h2" />
    </>
  ),
  open: <path d="M9 2.5h4.5V7 M13.3 2.7L7.5 8.5 M11.5 9.5v4h-9v-9h4" />,
  user: <path d="M8 8a2.8 2.8 0 100-5.6A2.8 2.8 0 008 8z M2.8 13.8c.6-2.6 2.7-4 5.2-4s4.6 1.4 5.2 4" />,
  search: <path d="M7 2.2a4.8 4.8 0 110 9.6 4.8 4.8 0 010-9.6z M10.6 10.6L14 14" />,
  restore: <path d="M2.5 8a5.5 5.5 0 101.6-3.9 M2.5 2.5v3h3" />,
  eye: <path d="M1.5 8s2.4-4.5 6.5-4.5S14.5 8 14.5 8s-2.4 4.5-6.5 4.5S1.5 8 1.5 8z M8 10a2 2 0 100-4 2 2 0 000 4z" />,
  file: <path d="M4 1.8h5.2L12 4.6v9.6H4z M9 1.8v3h3" />,
  share: (
    <>
      <circle cx="4" cy="8" r="1.9" />
      <circle cx="12" cy="3.8" r="1.9" />
      <circle cx="12" cy="12.2" r="1.9" />
      <path d="M5.7 7.1l4.6-2.4 M5.7 8.9l4.6 2.4" />
    </>
  ),
  link: <path d="M6.8 9.2a2.8 2.8 0 004 0l2.2-2.2a2.8 2.8 0 00-4-4l-.9.9 M9.2 6.8a2.8 2.8 0 00-4 0L3 9a2.8 2.8 0 004 4l.9-.9" />,
  globe: <path d="M8 2a6 6 0 110 12A6 6 0 018 2z M2 8h12 M8 2c1.7 1.7 2.5 3.7 2.5 6S9.7 12.3 8 14 M8 2C6.3 3.7 5.5 5.7 5.5 8s.8 4.3 2.5 6" />,
  lock: (
    <>
      <rect x="3" y="7" width="10" height="7" rx="1.5" />
      <path d="M5.2 7V5a2.8 2.8 0 015.6 0v2" />
    </>
  ),
  model: (
    <>
      <circle cx="5" cy="5.5" r="2" />
      <circle cx="11.2" cy="4.8" r="1.5" />
      <circle cx="9" cy="11" r="2.3" />
    </>
  ),
  service: (
    <>
      <rect x="2.5" y="2.5" width="11" height="4.5" rx="1.2" />
      <rect x="2.5" y="9" width="11" height="4.5" rx="1.2" />
      <path d="M5 4.75h.01 M5 11.25h.01 M8 4.75h3 M8 11.25h3" />
    </>
  ),
  key: (
    <>
      <circle cx="5.5" cy="10.5" r="3" />
      <path d="M7.6 8.4l5.9-5.9 M11.5 4.5l1.6 1.6 M9.8 6.2l1.3 1.3" />
    </>
  ),
}

export function Icon({ name, size = 14, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg
      viewBox="0 0 16 16"
      width={size}
      height={size}
      aria-hidden="true"
      className={className}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {PATHS[name]}
    </svg>
  )
}

export function Spinner({ size = 14, label }: { size?: number; label?: string }) {
  return (
    <span className="spinner" style={{ width: size, height: size }} role={label ? 'status' : undefined} aria-label={label}>
      <span className="visually-hidden">{label}</span>
    </span>
  )
}
