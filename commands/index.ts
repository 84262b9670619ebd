/**
 * Every Bolt listener of the app, in one place. Bolt matches and runs them; there are few: the
 * `/ats` command, the four events, and one listener per feature and kind (actions, views, options),
 * registered on the feature's id prefix (`acct:`, `job:`, `map:`, `cand:`, `home:`, `role:`, `set:`, `audit:`).
 * Each picks its handler from the table given here by the action_id / callback_id
 * (commands/dispatch.ts); the ids themselves are defined with the views that render them (views/).
 */
import { ErrorCode, type App } from '@slack/bolt';
import type { Deps } from '../src/domain/deps';
import { ACCOUNT_ACTIONS } from '../views/accounts';
import { CANDIDATE_ACTIONS } from '../views/candidate';
import { HOME_OPEN_MAPPING } from '../views/home';
import { OPEN_MAPPING_ACTION } from '../views/import-notices';
import { JOB_ACTIONS, JOB_CALLBACK } from '../views/jobs';
import { LINK_CALLBACK } from '../views/link';
import { MAPPING_ACTIONS, RULE_CALLBACK } from '../views/mapping';
import { ROLES_CALLBACK } from '../views/roles';
import { SETTINGS_CALLBACK } from '../views/settings';
import { dedupeMiddleware } from './dedupe';
import {
  actions,
  ids,
  options,
  views,
  type ActionHandler,
  type Aliases,
  type OptionsHandler,
  type Table,
  type ViewHandler,
} from './dispatch';
import { refuseMalformed } from './payloads';
import { ackUnrouted, type Routes } from './unrouted';
import { atsCommand, type Subcommand } from './ats';
import {
  accountsCommand,
  linkCommand,
  linkMedium,
  pauseAccount,
  reenterAccount,
  resumeAccount,
  showAccountsPage,
  submitLink,
  unlinkAccount,
} from './accounts';
import { botJoinedChannel, editJob, jobCommand, jobsCommand, newJob, submitJob } from './jobs';
import {
  deleteMappingRule,
  mappingCommand,
  openRuleModal,
  searchJobs,
  selectPostingJob,
  showMapping,
  showMappingPage,
  submitRule,
} from './mapping';
import { candidateCommand, changeCandidateStage, eraseCandidateData, profileLinkOpened, showDetails } from './candidates';
import { auditCommand, filterAuditByAction, filterAuditByUser, showAuditPage } from './audit';
import { AUDIT_ACTIONS } from '../views/audit';
import { rolesCommand, submitRoles } from './roles';
import { settingsCommand, submitSettings } from './settings';
import { appHomeOpened } from './home';
import { appUninstalled, tokensRevoked } from './lifecycle';

/**
 * The ids buttons had before they carried a feature prefix (old id → today's id; an old id with a
 * `:<arg>` keeps it). Messages stay in users' Slack with the ids they were posted with: candidate
 * cards in job channels and import notices in DMs for good (until a card is updated), the
 * ephemeral answers to `/ats accounts`, `/ats jobs` and `/ats candidate` until the client reloads.
 * App Home and modals are rendered anew each time they are shown: their old ids need no alias.
 */
export const LEGACY_ACTION_IDS: Aliases = {
  candidate_details: CANDIDATE_ACTIONS.details, // cards
  candidate_profile: CANDIDATE_ACTIONS.profile, // cards (a link button: acked only)
  open_mapping: OPEN_MAPPING_ACTION, // import notices (DMs)
  candidate_pick: CANDIDATE_ACTIONS.pick, // `/ats candidate` with several matches
  account_pause: ACCOUNT_ACTIONS.pause, // `/ats accounts`
  account_resume: ACCOUNT_ACTIONS.resume,
  account_reenter: ACCOUNT_ACTIONS.reenter,
  account_unlink: ACCOUNT_ACTIONS.unlink,
  account_link: ACCOUNT_ACTIONS.link, // account_link:<medium>
  account_page: ACCOUNT_ACTIONS.page, // account_page:prev|next
  job_edit: JOB_ACTIONS.edit, // `/ats jobs`
  job_new: JOB_ACTIONS.create,
};

/** `/ats <subcommand>` (besides `help`, answered in the ack by commands/ats.ts). */
export const SUBCOMMANDS = {
  link: linkCommand,
  accounts: accountsCommand,
  job: jobCommand,
  jobs: jobsCommand,
  mapping: mappingCommand,
  candidate: candidateCommand,
  roles: rolesCommand,
  settings: settingsCommand,
  audit: auditCommand,
} as const satisfies Table<Subcommand>;

