import { lazyPages, matchesRoute } from './pages'

describe('matchesRoute', () => {
  it('matches the same segments, a ":name" segment matching any one', () => {
    expect(matchesRoute(lazyPages.output.path, '/runs/12/nodes/assign/outputs/results_dataset')).toBe(true)
    expect(matchesRoute(lazyPages.editor.path, '/experiments/7')).toBe(true)
    expect(matchesRoute(lazyPages.editor.path, '/experiments/7/')).toBe(true)
    expect(matchesRoute(lazyPages.services.path, '/services')).toBe(true)
  })

  it('does not match other pages', () => {
    expect(matchesRoute(lazyPages.output.path, '/runs/12/nodes/assign')).toBe(false)
    expect(matchesRoute(lazyPages.editor.path, '/experiments')).toBe(false)
    expect(matchesRoute(lazyPages.services.path, '/services/3')).toBe(false)
    expect(matchesRoute(lazyPages.service.path, '/services/3')).toBe(true)
    expect(matchesRoute(lazyPages.gallery.path, '/')).toBe(false)
  })
})
