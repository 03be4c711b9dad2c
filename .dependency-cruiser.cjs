// The layers of src/ (see docs/architecture.md): imports flow downward only.
//
//   util, protocol            no project imports but their own (protocol may use util)
//   types                     pure data structures
//   keyspace                  databases, expiry, eviction, notifications, keys by slot
//   config                    the configuration table and redis.conf reader
//   commands                  the command table and the command context interface
//   server                    listener, clients, dispatcher and its phases, INFO
//   persistence replication sentinel cluster scripting acl    the server's subsystems
//   compose                   wires the subsystems onto a server
//   proxy, manager, cli       entry points and the layers above the data plane
//
// Type-only imports count (tsPreCompilationDeps): a layer that names a type of the
// layer above it depends on it as much as one that calls it. A new folder under src/
// must be added to LAYERS, or the `unknown-folder` rule fails.
const LAYERS = [
  ['util'],
  ['protocol'],
  ['types'],
  ['keyspace'],
  ['config'],
  ['commands'],
  ['server'],
  ['persistence', 'replication', 'sentinel', 'cluster', 'scripting', 'acl'],
  ['compose'],
  ['proxy'],
  ['manager'],
  ['cli'],
];

const ALL = LAYERS.flat();

function below(i) {
  return LAYERS.slice(0, i + 1).flat();
}

const rules = LAYERS.map((layer, i) => ({
  name: `layer-${layer.join('-')}`,
  comment: `${layer.join(', ')} may import only ${below(i).join(', ')}`,
  severity: 'error',
  from: { path: `^src/(${layer.join('|')})/` },
  to: { path: '^src/', pathNot: `^src/(${below(i).join('|')})/` },
}));

rules.push({
  name: 'unknown-folder',
  comment: 'every folder of src/ has its place in LAYERS',
  severity: 'error',
  from: { path: '^src/', pathNot: `^src/(${ALL.join('|')})/` },
  to: {},
});

rules.push({
  name: 'not-to-test',
  comment: 'src/ never imports tests or benchmarks',
  severity: 'error',
  from: { path: '^src/' },
  to: { path: '^(test|bench)/' },
});

module.exports = {
  forbidden: rules,
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    moduleSystems: ['es6'],
  },
};
