/**
 * The arrows allowed between Keyway's layers (docs/architecture.md draws them). `importViolations`
 * names every import that goes the wrong way; `npm test` fails on any (test/unit/architecture).
 */
import type { ImportEdge } from './import-graph.js';

/**
 * Features from the bottom up: a feature imports only features of a lower rank. Orders are
 * above subscriptions, services and license requests because paying creates them; licenses are
 * above license requests because a request issues one; uploads are the staff's hand-made
 * licenses and requests, above both.
 */
export const featureRanks: Record<string, number> = {
  audit: 0,
  // The outbox every feature records its events to, like the audit log.
  events: 0.5,
  auth: 1,
  customers: 1,
  'ka-configurations': 1,
  plans: 2,
  subscriptions: 3,
  services: 4,
  'license-requests': 5,
  orders: 6,
  licenses: 7,
  uploads: 8,
  // Renewal orders (orders) renew every license of a subscription (licenses' worker-run operations).
  renewals: 8.5,
  // Upgrade and downgrade orders (orders) change a license's quantity (licenses' worker-run operations).
  'quantity-changes': 8.6,
  // Cancel, suspend and resume a subscription (subscriptions) by each license's worker-run operation (licenses).
  'subscription-actions': 8.6,
  // Sync of licenses with their KAs: reads keys through the adapter the root hands it, moves licenses through their port.
  'license-sync': 8.7,
  // Usage reported per license and day (licenses' keys), overuse and SaaS reports; events through the outbox.
  usage: 8.8,
  // Migration to another KA configuration: a new request (license requests), the old key's terminate (licenses' worker-run operations), auto-renew (subscriptions).
  migrations: 8.9,
  // Events out: they read the outbox through its port and nothing above them.
  webhooks: 9,
  mail: 9,
  // One action over many licenses or requests: it acts through the features below, by ports.
  'bulk-jobs': 10,
};

/**
 * The one store every feature may import: the audit log, which every feature records its
 * events through (`applyTransition` writes them with the move). Any other store is its
 * feature's own: a feature reaches another's rows only through a port that feature declares
 * (an interface its store implements, handed over by the composition root) or a service.
 */
export const sharedLogStore = 'src/features/audit/audit-store.ts';

type Layer =
  | 'foundation'
  | 'kernel'
  | 'http'
  | 'plugin-sdk'
  | 'reference-ka'
  | 'engine'
  | 'feature'
  | 'plugin-host'
  | 'provisioning'
  | 'read-models'
  | 'web'
  | 'bootstrap'
  | 'root'
  | 'scripts'
  | 'plugin'
  | 'reference-front'
  | 'test';

interface Place {
  layer: Layer;
  /** The feature's or plugin's folder name. */
  name?: string;
}

