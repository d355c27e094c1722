import type { InstanceEvent, InvocationEvent } from '../../events/emulator-event';
import { fill, h, svg } from './dom.js';

const WIDTH = 1000;
const LANE = 46;
const LABEL = 170;

/**
 * One lane per function: each invocation a mark at its start (filled = cold, hollow = warm)
 * with a bar as long as it ran, and a step line of how many instances were up.
 */
export function renderTimeline(invocations: InvocationEvent[], instances: InstanceEvent[]): void {
  const names = [...new Set([...invocations.map((i) => i.function)].reverse())];
  if (names.length === 0) {
    fill('timeline', h('p', { className: 'hint' }, 'No invocation yet.'));
    return;
  }
  const starts = invocations.map((i) => Date.parse(i.startTime));
  const ends = invocations.map((i) => Date.parse(i.time));
  const from = Math.min(...starts);
  const to = Math.max(Math.max(...ends), from + 1000);
  const x = (t: number) => LABEL + ((t - from) / (to - from)) * (WIDTH - LABEL - 10);
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${names.length * LANE + 20}`, role: 'img' });
  names.forEach((name, lane) => {
    const top = lane * LANE + 10;
    chart.append(svg('text', { x: 4, y: top + 18, class: 'lane-label' }, document.createTextNode(name)));
    chart.append(svg('line', { x1: LABEL, x2: WIDTH - 10, y1: top + 30, y2: top + 30, stroke: '#2a3340' }));
    chart.append(instanceLine(name, instances, from, to, x, top));
    for (const inv of invocations.filter((i) => i.function === name)) {
      const start = x(Date.parse(inv.startTime));
      const end = Math.max(start + 2, x(Date.parse(inv.time)));
      const colour = inv.cold ? '#4fa3ff' : '#f2b45a';
      const mark = svg(
        'g',
        { class: inv.cold ? 'mark cold' : 'mark warm', 'data-request-id': inv.requestId },
        svg('rect', { x: start, y: top + 12, width: end - start, height: 6, fill: colour, opacity: 0.5 }),
        svg('circle', {
          cx: start,
          cy: top + 15,
          r: 5,
          fill: inv.cold ? colour : 'none',
          stroke: colour,
          'stroke-width': 2,
        }),
        svg(
          'title',
          {},
          document.createTextNode(
            `${inv.cold ? 'cold' : 'warm'} · ${inv.durationMs.toFixed(0)} ms · ${inv.instanceId.slice(0, 8)}`,
          ),
        ),
      );
      chart.append(mark);
    }
  });
  fill('timeline', chart);
}

/** Instances up over time (trial instances of hot reload left out), as a step line under the lane. */
function instanceLine(
  name: string,
  instances: InstanceEvent[],
  from: number,
  to: number,
  x: (t: number) => number,
  top: number,
): SVGElement {
  let up = 0;
  let points = `${x(from)},${top + 30}`;
  const trials = new Set(instances.filter((e) => e.reason === 'trial').map((e) => e.instanceId));
  for (const event of instances) {
    if (event.function !== name || trials.has(event.instanceId)) continue;
    const t = Math.min(Math.max(Date.parse(event.time), from), to);
    points += ` ${x(t)},${top + 30 - up * 4}`;
    up = Math.max(0, up + (event.change === 'started' ? 1 : -1));
    points += ` ${x(t)},${top + 30 - up * 4}`;
  }
  points += ` ${x(to)},${top + 30 - up * 4}`;
  return svg(
    'polyline',
    { points, fill: 'none', stroke: '#5fd38d', 'stroke-width': 1.5 },
    svg('title', {}, document.createTextNode(`${name}: ${up} instance(s) up`)),
  );
}
