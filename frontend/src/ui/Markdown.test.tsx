import { render } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { Markdown, safeUrl } from './Markdown'

const HOSTILE = [
  '# Iris in three clusters',
  '',
  'K-Means with **k = 3** on the *Iris* measurements.',
  '',
  '<script>window.__pwned=1</script>',
  '',
  'An image: <img src=x onerror="window.__pwned=2"> and an inline <b onclick="window.__pwned=4">bold</b>.',
  '',
  '<a href="javascript:alert(1)">raw link</a>',
  '',
  '[click](javascript:window.__pwned=3) · [data](data:text/html;base64,PHNjcmlwdD4=) · [vb](vbscript:msgbox) · [Tab](java\tscript:alert(1))',
  '',
  '![pixel](javascript:alert(1)) [docs](https://example.org/docs) [mail](mailto:ada@example.org) [rel](/gallery/2)',
  '',
  '<iframe src="https://example.org"></iframe><style>body{display:none}</style>',
].join('\n')

describe('Markdown', () => {
  it('renders no raw HTML: no script, no element with an event handler, no iframe or style', () => {
    const { container } = render(<Markdown>{HOSTILE}</Markdown>)
    expect(container.querySelector('h1')).toHaveTextContent('Iris in three clusters')
    expect(container.querySelector('strong')).toHaveTextContent('k = 3')
    expect(container.querySelectorAll('script, iframe, style, b')).toHaveLength(0)
    for (const element of container.querySelectorAll('*')) {
      for (const attribute of element.getAttributeNames()) expect(attribute).not.toMatch(/^on/i)
    }
    expect(container.querySelectorAll('img')).toHaveLength(0)
    expect(container.innerHTML).not.toContain('__pwned')
  })

  it('keeps web, mail and relative links and neutralises javascript:, data: and vbscript: ones', () => {
    const { container } = render(<Markdown>{HOSTILE}</Markdown>)
    const hrefs = [...container.querySelectorAll('a')].map((a) => a.getAttribute('href'))
    expect(hrefs).toEqual(['https://example.org/docs', 'mailto:ada@example.org', '/gallery/2'])
    for (const a of container.querySelectorAll('a')) expect(a.getAttribute('href') ?? '').not.toMatch(/^\s*(javascript|data|vbscript):/i)
    const external = container.querySelector('a[href="https://example.org/docs"]')
    expect(external).toHaveAttribute('target', '_blank')
    expect(external?.getAttribute('rel')).toContain('noopener')
    // The dangerous links keep their text, without a link.
    const removed = [...container.querySelectorAll('.md-link-removed')].map((span) => span.textContent)
    expect(removed).toEqual(['click', 'data', 'vb'])
    // The image with a javascript: source shows its alt text only.
    expect(container.querySelector('.md-image-removed')).toHaveTextContent('pixel')
  })

  it('keeps a safe image, lazily and without a referrer', () => {
    const { container } = render(<Markdown>{'![chart](https://example.org/c.png)'}</Markdown>)
    const img = container.querySelector('img')
    expect(img).toHaveAttribute('src', 'https://example.org/c.png')
    expect(img).toHaveAttribute('referrerpolicy', 'no-referrer')
  })

  it('renders an excerpt as text: no links, images or headings', () => {
    const { container } = render(<Markdown variant="excerpt">{HOSTILE}</Markdown>)
    expect(container.querySelectorAll('a, img, h1, script')).toHaveLength(0)
    expect(container).toHaveTextContent('Iris in three clusters')
    expect(container).toHaveTextContent('docs')
  })

  it('safeUrl', () => {
    expect(safeUrl('javascript:alert(1)')).toBe('')
    expect(safeUrl(' JavaScript:alert(1)')).toBe('')
    expect(safeUrl('data:text/html,x')).toBe('')
    expect(safeUrl('https://a.b/c?d=e')).toBe('https://a.b/c?d=e')
    expect(safeUrl('#section')).toBe('#section')
  })
})