/** Buttons and selects, by feature prefix: one Bolt listener each (the prefixes carry the legacy aliases). */
export const ACTIONS = {
  // media accounts
  acct: {
    [ACCOUNT_ACTIONS.page]: showAccountsPage,
    [ACCOUNT_ACTIONS.link]: linkMedium,
    [ACCOUNT_ACTIONS.reenter]: reenterAccount,
    [ACCOUNT_ACTIONS.pause]: pauseAccount,
    [ACCOUNT_ACTIONS.resume]: resumeAccount,
    [ACCOUNT_ACTIONS.unlink]: unlinkAccount,
  },
  // jobs
  job: { [JOB_ACTIONS.create]: newJob, [JOB_ACTIONS.edit]: editJob },
  // posting → job mapping
  map: {
    [OPEN_MAPPING_ACTION]: showMapping,
    [MAPPING_ACTIONS.job]: selectPostingJob,
    [MAPPING_ACTIONS.page]: showMappingPage,
    [MAPPING_ACTIONS.addRule]: openRuleModal,
    [MAPPING_ACTIONS.deleteRule]: deleteMappingRule,
  },
  // candidates
  cand: {
    [CANDIDATE_ACTIONS.details]: showDetails,
    [CANDIDATE_ACTIONS.pick]: showDetails,
    [CANDIDATE_ACTIONS.profile]: profileLinkOpened,
    [CANDIDATE_ACTIONS.stage]: changeCandidateStage,
    [CANDIDATE_ACTIONS.erase]: eraseCandidateData,
  },
  // the audit log (org admins)
  audit: {
    [AUDIT_ACTIONS.page]: showAuditPage,
    [AUDIT_ACTIONS.user]: filterAuditByUser,
    [AUDIT_ACTIONS.action]: filterAuditByAction,
  },
  // App Home
  home: { [HOME_OPEN_MAPPING]: showMapping },
} as const satisfies Record<string, Table<ActionHandler>>;

/** Modal submissions by callback_id, by feature prefix. */
export const VIEWS = {
  acct: { [LINK_CALLBACK]: submitLink },
  job: { [JOB_CALLBACK]: submitJob },
  map: { [RULE_CALLBACK]: submitRule },
  // org admins' modals
  role: { [ROLES_CALLBACK]: submitRoles },
  set: { [SETTINGS_CALLBACK]: submitSettings },
} as const satisfies Record<string, Table<ViewHandler>>;

/** External-select options requests by action_id, by feature prefix. */
export const OPTIONS = {
  map: { [MAPPING_ACTIONS.job]: searchJobs, [MAPPING_ACTIONS.ruleJob]: searchJobs },
} as const satisfies Record<string, Table<OptionsHandler>>;

export function registerAll(app: App, deps: Deps, forget: (teamId: string) => void, opts: { ackBudgetMs?: number } = {}) {
  // a payload without the shape of its kind goes no further (src/server.ts refuses it before Bolt, too)
  app.use(refuseMalformed(deps));
  // Slack retries must not act twice: before every listener
  app.use(dedupeMiddleware(deps));
  // what no listener below takes is acked at once (the routes are filled as they are registered:
  // register every action, view and options listener through action()/view()/option() below, or
  // ackUnrouted acks its requests before it runs)
  const routes: Routes = { commands: ['/ats'], actions: [], views: [], options: [] };
  app.use(ackUnrouted(routes, deps.logger));
  const action = (prefix: string, aliases?: Aliases) => {
    const re = ids(prefix, aliases);
    routes.actions.push(re);
    return re;
  };
  const view = (prefix: string) => {
    const re = ids(prefix);
    routes.views.push(re);
    return re;
  };
  const option = (prefix: string) => {
    const re = ids(prefix);
    routes.options.push(re);
    return re;
  };
  const viewOpts = { ackBudgetMs: opts.ackBudgetMs };

  app.command('/ats', atsCommand(deps, SUBCOMMANDS));

  app.event('app_home_opened', (a) => appHomeOpened({ ...a, deps }));
  app.event('member_joined_channel', (a) => botJoinedChannel({ ...a, deps }));
  app.event('app_uninstalled', (a) => appUninstalled({ ...a, deps, forget }));
  app.event('tokens_revoked', (a) => tokensRevoked({ ...a, deps, forget }));

  const legacy = LEGACY_ACTION_IDS;
  for (const [prefix, table] of Object.entries(ACTIONS)) app.action(action(prefix, legacy), actions(deps, table, legacy));
  for (const [prefix, table] of Object.entries(VIEWS)) app.view(view(prefix), views(deps, table, viewOpts));
  for (const [prefix, table] of Object.entries(OPTIONS)) app.options(option(prefix), options(deps, table));

  app.error(async (err) => {
    if (err.code === ErrorCode.AuthorizationError) {
      // a request for a workspace without an installation (uninstalled, or a crafted team id): Bolt
      // acks it and runs no listener; nothing failed here
      deps.logger.info({ reason: err.message.slice(0, 200) }, 'request for a workspace without an installation');
      return;
    }
    deps.logger.error({ err }, 'unhandled Bolt error');
  });
}
