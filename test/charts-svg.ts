/** Test helper: the text elements of a vega SVG with their absolute anchor positions. */
export interface SvgText {
  text: string;
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  fontSize: number;
  bold: boolean;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function translate(attrs: string): [number, number] {
  const m = /transform="translate\(([-\d.e]+),([-\d.e]+)\)"/.exec(attrs);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Walks <g transform="translate(...)"> nesting (the only transforms vega's SVG uses for layout). */
export function svgTexts(svg: string): SvgText[] {
  const out: SvgText[] = [];
  const stack: [number, number][] = [[0, 0]];
  const re = /<(\/?)(g|text)\b([^>]*?)(\/?)>([^<]*)/g;
  for (let m = re.exec(svg); m; m = re.exec(svg)) {
    const [, close, tag, attrs, selfClose, content] = m;
    const [px, py] = stack[stack.length - 1];
    if (tag === 'g') {
      if (close) stack.pop();
      else if (!selfClose) {
        const [dx, dy] = translate(attrs);
        stack.push([px + dx, py + dy]);
      }
    } else if (tag === 'text' && !close) {
      const [dx, dy] = translate(attrs);
      out.push({
        text: content.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]),
        x: px + dx,
        y: py + dy,
        anchor: (/text-anchor="(\w+)"/.exec(attrs)?.[1] ?? 'start') as SvgText['anchor'],
        fontSize: Number(/font-size="([\d.]+)px"/.exec(attrs)?.[1] ?? 11),
        bold: /font-weight="bold"/.test(attrs),
      });
    }
  }
  return out;
}
