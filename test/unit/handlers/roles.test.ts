/** commands/roles.ts: `/ats roles` and the roles modal (role:save), through Bolt. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { translator } from '../../../src/i18n';
import type { UnitDeps } from '../../helpers/deps';
import { startHandlerTest, type BoltHarness, type HandlerTest } from '../../helpers/bolt';

const T = 'T0HROLE';
const ADMIN = 'U0HROLEADMIN';
const MEMBER = 'U0HROLEMEMBER';
const t = translator('en');
let u: UnitDeps;
let bolt: BoltHarness;
let h: HandlerTest;
let jobId: string;

const save = (userId: string, values: Record<string, string>) => bolt.submit({ teamId: T, userId, callbackId: 'role:save', values });
const roleOf = async (userId: string) => (await u.deps.store.members.findOne({ teamId: T, userId }))?.orgRole;

beforeAll(async () => {
  ({ u, bolt } = h = await startHandlerTest('h_roles', T, { admins: [ADMIN], others: [MEMBER] }));
  const now = new Date();
  jobId = String(
    (
      await u.deps.store.jobs.insertOne({
        teamId: T,
        name: 'Sales',
        channelId: 'C0SALES',
        admins: [],
        members: [],
        createdBy: ADMIN,
        createdAt: now,
        updatedAt: now,
      })
    ).insertedId,
  );
});
afterAll(() => u?.close());
beforeEach(() => h.reset());

describe('/ats roles', () => {
  it('opens the roles modal for an org admin, with the current org admins and the jobs', async () => {
    await bolt.slash({ teamId: T, userId: ADMIN, text: 'roles' });
    const view = bolt.client.to('views.open')[0].args.view;
    expect(view.callback_id).toBe('role:save');
    expect(JSON.stringify(view)).toContain(`<@${ADMIN}>`);
    expect(JSON.stringify(view)).toContain(`"value":"${jobId}"`);
  });

  it('is refused to anyone else', async () => {
    await bolt.slash({ teamId: T, userId: MEMBER, text: 'ROLES' });
    expect(bolt.client.to('views.open')).toHaveLength(0);
    expect(bolt.responded[0].body.text).toBe(t('common.refused', { action: t('actions.roles_manage') }));
  });
});

describe('the roles modal (role:save)', () => {
  it('gives an org role and a job role, acks, and says both by DM', async () => {
    const d = await save(ADMIN, { user: MEMBER, org_role: 'limited', job: jobId, job_role: 'admin' });
    expect(d.acks).toEqual([undefined]);
    expect(await roleOf(MEMBER)).toBe('limited');
    expect((await u.deps.store.jobs.findOne({ teamId: T, name: 'Sales' }))?.admins).toEqual([MEMBER]);
    expect(bolt.dms(ADMIN)).toEqual([
      [
        t('roles.saved', { user: MEMBER, role: t('roles.limited') }),
        t('roles.savedJob', { user: MEMBER, job: 'Sales', role: t('roles.job_admin') }),
      ].join('\n'),
    ]);
  });

  it('without a user, or with nothing to change, answers under the field', async () => {
    expect((await save(ADMIN, { org_role: 'standard' })).acked).toEqual({
      response_action: 'errors',
      errors: { user: t('link.errors.required') },
    });
    expect((await save(ADMIN, { user: MEMBER })).acked).toEqual({
      response_action: 'errors',
      errors: { org_role: t('roles.nothingToChange') },
    });
    expect(await roleOf(MEMBER)).toBe('limited');
  });

  it('the last org admin cannot be removed (under the user field)', async () => {
    expect((await save(ADMIN, { user: ADMIN, org_role: 'standard' })).acked).toEqual({
      response_action: 'errors',
      errors: { user: t('roles.lastOrgAdmin') },
    });
    expect(await roleOf(ADMIN)).toBe('org_admin');
  });

  it('a crafted submission by someone who is no org admin is refused', async () => {
    expect((await save(MEMBER, { user: MEMBER, org_role: 'org_admin' })).acked).toMatchObject({
      response_action: 'errors',
      errors: { user: expect.stringContaining("don't have permission") },
    });
    expect(await roleOf(MEMBER)).toBe('limited');
  });
});
