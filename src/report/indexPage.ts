/**
 * The index page of an output folder: one HTML file that opens from disk (relative links, inline
 * CSS, no scripts) showing every table (their HTML fragments embedded) and every figure (as
 * <img src="figure1.svg">), each with links to its other formats.
 */
import { escapeHtml, htmlDocument } from './html.ts';

/** A link to a file beside the index page. */
export interface FileLink {
  /** e.g. "LaTeX". */
  label: string;
  /** Relative path, e.g. "table3.tex". */
  href: string;
}

export interface IndexTable {
  /** Anchor id, e.g. "table3". */
  id: string;
  title: string;
  /** The table's HTML fragment (from toHtml). */
  html: string;
  files: FileLink[];
}

export interface IndexFigure {
  id: string;
  title: string;
  /** Relative path of the image shown, e.g. "figure1.svg". */
  image: string;
  /** Alternative text of the image. */
  alt?: string;
  files: FileLink[];
}

export interface IndexPageOptions {
  title: string;
  /** Paragraphs (plain text) under the title. */
  intro?: string[];
  tables: IndexTable[];
  figures: IndexFigure[];
  /** Other files, e.g. the replication report and the JSON results. */
  links?: FileLink[];
}

/**
 * A relative href, percent-encoded where needed. Absolute URLs and paths are refused: the page
 * must keep working when the folder is moved or zipped.
 */
export function relativeHref(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/') || path.startsWith('\\')) {
    throw new Error(`index page: link '${path}' is not a relative path`);
  }
  return path.split('/').map(encodeURIComponent).join('/');
}

function linkList(files: FileLink[]): string {
  if (files.length === 0) return '';
  const items = files.map((f) => `<a href="${escapeHtml(relativeHref(f.href))}">${escapeHtml(f.label)}</a>`);
  return `<p class="files">Download: ${items.join(' · ')}</p>`;
}

const INDEX_CSS = `nav ul{columns:2;padding-left:1.2em}
section{margin:2.5em 0}
p.files{font-size:.9em;color:#444}
figure{margin:1em 0}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-weight:bold;margin-bottom:.5em}`;

/** The index page as a complete HTML document. */
export function indexPage(opts: IndexPageOptions): string {
  const body: string[] = [`<h1>${escapeHtml(opts.title)}</h1>`];
  for (const p of opts.intro ?? []) body.push(`<p>${escapeHtml(p)}</p>`);
  const toc = [...opts.tables, ...opts.figures].map((x) => `<li><a href="#${escapeHtml(encodeURIComponent(x.id))}">${escapeHtml(x.title)}</a></li>`);
  if (toc.length > 0) body.push('<nav>', '<ul>', ...toc, '</ul>', '</nav>');
  if (opts.links && opts.links.length > 0) {
    body.push('<ul class="links">', ...opts.links.map((l) => `<li><a href="${escapeHtml(relativeHref(l.href))}">${escapeHtml(l.label)}</a></li>`), '</ul>');
  }
  for (const t of opts.tables) {
    body.push(`<section id="${escapeHtml(t.id)}">`, t.html.trimEnd(), linkList(t.files), '</section>');
  }
  for (const f of opts.figures) {
    body.push(
      `<section id="${escapeHtml(f.id)}">`,
      '<figure>',
      `<figcaption>${escapeHtml(f.title)}</figcaption>`,
      `<img src="${escapeHtml(relativeHref(f.image))}" alt="${escapeHtml(f.alt ?? f.title)}">`,
      '</figure>',
      linkList(f.files),
      '</section>',
    );
  }
  return htmlDocument(opts.title, body.filter((s) => s !== '').join('\n'), INDEX_CSS);
}
