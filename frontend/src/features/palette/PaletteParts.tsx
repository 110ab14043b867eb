// Small pieces every palette list draws: a group's open/closed chevron and an entry's drag grip.

export function ChevronIcon({ open }: { open: boolean }) {
  return (
    <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" className={`chevron${open ? ' is-open' : ''}`}>
      <path d="M6 4l4 4-4 4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  )
}

export function Grip() {
  return (
    <svg className="palette-item-grip" viewBox="0 0 8 14" width="8" height="14" aria-hidden="true">
      {[2, 7, 12].flatMap((y) => [<circle key={`a${y}`} cx="2" cy={y} r="1.1" />, <circle key={`b${y}`} cx="6" cy={y} r="1.1" />])}
    </svg>
  )
}
