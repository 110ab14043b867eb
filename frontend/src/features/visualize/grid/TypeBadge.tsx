const BADGES: Record<string, { text: string; title: string }> = {
  numeric: { text: '123', title: 'Numeric column' },
  string: { text: 'Abc', title: 'String column' },
  boolean: { text: 'T/F', title: 'Boolean column' },
  datetime: { text: 'Date', title: 'Date/time column' },
}

/** A small type marker next to a column name; its accessible text is the type's name. */
export function TypeBadge({ type }: { type: string }) {
  const badge = BADGES[type] ?? { text: type.slice(0, 4), title: `${type} column` }
  return (
    <span className={`type-badge type-${type}`} title={badge.title} data-type={type}>
      <span aria-hidden="true">{badge.text}</span>
      <span className="visually-hidden">{type}</span>
    </span>
  )
}
