import { describe, expect, it } from 'vitest'
import { sampleCatalogue } from '../../test/fixtures'
import { categoryPath, filterModules, groupModulesByCategory, sectionGroups } from './groupModules'

describe('groupModulesByCategory', () => {
  it('groups a catalogue by category, pinned categories first, then alphabetical', () => {
    const groups = groupModulesByCategory(sampleCatalogue)
    expect(groups.map((group) => group.category)).toEqual([
      'Saved Datasets',
      'Data Transformation / Scale and Reduce',
      'Machine Learning / Initialize Model / Clustering',
      'Machine Learning / Score',
      'Machine Learning / Train',
    ])
  })

  it('sorts modules by display name within a group and keeps every module exactly once', () => {
    const groups = groupModulesByCategory(sampleCatalogue)
    const train = groups.find((group) => group.category === 'Machine Learning / Train')
    expect(train?.modules.map((module) => module.id)).toEqual(['sweep_clustering', 'train_clustering_model'])
    expect(train?.path).toEqual(['Machine Learning', 'Train'])
    const ids = groups.flatMap((group) => group.modules.map((module) => module.id)).sort()
    expect(ids).toEqual(sampleCatalogue.map((module) => module.id).sort())
  })

  it('normalises category spacing and puts modules without a category under "Other"', () => {
    const base = sampleCatalogue[0]
    const groups = groupModulesByCategory([
      { ...base, id: 'a', name: 'A', category: 'Machine Learning/Train' },
      { ...base, id: 'b', name: 'B', category: ' Machine Learning /  Train ' },
      { ...base, id: 'c', name: 'C', category: '' },
    ])
    expect(groups.map((group) => [group.category, group.modules.map((m) => m.id)])).toEqual([
      ['Machine Learning / Train', ['a', 'b']],
      ['Other', ['c']],
    ])
  })

  it('returns no groups for an empty catalogue', () => {
    expect(groupModulesByCategory([])).toEqual([])
  })
})

describe('categoryPath', () => {
  it('splits a category on slashes', () => {
    expect(categoryPath('Machine Learning / Initialize Model / Clustering')).toEqual([
      'Machine Learning',
      'Initialize Model',
      'Clustering',
    ])
  })
})

describe('filterModules', () => {
  it('matches every word against name, id, category and description, ignoring case', () => {
    expect(filterModules(sampleCatalogue, 'k-means').map((m) => m.id)).toEqual(['kmeans_clustering'])
    expect(filterModules(sampleCatalogue, 'TRAIN clustering').map((m) => m.id)).toEqual([
      'train_clustering_model',
      'sweep_clustering',
    ])
    expect(filterModules(sampleCatalogue, 'scale').map((m) => m.id)).toEqual(['normalize_data'])
    expect(filterModules(sampleCatalogue, '   ')).toHaveLength(sampleCatalogue.length)
    expect(filterModules(sampleCatalogue, 'nothing-like-this')).toEqual([])
  })
})

describe('sectionGroups', () => {
  it('nests groups under their top-level category in order', () => {
    const sections = sectionGroups(groupModulesByCategory(sampleCatalogue))
    expect(sections.map((section) => [section.title, section.groups.map((group) => group.label)])).toEqual([
      ['Saved Datasets', [null]],
      ['Data Transformation', ['Scale and Reduce']],
      ['Machine Learning', ['Initialize Model / Clustering', 'Score', 'Train']],
    ])
  })
})