/** Where a file sits; undefined for a file in no declared layer (itself a violation). */
export function placeOf(file: string): Place | undefined {
  const plugin = /^plugins\/([^/]+)\/(.*)$/.exec(file);
  if (plugin) {
    const [, name, rest] = plugin as unknown as [string, string, string];
    if (/^(test|scripts)\//.test(rest)) return { layer: 'test', name };
    // A plugin's reference server (a vendor-side front) may use the reference authority.
    if (/^src\/(reference-[^/]+|run-reference-server)\.ts$/.test(rest)) return { layer: 'reference-front', name };
    return { layer: 'plugin', name };
  }
  if (file.startsWith('scripts/')) return { layer: 'scripts' };
  const feature = /^src\/features\/([^/]+)\//.exec(file)?.[1];
  if (feature) return { layer: 'feature', name: feature };
  if (/^src\/(infra|config|errors)\//.test(file)) return { layer: 'foundation' };
  if (/^src\/provisioning\/(engine\/|retry-policy\.ts$)/.test(file)) return { layer: 'engine' };
  const top = /^src\/([^/]+)\//.exec(file)?.[1];
  const layers: Record<string, Layer> = {
    kernel: 'kernel',
    http: 'http',
    'plugin-sdk': 'plugin-sdk',
    'reference-ka': 'reference-ka',
    'plugin-host': 'plugin-host',
    provisioning: 'provisioning',
    'read-models': 'read-models',
    web: 'web',
    bootstrap: 'bootstrap',
  };
  if (top) return layers[top] ? { layer: layers[top] } : undefined;
  if (/^src\/[^/]+\.tsx?$/.test(file)) return { layer: 'root' };
  return undefined;
}

/** What each layer may import besides itself (features: see `featureRanks` and `sharedLogStore`). */
const allowed: Record<Layer, readonly Layer[]> = {
  foundation: [],
  kernel: [],
  http: ['foundation', 'kernel'],
  'plugin-sdk': ['reference-ka'],
  'reference-ka': [],
  engine: ['foundation', 'kernel', 'plugin-sdk'],
  feature: ['foundation', 'kernel', 'http', 'plugin-sdk', 'engine'],
  'plugin-host': ['foundation', 'kernel', 'plugin-sdk', 'feature'],
  provisioning: ['foundation', 'kernel', 'plugin-sdk', 'engine', 'feature'],
  'read-models': ['foundation', 'kernel', 'feature'],
  web: ['foundation', 'kernel', 'http', 'plugin-sdk', 'feature', 'read-models'],
  bootstrap: ['foundation', 'kernel', 'plugin-sdk', 'reference-ka', 'feature', 'plugin-host'],
  root: [
    'foundation',
    'kernel',
    'http',
    'plugin-sdk',
    'engine',
    'feature',
    'plugin-host',
    'provisioning',
    'read-models',
    'web',
    'bootstrap',
  ],
  scripts: [
    'foundation',
    'kernel',
    'http',
    'plugin-sdk',
    'reference-ka',
    'engine',
    'feature',
    'plugin-host',
    'provisioning',
    'bootstrap',
    'root',
    'plugin',
    'reference-front',
  ],
  plugin: ['plugin-sdk'],
  'reference-front': ['plugin-sdk', 'reference-ka'],
  test: [],
};

/** The feature rule of one edge between two features, or undefined when it is allowed. */
function featureProblem(edge: ImportEdge, from: string, to: string): string | undefined {
  const fromRank = featureRanks[from];
  const toRank = featureRanks[to];
  if (fromRank === undefined) return `feature ${from} has no rank in featureRanks`;
  if (toRank === undefined) return `feature ${to} has no rank in featureRanks`;
  if (toRank >= fromRank) return `feature ${from} (rank ${fromRank}) imports ${to} (rank ${toRank}): only lower ones`;
  if (/-store\.ts$/.test(edge.to) && edge.to !== sharedLogStore)
    return `feature ${from} imports another feature's store (reach it through a port or service it declares)`;
  return undefined;
}

/** Every wrong-way import, as `from -> to: why`. */
export function importViolations(edges: ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    // Data files (package.json) are no layer's code.
    if (!/\.tsx?$/.test(edge.to)) continue;
    const from = placeOf(edge.from);
    const to = placeOf(edge.to);
    const at = `${edge.from} -> ${edge.to}`;
    if (!from) {
      problems.push(`${at}: ${edge.from} is in no layer (declare it in import-rules.ts)`);
      continue;
    }
    if (from.layer === 'test') continue;
    if (!to) {
      problems.push(`${at}: ${edge.to} is in no layer (declare it in import-rules.ts)`);
      continue;
    }
    if (from.layer === to.layer) {
      if (from.layer === 'feature' && from.name !== to.name) {
        const problem = featureProblem(edge, from.name as string, to.name as string);
        if (problem) problems.push(`${at}: ${problem}`);
      } else if ((from.layer === 'plugin' || from.layer === 'reference-front') && from.name !== to.name) {
        problems.push(`${at}: a plugin imports another plugin`);
      }
      continue;
    }
    // A plugin's front and its adapter are one plugin.
    if (
      (from.layer === 'reference-front' && to.layer === 'plugin') ||
      (from.layer === 'plugin' && to.layer === 'reference-front')
    ) {
      if (from.name !== to.name) problems.push(`${at}: a plugin imports another plugin`);
      else if (from.layer === 'plugin' && !/\/index\.ts$/.test(edge.from)) {
        problems.push(`${at}: a plugin's adapter imports its reference server (only index.ts starts it)`);
      }
      continue;
    }
    if (!allowed[from.layer].includes(to.layer)) problems.push(`${at}: ${from.layer} may not import ${to.layer}`);
  }
  return problems;
}
