// The pages whose code is loaded when visited, each with its route. No React here: the entry
// (main.tsx) imports this module to start the opened page's code beside the app's own.
import type { ComponentType } from 'react'

interface LazyPage {
  /** The route (react-router pattern; ":name" is one path segment). */
  path: string
  /** Imports the page's code; the module system loads it once, however often this is called. */
  load: () => Promise<{ default: ComponentType }>
}

export const lazyPages = {
  // An output opened full-page brings the charts (and, through it, ECharts).
  output: {
    path: '/runs/:runId/nodes/:nodeId/outputs/:port',
    load: () => import('../features/visualize').then((module) => ({ default: module.OutputPage })),
  },
  // The editor brings the canvas (React Flow, d3): half of the app's code.
  editor: {
    path: '/experiments/:id',
    load: () => import('../features/editor/EditorPage').then((module) => ({ default: module.EditorPage })),
  },
  models: { path: '/models', load: () => import('../features/models/ModelsPage').then((module) => ({ default: module.ModelsPage })) },
  services: {
    path: '/services',
    load: () => import('../features/services/ServicesPage').then((module) => ({ default: module.ServicesPage })),
  },
  service: {
    path: '/services/:id',
    load: () => import('../features/services/ServicePage').then((module) => ({ default: module.ServicePage })),
  },
  // The gallery and the read-only link pages bring the markdown renderer.
  gallery: {
    path: '/gallery',
    load: () => import('../features/sharing/GalleryPage').then((module) => ({ default: module.GalleryPage })),
  },
  galleryEntry: {
    path: '/gallery/:id',
    load: () => import('../features/sharing/PublicPages').then((module) => ({ default: module.GalleryEntryPage })),
  },
  sharedLink: {
    path: '/shared/:token',
    load: () => import('../features/sharing/PublicPages').then((module) => ({ default: module.SharedLinkPage })),
  },
} satisfies Record<string, LazyPage>

/** Whether a pathname matches a route pattern: the same segments, ":name" matching any one. */
export function matchesRoute(path: string, pathname: string): boolean {
  const expected = path.split('/').filter(Boolean)
  const actual = pathname.split('/').filter(Boolean)
  return (
    expected.length === actual.length &&
    expected.every((segment, index) => (segment.startsWith(':') ? actual[index] !== '' : segment === actual[index]))
  )
}

/** Starts loading the code of the page at `pathname`, if it is one of the lazily loaded pages. */
export function startLoadingPage(pathname: string): void {
  for (const page of Object.values(lazyPages)) {
    if (matchesRoute(page.path, pathname)) page.load().catch(() => undefined) // the route shows a failure
  }
}
