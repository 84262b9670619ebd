/**
 * The layers (docs/architecture.md, "Layers"; CONTRIBUTING.md, "Layer rules"), one forbidden rule
 * each, checked by `npm run test:layers` (part of `npm test`) with dependency-cruiser. Type-only imports count: a view that imports a
 * domain type breaks a rule as much as one that imports a function.
 */
const APP = '^(src|commands|views|connectors)/';
const ANY_OF_THE_APP = '^(src|commands|views|connectors|emulators|test|bench)/';
const LEAVES = '^src/(vocabulary|text)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'leaves-import-nothing',
      comment: 'src/vocabulary.ts and src/text.ts are leaves: they import nothing of the app.',
      severity: 'error',
      from: { path: LEAVES },
      to: { path: ANY_OF_THE_APP },
    },
    {
      name: 'connectors-only-vocabulary-and-text',
      comment: 'connectors/ import only connectors/, src/vocabulary.ts, src/text.ts and npm packages.',
      severity: 'error',
      from: { path: '^connectors/' },
      to: { path: ANY_OF_THE_APP, pathNot: ['^connectors/', '^src/(vocabulary|text)[.]ts$'] },
    },
    {
      name: 'storage-knows-no-rules',
      comment:
        'src/storage/ imports only src/storage/, src/vocabulary.ts, src/text.ts and npm packages (no domain, jobs, slack, notifier, i18n, commands, views).',
      severity: 'error',
      from: { path: '^src/storage/' },
      to: { path: ANY_OF_THE_APP, pathNot: ['^src/storage/', '^src/(vocabulary|text)[.]ts$'] },
    },
    {
      name: 'domain-returns-facts',
      comment:
        'src/domain/ decides and returns facts: it never imports views/, commands/, src/notifier/ or src/i18n (no translation), ' +
        'nor src/jobs/, src/slack/ or the composition root; it reaches Slack, the job queue and the notifier only through the ports of src/domain/deps.ts.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: ['^(views|commands)/', '^src/(notifier|i18n|jobs|slack)/', '^src/(server|main|sandbox)[.]ts$'] },
    },
    {
      name: 'views-are-pure',
      comment: 'views/ import only views/, src/vocabulary.ts, src/text.ts, src/i18n and @slack/types; they declare their own input types.',
      severity: 'error',
      from: { path: '^views/' },
      to: { pathNot: ['^views/', LEAVES, '^src/i18n/', '^node_modules/@slack/types/'] },
    },
    {
      name: 'only-jobs-touch-agenda',
      comment: 'Only src/jobs/ imports agenda or @agendajs/* (and knows its collection).',
      severity: 'error',
      from: { path: APP, pathNot: '^src/jobs/' },
      to: { path: '^node_modules/(agenda|@agendajs)/' },
    },
    {
      name: 'jobs-wired-by-the-server',
      comment: 'src/jobs/ is reached through the domain ports (AccountJobs, CardJobs); only src/server.ts wires it.',
      severity: 'error',
      from: { path: APP, pathNot: ['^src/jobs/', '^src/server[.]ts$'] },
      to: { path: '^src/jobs/' },
    },
    {
      name: 'notifier-below-commands',
      comment:
        'src/notifier/ renders views and sends through src/slack/; it does not call handlers, the job queue or the composition root.',
      severity: 'error',
      from: { path: '^src/notifier/' },
      to: { path: ['^commands/', '^src/jobs/', '^src/(server|main|sandbox)[.]ts$'] },
    },
    {
      name: 'slack-is-the-web-api-side',
      comment:
        'src/slack/ holds the Slack Web API side: of the domain it knows only the ports it implements (src/domain/deps.ts); no views, commands, notifier or jobs.',
      severity: 'error',
      from: { path: '^src/slack/' },
      to: { path: ['^(views|commands)/', '^src/(notifier|jobs)/', '^src/domain/(?!deps[.]ts$)'] },
    },
    {
      name: 'app-never-imports-tests',
      comment: 'Nothing in src/, commands/, views/ or connectors/ imports test/.',
      severity: 'error',
      from: { path: APP },
      to: { path: '^test/' },
    },
    {
      name: 'emulators-stand-alone',
      comment:
        'emulators/ (code npm start runs in the sandbox) import only emulators/, the vocabulary, text helpers and the connector contract; never test/ or the app.',
      severity: 'error',
      from: { path: '^emulators/' },
      to: { path: ANY_OF_THE_APP, pathNot: ['^emulators/', LEAVES, '^connectors/types[.]ts$'] },
    },
    {
      name: 'only-the-sandbox-starts-emulators',
      comment:
        'The app reaches the emulators only through src/sandbox.ts (no Slack credentials set); everything else talks to real base URLs.',
      severity: 'error',
      from: { path: APP, pathNot: '^src/sandbox[.]ts$' },
      to: { path: '^emulators/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles in the app.',
      severity: 'error',
      from: { path: APP },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // type-only imports are dependencies too (a view must not lean on a domain type)
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
