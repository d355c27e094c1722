import type { EmulatorEvent, InstanceEvent, InvocationEvent, ReloadEvent } from '../../events/emulator-event';
import type { ConsoleState } from '../console-data';
import { api } from './api.js';
import { fill, h, ms, table, time } from './dom.js';
import { renderTimeline } from './timeline.js';

/** What the page holds: the state from the API, and the events from the stream (newest first). */
const view = {
  state: undefined as ConsoleState | undefined,
  invocations: [] as InvocationEvent[],
  instances: [] as InstanceEvent[],
  reloads: [] as ReloadEvent[],
  selected: undefined as string | undefined,
};
const KEEP = 500;

function onEvent(event: EmulatorEvent): void {
  if (event.type === 'invocation') {
    view.invocations.unshift(event);
    view.invocations.length = Math.min(view.invocations.length, KEEP);
    renderInvocations();
    renderTimeline(view.invocations, view.instances);
  } else if (event.type === 'instance') {
    view.instances.push(event);
    if (view.instances.length > KEEP * 2) view.instances.shift();
    renderTimeline(view.invocations, view.instances);
  } else if (event.type === 'reload') {
    view.reloads.unshift(event);
    renderReloads();
  }
}

function renderFunctions(): void {
  const functions = view.state?.functions ?? [];
  const rows = functions.map((fn) => {
    const select = h(
      'select',
      { 'data-samples': fn.name },
      ...fn.samples.map((kind) => h('option', { value: kind }, kind)),
    );
    return h(
      'tr',
      { 'data-function': fn.name, 'data-provider': fn.provider },
      h('td', {}, fn.name),
      h('td', {}, fn.provider),
      h(
        'td',
        {},
        ...fn.triggers.flatMap((t) => [
          t.url
            ? h(
                'a',
                { href: t.url, target: '_blank', rel: 'noopener' },
                `${t.kind} ${new URL(t.url).pathname}`,
              )
            : `${t.kind} ${t.description}`,
          h('br'),
        ]),
      ),
      h('td', { className: 'stats' }, `${fn.stats.instances} up · ${fn.stats.busy} busy`),
      h(
        'td',
        {},
        h(
          'button',
          {
            'data-action': 'recycle',
            'data-function': fn.name,
            onclick: () => act(`recycled ${fn.name}`, () => api.recycle(fn.name)),
          },
          'Recycle',
        ),
        ' ',
        fn.samples.length > 0 ? select : '',
        ' ',
        fn.samples.length > 0
          ? h(
              'button',
              {
                'data-action': 'sample',
                'data-function': fn.name,
                onclick: () =>
                  act(`fired ${select.value} at ${fn.name}`, () => api.sample(fn.name, select.value)),
              },
              'Fire',
            )
          : '',
      ),
    );
  });
  fill('functions', table(['function', 'provider', 'triggers', 'instances', ''], rows));
}

function renderInvocations(): void {
  const rows = view.invocations.slice(0, 200).map((inv) =>
    h(
      'tr',
      {
        className: `invocation${inv.requestId === view.selected ? ' selected' : ''}`,
        'data-request-id': inv.requestId,
        'data-function': inv.function,
        'data-cold': String(inv.cold),
        'data-trigger': inv.trigger,
        onclick: () => select(inv.requestId),
      },
      h('td', {}, time(inv.startTime)),
      h('td', {}, inv.function),
      h('td', {}, inv.provider),
      h('td', {}, inv.trigger),
      h(
        'td',
        { className: inv.outcome === 'success' ? 'good' : 'bad' },
        inv.status ? `${inv.outcome} ${inv.status}` : inv.outcome,
      ),
      h('td', { className: inv.cold ? 'cold' : 'warm' }, inv.cold ? '● cold' : '○ warm'),
      h('td', {}, ms(inv.durationMs)),
      h('td', {}, ms(inv.initDurationMs)),
      h('td', { title: inv.instanceId }, inv.instanceId.slice(0, 8)),
      h('td', {}, inv.memoryUsedMb !== undefined ? `${inv.memoryUsedMb} MB` : ''),
    ),
  );
  fill(
    'invocations',
    table(
      [
        'start',
        'function',
        'provider',
        'trigger',
        'outcome',
        'start kind',
        'duration',
        'init',
        'instance',
        'memory',
      ],
      rows,
    ),
  );
}

