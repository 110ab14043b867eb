import type { ModuleSpec } from '../../api/types'

export interface ModuleGroup {
  /** The category exactly as the catalogue gives it, e.g. "Machine Learning / Train". */
  category: string
  /** The category split on "/" into its path, e.g. ["Machine Learning", "Train"]. */
  path: string[]
  modules: ModuleSpec[]
}

/** Categories shown first, in this order; every other category follows alphabetically. */
const PINNED_CATEGORIES = ['Saved Datasets', 'Trained Models']

export const UNCATEGORISED = 'Other'

export function categoryPath(category: string): string[] {
  const parts = category
    .split('/')
    .map((part) => part.trim())
    .filter(Boolean)
  return parts.length > 0 ? parts : [UNCATEGORISED]
}

function compareCategories(a: string, b: string): number {
  const pa = PINNED_CATEGORIES.indexOf(a)
  const pb = PINNED_CATEGORIES.indexOf(b)
  if (pa !== -1 || pb !== -1) {
    if (pa === -1) return 1
    if (pb === -1) return -1
    return pa - pb
  }
  return a.localeCompare(b, undefined, { sensitivity: 'base' })
}

/**
 * Groups a module catalogue by its `category`, categories in a stable order (pinned ones first,
 * then alphabetical by path) and modules by display name within each group.
 */
export function groupModulesByCategory(modules: readonly ModuleSpec[]): ModuleGroup[] {
  const byCategory = new Map<string, ModuleSpec[]>()
  for (const module of modules) {
    const category = categoryPath(module.category ?? '').join(' / ')
    const list = byCategory.get(category)
    if (list) list.push(module)
    else byCategory.set(category, [module])
  }
  return [...byCategory.entries()]
    .sort(([a], [b]) => compareCategories(a, b))
    .map(([category, list]) => ({
      category,
      path: categoryPath(category),
      modules: [...list].sort((x, y) => x.name.localeCompare(y.name, undefined, { sensitivity: 'base' })),
    }))
}

/**
 * Keeps the modules whose name, id, category or description contains every word of the query
 * (case-insensitive). An empty query keeps everything.
 */
export function filterModules(modules: readonly ModuleSpec[], query: string): ModuleSpec[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return [...modules]
  return modules.filter((module) => {
    const haystack = [module.name, module.id, module.category, module.description ?? '']
      .join(' ')
      .toLowerCase()
    return words.every((word) => haystack.includes(word))
  })
}

export interface PaletteSection {
  /** The top-level category, e.g. "Machine Learning". */
  title: string
  /** Its groups; `label` is the rest of the path ("Initialize Model / Clustering"), or null for
   * modules filed directly under the top-level category. */
  groups: (ModuleGroup & { label: string | null })[]
}

/**
 * Arranges sorted groups into top-level sections, the way the palette shows them as a tree:
 * "Machine Learning" › "Train" › Train Clustering Model.
 */
export function sectionGroups(groups: readonly ModuleGroup[]): PaletteSection[] {
  const sections: PaletteSection[] = []
  for (const group of groups) {
    const [title, ...rest] = group.path
    let section = sections[sections.length - 1]
    if (!section || section.title !== title) {
      section = { title, groups: [] }
      sections.push(section)
    }
    section.groups.push({ ...group, label: rest.length > 0 ? rest.join(' / ') : null })
  }
  return sections
}
