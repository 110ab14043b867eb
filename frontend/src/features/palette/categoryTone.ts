export type CategoryTone = 'data' | 'transform' | 'model' | 'train' | 'score' | 'other'

/** A colour family for a catalogue category, used by palette icons and canvas nodes alike. */
export function categoryTone(category: string | undefined): CategoryTone {
  const c = (category ?? '').toLowerCase()
  if (c.startsWith('saved datasets') || c.includes('dataset')) return 'data'
  if (c.startsWith('trained models')) return 'model'
  if (c.startsWith('data transformation')) return 'transform'
  if (c.includes('initialize model')) return 'model'
  if (c.includes('/ train') || c.endsWith('train')) return 'train'
  if (c.includes('score') || c.includes('evaluate')) return 'score'
  return 'other'
}
