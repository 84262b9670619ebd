/**
 * The connector contract (contract/suite.ts) for all six media: Wantedly's JSON API and the five
 * employer consoles through the shared Chromium (one browser for the whole file, closed at the
 * end). Each target tells the suite how to drive its emulator and what the connector should make
 * of what it seeds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startWantedlyEmulator, type WantedlyEmulator } from '../../emulators/wantedly/index';
import { PAGE_SIZE, startConsoleEmulator, type ConsoleEmulator } from '../../emulators/media-console/server';
import { FLAVORS } from '../../emulators/media-console/flavors';
import { closeBrowser } from '../../connectors/browser';
import { WANTEDLY_PAGE_MAX } from '../../connectors/wantedly/index';
import type { ConsoleMediumName } from '../../connectors/console/index';
import type { Credentials } from '../../connectors/types';
import { MEDIA } from '../../src/vocabulary';
import { connectorContractSuite, type ConnectorTarget } from './contract/suite';

const WANTEDLY_KEY = 'wk_live_contract_5f2a9c0e7b31';

const wantedly: ConnectorTarget<WantedlyEmulator> = {
  medium: 'wantedly',
  kind: 'api',
  startEmulator: () => startWantedlyEmulator(),
  addAccount: (emu) => emu.addAccount({ apiKey: WANTEDLY_KEY }),
  seed: (emu, opts) =>
    emu.generateEntries(WANTEDLY_KEY, opts).map((e) => ({
      externalId: String(e.id),
      name: e.user.name,
      postingId: String(e.project_id),
      postingTitle: e.project_title,
      appliedAt: e.created_at,
      profileUrl: e.ticket_url,
      isMeetup: e.kind === 'meetup',
    })),
  pageSize: WANTEDLY_PAGE_MAX,
  pagesServed: (emu) => emu.counters().entriesRequests,
  good: { medium: 'wantedly', apiKey: WANTEDLY_KEY },
  wrong: { medium: 'wantedly', apiKey: 'wk_live_unknown_83d1e6b04a77' },
  refusals: [
    { state: 'a revoked key', arrange: (emu) => emu.updateAccount(WANTEDLY_KEY, { revoked: true }), reason: 'invalid_credentials' },
    {
      state: 'a key of a メンバー (neither 管理者 nor 担当)',
      arrange: (emu) => emu.updateAccount(WANTEDLY_KEY, { role: 'member' }),
      reason: 'insufficient_role',
    },
  ],
  changedLayout: 'bad_response',
  showsAge: false,
  hasMeetups: true,
};

/** A console medium: the same emulator app and the same connector code, with its own labels. */
function consoleTarget(
  medium: ConsoleMediumName,
  login: string,
  creds: (login: string, password: string) => Credentials,
  showsAge: boolean,
): ConnectorTarget<ConsoleEmulator> {
  const password = `Tr0ub4dor&3-${medium}`;
  return {
    medium,
    kind: 'browser',
    startEmulator: () => startConsoleEmulator(FLAVORS[medium]),
    addAccount: (emu) => emu.addAccount({ login, password }),
    seed: (emu, opts) =>
      emu.generateApplicants(login, opts).map((a) => ({
        externalId: a.id,
        name: a.name,
        ...(a.age === undefined ? {} : { age: a.age }),
        postingId: a.postingId,
        postingTitle: a.postingTitle,
        appliedAt: a.appliedAt,
        profileUrl: `${emu.url}/applicants/${encodeURIComponent(a.id)}`,
        isMeetup: false,
      })),
    pageSize: PAGE_SIZE,
    pagesServed: (emu) => emu.counters().listPages,
    good: creds(login, password),
    wrong: creds(login, 'wrong-password-4711'),
    refusals: [
      { state: 'a locked account', arrange: (emu) => emu.updateAccount(login, { locked: true }), reason: 'locked' },
      { state: 'a 認証コード (OTP) step', arrange: (emu) => emu.updateAccount(login, { otpRequired: true }), reason: 'needs_human' },
    ],
    changedLayout: 'layout_changed',
    showsAge,
    hasMeetups: false,
  };
}

const consoles: ConnectorTarget<ConsoleEmulator>[] = [
  consoleTarget('bizreach', 'saiyo@bizreach-contract.example.jp', (email, password) => ({ medium: 'bizreach', email, password }), true),
  consoleTarget('green', 'C-204817', (companyId, password) => ({ medium: 'green', companyId, password }), true),
  consoleTarget('findy', 'recruit@findy-contract.example.jp', (email, password) => ({ medium: 'findy', email, password }), false),
  consoleTarget('paiza', 'paiza_contract_01', (userId, password) => ({ medium: 'paiza', userId, password }), true),
  consoleTarget('openwork', 'ow_contract_7', (userId, password) => ({ medium: 'openwork', userId, password }), true),
];

afterAll(() => closeBrowser());

describe('connector contract targets', () => {
  it('cover every medium once', () => {
    expect([wantedly, ...consoles].map((t) => t.medium).sort()).toEqual([...MEDIA].sort());
  });
});

connectorContractSuite(wantedly);
for (const t of consoles) connectorContractSuite(t);
