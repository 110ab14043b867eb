// Pure logic of the Share dialog and the read-only views (unit-tested in shareLogic.test.ts).
import type { Share, ShareRole, User } from '../../api/types'

export const ROLE_LABEL: Record<string, string> = { owner: 'Owner', editor: 'Editor', viewer: 'Viewer' }
export const SHARE_ROLES: { value: ShareRole; label: string; hint: string }[] = [
  { value: 'viewer', label: 'Viewer', hint: 'can open, look at outputs and save a copy' },
  { value: 'editor', label: 'Editor', hint: 'can also change, save and run' },
]

export const MAX_TAGS = 20
export const MAX_TAG_LENGTH = 40
export const MAX_TITLE_LENGTH = 255
export const MAX_SUMMARY_LENGTH = 50_000

/** "clustering, iris, Iris ,k-means" → ["clustering", "iris", "k-means"]: trimmed, no empties, no case-insensitive repeats. */
export function parseTags(input: string): string[] {
  const seen = new Set<string>()
  const tags: string[] = []
  for (const raw of input.split(/[,\n]/)) {
    const tag = raw.trim().replace(/\s+/g, ' ')
    if (!tag || seen.has(tag.toLowerCase())) continue
    seen.add(tag.toLowerCase())
    tags.push(tag)
  }
  return tags
}

export function tagsProblem(tags: string[]): string | null {
  if (tags.length > MAX_TAGS) return `At most ${MAX_TAGS} tags`
  const long = tags.find((tag) => tag.length > MAX_TAG_LENGTH)
  return long ? `“${long.slice(0, 16)}…” is longer than ${MAX_TAG_LENGTH} characters` : null
}

export interface PublishDraft {
  title: string
  tags: string
  summary: string
}

/** What stops the draft from being published, or null. */
export function publishProblem(draft: PublishDraft): string | null {
  const title = draft.title.trim()
  if (!title) return 'Give it a title'
  if (title.length > MAX_TITLE_LENGTH) return `The title is longer than ${MAX_TITLE_LENGTH} characters`
  if (draft.summary.length > MAX_SUMMARY_LENGTH) return `The summary is longer than ${MAX_SUMMARY_LENGTH.toLocaleString('en')} characters`
  return tagsProblem(parseTags(draft.tags))
}

/** Why a username cannot be added (before asking the server), or null. */
export function shareProblem(username: string, owner: User | null): string | null {
  const name = username.trim()
  if (!name) return 'Enter a username'
  if (owner && name.toLowerCase() === owner.username.toLowerCase()) return 'You own this experiment already'
  return null
}

/** The list after the server answered a share (added or role changed): one row per user, by name. */
export function upsertShare(shares: readonly Share[], share: Share): Share[] {
  const others = shares.filter((s) => s.user.id !== share.user.id)
  return [...others, share].sort((a, b) => a.user.username.localeCompare(b.user.username))
}

export function withoutShare(shares: readonly Share[], userId: number): Share[] {
  return shares.filter((s) => s.user.id !== userId)
}

/** The toast after sharing: "bob can now view" / "bob can now edit" / "bob is now an editor". */
export function sharedMessage(before: readonly Share[], share: Share): string {
  const had = before.find((s) => s.user.id === share.user.id)
  const verb = share.role === 'editor' ? 'edit' : 'view'
  if (had && had.role !== share.role) return `${share.user.username} can now ${verb} (was ${ROLE_LABEL[had.role]?.toLowerCase() ?? had.role})`
  return `${share.user.username} can now ${verb}`
}

/** "Shared by alice · you can view" — what the banner says to someone who is not the owner. */
export function sharedNote(role: string, owner: string): string {
  return `Shared by ${owner} · you can ${role === 'editor' ? 'edit' : 'view'}`
}

/** Why an editing control is off, for its tooltip; null when it is on. */
export function readOnlyReason(role: string, viewingHistory: boolean, owner?: string): string | null {
  if (viewingHistory) return 'You are looking at an earlier run: go back to the draft to edit'
  if (role === 'viewer') return `View only: ${owner ? `${owner} shared this with you` : 'this was shared with you'} as a viewer. Save a copy to change it`
  return null
}

/** Where "Open in Studio" sends a visitor who is not signed in: sign up, then back here to finish the copy. */
export function openInStudioSignUpPath(pathname: string): string {
  return `/signup?next=${encodeURIComponent(`${pathname}?open=1`)}`
}

/** Tag chips of a gallery: every tag seen, most used first, then by name. */
export function tagCounts(entries: readonly { tags: string[] }[]): { tag: string; count: number }[] {
  const counts = new Map<string, number>()
  for (const entry of entries) for (const tag of entry.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1)
  return [...counts].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag))
}

/** Something the Share dialog loads: loading, there, or why it is not. */
export type Loaded<T> = { state: 'loading' } | { state: 'ready'; data: T } | { state: 'error'; error: string }
