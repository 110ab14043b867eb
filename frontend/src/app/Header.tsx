import { useState, type ReactNode } from 'react'
import { Link, useLocation } from 'react-router'
import { ChangePasswordDialog, SignOutEverywhereDialog } from '../features/auth/AccountDialogs'
import { useAuth } from '../features/auth/AuthContext'
import { Icon } from '../ui/icons'
import { Menu } from '../ui/Menu'
import { Logo } from './Logo'

export interface HeaderProps {
  /** The breadcrumb after "Experiments" (the experiment's name in the editor). */
  crumb?: ReactNode
  /** Right-hand toolbar (Save, Run, …). */
  actions?: ReactNode
  /** Whether "Experiments" is the current page. */
  onExperimentsPage?: boolean
  /** The breadcrumb's root: "Experiments" (default), "Gallery", "Trained models", "Web services", or none
   * (a read-only link). */
  root?: HeaderRoot
  /** Whether the gallery list is the current page. */
  onGalleryPage?: boolean
  /** Whether the root's own list (trained models, web services) is the current page. */
  onRootPage?: boolean
  /** The Gallery / My experiments links (off in the editor, whose toolbar needs the room). */
  nav?: boolean
}

export type HeaderRoot = 'experiments' | 'gallery' | 'models' | 'services' | 'none'

const ROOTS: Record<Exclude<HeaderRoot, 'none'>, { label: string; path: string }> = {
  experiments: { label: 'Experiments', path: '/' },
  gallery: { label: 'Gallery', path: '/gallery' },
  models: { label: 'Trained models', path: '/models' },
  services: { label: 'Web services', path: '/services' },
}

function UserMenu() {
  const { user, state, signOut } = useAuth()
  const location = useLocation()
  const [dialog, setDialog] = useState<'password' | 'everywhere' | null>(null)
  if (!user) {
    if (state.status === 'loading') return null
    const next = encodeURIComponent(`${location.pathname}${location.search}`)
    return (
      <span className="header-visitor">
        <Link className="btn btn-small btn-ghost" to={`/signin?next=${next}`}>
          Sign in
        </Link>
        <Link className="btn btn-small btn-primary" to={`/signup?next=${next}`}>
          Sign up
        </Link>
      </span>
    )
  }
  return (
    <>
      <Menu
        label={`Account: ${user.username}`}
        title={`Signed in as ${user.username}`}
        triggerClassName="user-chip"
        trigger={
          <>
            <span className="user-avatar" aria-hidden="true">
              {user.username.slice(0, 1).toUpperCase()}
            </span>
            <span className="user-name">{user.username}</span>
          </>
        }
        items={[
          { label: 'Change password', icon: <Icon name="lock" />, onSelect: () => setDialog('password') },
          { label: 'Sign out everywhere', icon: <Icon name="globe" />, onSelect: () => setDialog('everywhere') },
          'separator',
          { label: 'Sign out', icon: <Icon name="open" />, onSelect: () => void signOut() },
        ]}
      />
      {dialog === 'password' ? <ChangePasswordDialog onClose={() => setDialog(null)} /> : null}
      {dialog === 'everywhere' ? <SignOutEverywhereDialog onClose={() => setDialog(null)} /> : null}
    </>
  )
}

function HeaderNav({ root, onGalleryPage, onRootPage }: { root: HeaderRoot; onGalleryPage?: boolean; onRootPage?: boolean }) {
  const { user } = useAuth()
  return (
    <nav className="header-nav" aria-label="Sections">
      {root !== 'experiments' && user ? (
        <Link to="/" className="header-nav-link">
          <Icon name="file" size={13} />
          My experiments
        </Link>
      ) : null}
      {user && !(root === 'models' && onRootPage) ? (
        <Link to="/models" className="header-nav-link">
          <Icon name="model" size={13} />
          Models
        </Link>
      ) : null}
      {user && !(root === 'services' && onRootPage) ? (
        <Link to="/services" className="header-nav-link">
          <Icon name="service" size={13} />
          Services
        </Link>
      ) : null}
      {root !== 'gallery' || !onGalleryPage ? (
        <Link to="/gallery" className="header-nav-link">
          <Icon name="globe" size={13} />
          Gallery
        </Link>
      ) : null}
    </nav>
  )
}

export function Header({ crumb, actions, onExperimentsPage, root = 'experiments', onGalleryPage, onRootPage, nav = true }: HeaderProps) {
  const { label: rootLabel, path: rootPath } = ROOTS[root === 'none' ? 'gallery' : root]
  const onRoot = root === 'gallery' ? onGalleryPage : root === 'experiments' ? onExperimentsPage : onRootPage
  return (
    <header className="app-header">
      <Link to={root === 'gallery' || root === 'none' ? '/gallery' : '/'} className="brand" aria-label="Cluster Studio home">
        <Logo />
        <span className="brand-name">Cluster Studio</span>
      </Link>
      <span className="header-divider" aria-hidden="true" />
      <nav className="breadcrumb" aria-label="Breadcrumb">
        {root === 'none' ? null : onRoot ? (
          <span className="breadcrumb-current" aria-current="page">
            {rootLabel}
          </span>
        ) : (
          <Link to={rootPath} className="breadcrumb-parent">
            {rootLabel}
          </Link>
        )}
        {crumb ? (
          <>
            <span className="breadcrumb-separator" aria-hidden="true" hidden={root === 'none'}>
              /
            </span>
            {crumb}
          </>
        ) : null}
      </nav>
      <div className="header-actions">{actions}</div>
      {nav ? <HeaderNav root={root} onGalleryPage={onGalleryPage} onRootPage={onRootPage} /> : null}
      <UserMenu />
    </header>
  )
}
