import type { CategoryTone } from './categoryTone'

/** A small square glyph that tells the kind of a module at a glance. */
export function ModuleIcon({ tone }: { tone: CategoryTone }) {
  return (
    <span className={`module-icon tone-${tone}`} aria-hidden="true">
      <svg viewBox="0 0 16 16" width="12" height="12">
        {tone === 'data' ? (
          <>
            <ellipse cx="8" cy="4" rx="5" ry="2" fill="none" stroke="currentColor" strokeWidth="1.4" />
            <path d="M3 4v8c0 1.1 2.2 2 5 2s5-.9 5-2V4M3 8c0 1.1 2.2 2 5 2s5-.9 5-2" fill="none" stroke="currentColor" strokeWidth="1.4" />
          </>
        ) : tone === 'transform' ? (
          <path d="M2 5h9l-2.5-2.5M14 11H5l2.5 2.5" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" />
        ) : tone === 'model' ? (
          <>
            <circle cx="5" cy="5.5" r="2" fill="currentColor" />
            <circle cx="11" cy="5" r="1.5" fill="currentColor" opacity=".7" />
            <circle cx="9" cy="11" r="2.3" fill="currentColor" />
          </>
        ) : tone === 'train' ? (
          <path d="M2.5 12.5l3.5-4 3 2.5 4.5-6.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
        ) : tone === 'score' ? (
          <>
            <rect x="2.5" y="8" width="2.6" height="5.5" rx=".6" fill="currentColor" />
            <rect x="6.7" y="5" width="2.6" height="8.5" rx=".6" fill="currentColor" />
            <rect x="10.9" y="2.5" width="2.6" height="11" rx=".6" fill="currentColor" />
          </>
        ) : (
          <rect x="3" y="3" width="10" height="10" rx="2.5" fill="none" stroke="currentColor" strokeWidth="1.4" />
        )}
      </svg>
    </span>
  )
}