async function select(requestId: string): Promise<void> {
  view.selected = requestId;
  renderInvocations();
  const inv = view.invocations.find((i) => i.requestId === requestId);
  if (!inv) return;
  const logs = h('pre', { className: 'logs' }, inv.logs.join('\n') || '(no output)');
  if (!inv.replayable) {
    fill(
      'detail',
      h('p', {}, `${inv.function} · ${inv.requestId}`),
      logs,
      h('p', { className: 'hint' }, 'Replay is for AWS invocations.'),
    );
    return;
  }
  const editor = h('textarea', { id: 'replay-event', spellcheck: 'false' });
  editor.value = await api.input(requestId).then(
    (text) => pretty(text),
    (error: Error) => `// ${error.message}`,
  );
  fill(
    'detail',
    h('p', {}, `${inv.function} · ${inv.requestId}`),
    logs,
    editor,
    h(
      'button',
      {
        'data-action': 'replay',
        onclick: () => act(`replayed ${inv.function}`, () => api.replay(requestId, editor.value)),
      },
      'Replay with this event',
    ),
  );
}

function renderReloads(): void {
  const short = (digest?: string) => (digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '—');
  const rows = view.reloads.map((r) =>
    h(
      'tr',
      { className: `reload ${r.outcome}`, 'data-function': r.function, 'data-outcome': r.outcome },
      h('td', {}, time(r.time)),
      h('td', {}, r.function),
      h('td', {}, `${short(r.before)} → ${short(r.after)}`),
      h('td', { className: r.outcome === 'reloaded' ? 'good' : 'bad' }, r.outcome),
      h(
        'td',
        { title: r.error ?? '' },
        r.location ? `${r.location}: ${r.error ?? ''}` : (r.error ?? ms(r.durationMs)),
      ),
    ),
  );
  fill(
    'reloads',
    rows.length
      ? table(['time', 'function', 'digest', 'outcome', 'detail'], rows)
      : h('p', { className: 'hint' }, 'No reload yet: save a file of a function.'),
  );
}

function renderPlanes(): void {
  const planes = view.state?.planes;
  if (!planes) {
    fill(
      'planes',
      h(
        'p',
        { className: 'hint' },
        'Not serving the local control planes: start with --cloud to deploy here with sls deploy --local-cloud.',
      ),
    );
    return;
  }
  const requests = planes.requests
    .slice(-100)
    .reverse()
    .map((r) =>
      h(
        'tr',
        { className: r.write ? 'write' : '' },
        h('td', {}, time(r.at)),
        h('td', {}, r.provider),
        h('td', {}, r.operation),
        h('td', {}, `${r.method} ${r.path}`),
        h('td', {}, r.status),
      ),
    );
  const deployed = planes.deployed.map((d) =>
    h('tr', {}, h('td', {}, d.provider), h('td', {}, d.name), h('td', {}, d.detail)),
  );
  fill(
    'planes',
    h('h3', {}, 'Deployed'),
    table(['provider', 'name', 'detail'], deployed),
    h('h3', {}, 'Requests (writes highlighted)'),
    table(['time', 'provider', 'operation', 'call', 'status'], requests),
  );
}

/** Runs a console action, showing its outcome in the status line. */
async function act(done: string, action: () => Promise<unknown>): Promise<void> {
  const status = document.getElementById('status');
  try {
    await action();
    if (status) status.textContent = done;
  } catch (error) {
    if (status) status.textContent = (error as Error).message;
  }
  await refresh();
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

async function refresh(): Promise<void> {
  view.state = await api.state();
  renderFunctions();
  renderPlanes();
}

function connect(): void {
  const status = document.getElementById('status');
  const source = new EventSource('/__faasport/events?replay=1');
  source.onopen = () => {
    // A reconnect replays the recent events again: start from a clean slate.
    view.invocations = [];
    view.instances = [];
    view.reloads = [];
    if (status) {
      status.textContent = 'live';
      status.classList.add('live');
    }
  };
  source.onerror = () => {
    if (status) {
      status.textContent = 'reconnecting…';
      status.classList.remove('live');
    }
  };
  source.onmessage = (message) => onEvent(JSON.parse(message.data as string) as EmulatorEvent);
}

renderInvocations();
renderReloads();
void refresh();
setInterval(() => void refresh().catch(() => undefined), 2000);
connect();
