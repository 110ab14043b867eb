import type { ComponentPropsWithoutRef } from 'react'
import ReactMarkdown, { defaultUrlTransform, type Components, type ExtraProps } from 'react-markdown'
import './markdown.css'

// User-written markdown (gallery summaries), rendered safely:
// - raw HTML is never rendered: react-markdown (without rehype-raw) turns it into `raw` nodes and
//   `skipHtml` drops them, so `<script>` and `<img onerror=…>` produce no element at all;
// - every URL goes through `safeUrl`: react-markdown's default transform keeps only http(s), mailto,
//   irc(s), xmpp and relative URLs (`javascript:`, `data:`, `vbscript:` … become ''), and an empty
//   link renders as plain text, not as `<a href="">` (which would reload the page);
// - nothing here uses dangerouslySetInnerHTML.

/** The URL if it is safe to put in an href/src, else ''. */
export function safeUrl(url: string): string {
  return defaultUrlTransform(url.trim())
}

function isExternal(href: string): boolean {
  return /^(https?:)?\/\//i.test(href)
}

function SafeLink({ href, children, node: _node, ...rest }: ComponentPropsWithoutRef<'a'> & ExtraProps) {
  const url = href ? safeUrl(href) : ''
  if (!url) {
    return (
      <span className="md-link-removed" title="Link removed: only web and e-mail links are allowed">
        {children}
      </span>
    )
  }
  const external = isExternal(url)
  return (
    <a {...rest} href={url} target={external ? '_blank' : undefined} rel={external ? 'noopener noreferrer nofollow ugc' : 'nofollow ugc'}>
      {children}
    </a>
  )
}

function SafeImage({ src, alt, node: _node, title }: ComponentPropsWithoutRef<'img'> & ExtraProps) {
  const url = typeof src === 'string' ? safeUrl(src) : ''
  if (!url) return alt ? <span className="md-image-removed">{alt}</span> : null
  return <img src={url} alt={alt ?? ''} title={title} loading="lazy" referrerPolicy="no-referrer" decoding="async" />
}

const components: Components = { a: SafeLink, img: SafeImage }
// Card excerpts: text only (the card itself is the link), block structure flattened into a few lines.
const EXCERPT_DROPPED = ['a', 'img', 'hr', 'pre', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote']

export interface MarkdownProps {
  children: string
  /** "excerpt": no images, headings or code blocks (a gallery card). */
  variant?: 'full' | 'excerpt'
  className?: string
}

export function Markdown({ children, variant = 'full', className }: MarkdownProps) {
  return (
    <div className={`markdown markdown-${variant}${className ? ` ${className}` : ''}`}>
      <ReactMarkdown
        skipHtml
        urlTransform={safeUrl}
        components={components}
        disallowedElements={variant === 'excerpt' ? EXCERPT_DROPPED : undefined}
        unwrapDisallowed
      >
        {children}
      </ReactMarkdown>
    </div>
  )
}
